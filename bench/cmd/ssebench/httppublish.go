package main

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ssekit/ssekit/bench/internal/loadgen"
)

// B8 (issue 17): saturation with events published over HTTP. Each case runs
// in a fresh server process: N streams on one topic, then B8Inflight
// workers POST to the server's broadcast route back to back for
// B8Warm + B8Measure. Unlike B2 there is no credit window: the publishers
// are only held back by the 16 requests in flight, as in a deployment.

// b8Servers are the servers B8 measures: every ssekit mount, the peers and
// the coalescing baseline (not raw-flush, which B2 already shows far behind,
// nor the Redis and Prometheus entries, which are not mounts).
func b8Servers(names []string) []string {
	var out []string
	for _, n := range names {
		if n != "raw-flush" && n != "ssekit-redis" && n != "ssekit-prom" {
			out = append(out, n)
		}
	}
	return out
}

// runB8 measures one server at every B8 level, a fresh process per level.
func (e *env) runB8(server string, run int) error {
	pl := e.plan
	for _, n := range pl.B8Subs {
		if time.Now().After(e.deadline) {
			return errDeadline
		}
		if err := e.b8Level(server, run, n); err != nil {
			return err
		}
	}
	return nil
}

func (e *env) b8Level(server string, run, subs int) error {
	pl := e.plan
	s, err := e.open(server, run)
	if err != nil {
		return err
	}
	defer s.close()
	conns, err := s.g.Connect(subs, func(int) int { return 0 }, false, 60*time.Second)
	if err != nil {
		return fmt.Errorf("B8 connect %d: %w", subs, err)
	}
	time.Sleep(pl.Settle)
	cas := fmt.Sprintf("%s subs, %d in flight", k(subs), pl.B8Inflight)
	var r loadgen.HTTPResult
	err = s.profiled("B8", cas, func() (err error) {
		r, err = s.g.HTTPLoop(s.p.pid, conns, pl.B8Inflight, pl.B8Warm, pl.B8Measure)
		return err
	})
	if err != nil {
		return fmt.Errorf("B8 %s: %w", cas, err)
	}
	s.result("B8", cas, map[string]float64{
		"deliveries_per_s":    r.DeliveriesPerSec,
		"core_s_per_1k":       r.CPUPerDelivery.Seconds() * 1000,
		"cpu_us_per_delivery": float64(r.CPUPerDelivery) / float64(time.Microsecond),
		"publishes_per_s":     r.PublishesPerSec,
		"server_cpu_pct":      100 * r.ServerCPU,
		"loadgen_cpu_pct":     100 * r.LoadgenCPU,
		"other_cpu_pct":       100 * r.OtherCPU,
		"dropped_streams":     float64(r.Dropped),
		"failed_publishes":    float64(r.Failed),
	})
	return nil
}

// mounts are ssekit's mounts and their detached variants, as B8 and the
// issue 17 goals name them.
var mounts = []string{"ssekit", "ssekit-echo", "ssekit-gin", "ssekit-fiber", "ssekit-echo5", "ssekit-fiber3",
	"ssekit-detached", "ssekit-echo-detached", "ssekit-gin-detached", "ssekit-fiber-detached", "ssekit-fiber3-detached"}

// spreadOf says how a median was formed: "median of N runs, min–max".
func spreadOf(t *table, scen, cas, srv, metric string, prec int) string {
	s := t.summary(scen, cas, srv, metric)
	if s.N == 0 {
		return "not run"
	}
	if s.N == 1 {
		return "1 run"
	}
	return fmt.Sprintf("median of %d runs, %s–%s", s.N, num(s.Min, prec), num(s.Max, prec))
}

// fewRuns marks a verdict taken on fewer than the 3 runs a goal needs.
func fewRuns(v [3]string, n int) [3]string {
	if n < 3 && !strings.HasPrefix(v[2], "not") {
		v[2] += fmt.Sprintf(" (only %d run%s: not a verdict)", n, map[bool]string{true: "", false: "s"}[n == 1])
	}
	return v
}

// targets17 checks issue 17's goals that this harness measures: B8
// saturation on every mount, B3 CPU per delivery, B1 latency on every mount
// and B6 cross-instance latency.
func targets17(t map[string]*table) [][3]string {
	var out [][3]string
	if tb := t["B8"]; tb != nil {
		for _, cas := range tb.cases {
			ten := strings.HasPrefix(cas, "10k ")
			lim := tb.summary("B8", cas, "raw-coalesce", "deliveries_per_s")
			best, bestName := math.NaN(), ""
			for _, p := range []string{"go-sse", "r3labs"} {
				if v := tb.summary("B8", cas, p, "deliveries_per_s").Median; !math.IsNaN(v) && (math.IsNaN(best) || v > best) {
					best, bestName = v, p
				}
			}
			for _, m := range mounts {
				s := tb.summary("B8", cas, m, "deliveries_per_s")
				if s.N == 0 {
					continue
				}
				n := min(s.N, lim.N)
				mine := fmt.Sprintf("%s %s/s (%s)", m, num(s.Median, 0), spreadOf(tb, "B8", cas, m, "deliveries_per_s", 0))
				hub := fmt.Sprintf("raw-coalesce %s/s (%s)", num(lim.Median, 0), spreadOf(tb, "B8", cas, "raw-coalesce", "deliveries_per_s", 0))
				if ten {
					if bestName != "" {
						pn := tb.summary("B8", cas, bestName, "deliveries_per_s").N
						out = append(out, fewRuns(verdict("B8 @ "+cas+": "+m+" ≥ 4× the best peer", s.Median/best, 4,
							fmt.Sprintf("%s vs %s %s/s (%s) = %s", mine, bestName, num(best, 0), spreadOf(tb, "B8", cas, bestName, "deliveries_per_s", 0), ratio(s.Median/best))), min(s.N, pn)))
					}
					out = append(out, fewRuns(verdict("B8 @ "+cas+": "+m+" ≥ 1.5× the coalescing hub", s.Median/lim.Median, 1.5,
						fmt.Sprintf("%s vs %s = %s", mine, hub, ratio(s.Median/lim.Median))), n))
				} else {
					out = append(out, fewRuns(verdict("B8 @ "+cas+": "+m+" ≥ the coalescing hub", s.Median/lim.Median, 1,
						fmt.Sprintf("%s vs %s = %s", mine, hub, ratio(s.Median/lim.Median))), n))
				}
			}
		}
	}
	if tb := t["B3"]; tb != nil {
		for _, cas := range tb.cases {
			s := tb.summary("B3", cas, "ssekit", "cpu_us_per_delivery")
			l := tb.summary("B3", cas, "raw-coalesce", "cpu_us_per_delivery")
			if s.N == 0 || l.N == 0 {
				continue
			}
			out = append(out, fewRuns(verdict("B3 "+cas+": ssekit CPU per delivery ≤ 1.5× the coalescing baseline's", 1.5*l.Median/s.Median, 1,
				fmt.Sprintf("ssekit %.2f µs (%s) vs raw-coalesce %.2f µs (%s) = %.2f×", s.Median, spreadOf(tb, "B3", cas, "ssekit", "cpu_us_per_delivery", 2),
					l.Median, spreadOf(tb, "B3", cas, "raw-coalesce", "cpu_us_per_delivery", 2), s.Median/l.Median)), min(s.N, l.N)))
		}
	}
	out = append(out, b1Goals(t)...)
	return append(out, b6Goals(t)...)
}

// b8Spec is B8's table in the report.
var b8Spec = scenSpec{"B8", "B8 · saturation, published over HTTP (issue 17)",
	"N streams on one topic, fresh server process per row; {inflight} workers in the load generator POST `{\"event\",\"topic\",\"data\"}` to `" + "/events/broadcast" + "` back to back (at most {inflight} publishes in flight, no credit window). ssekit's mounts answer with core's broadcast route; peers and baselines with a handler doing the same work (bearer token, JSON decode, publish). `core-s/1k` is server CPU seconds per 1,000 deliveries; `dropped` counts streams the server ended for a full queue.",
	"deliveries_per_s", []metricSpec{{"deliveries_per_s", "deliveries/s", 0, 1}, {"core_s_per_1k", "core-s/1k deliveries", 4, -1}, {"publishes_per_s", "publishes/s", 0, 0}, {"server_cpu_pct", "server CPU %", 0, 0}, {"loadgen_cpu_pct", "loadgen CPU %", 0, 0}, {"dropped_streams", "dropped", 0, -1}}}
