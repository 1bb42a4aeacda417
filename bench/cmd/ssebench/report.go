package main

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/ssekit/ssekit/bench/internal/servers"
	"github.com/ssekit/ssekit/bench/internal/stats"
)

type metricSpec struct {
	key, label string
	prec       int
	better     int // +1 higher is better, -1 lower is better, 0 informative
}

type scenSpec struct {
	id, title, about string
	key              string // the metric the ratios are taken on
	metrics          []metricSpec
}

var specs = []scenSpec{
	{"B0", "B0 · idle connections", "Memory after a forced GC (`runtime.GC` + `debug.FreeOSMemory`), per connection above the process's own 0-connection baseline; idle CPU over the idle window. Heartbeat 15 s where the library has one.",
		"rss_kib_per_conn", []metricSpec{{"rss_kib_per_conn", "RSS KiB/conn", 1, -1}, {"heap_kib_per_conn", "heap KiB/conn", 1, -1}, {"stack_kib_per_conn", "stack KiB/conn", 1, -1}, {"goroutines_per_conn", "goroutines/conn", 2, -1}, {"rss_mib", "RSS MiB", 0, -1}, {"idle_cpu_pct", "idle CPU %", 1, -1}}},
	{"B1", "B1 · broadcast latency (open loop)", "One topic; events published on a fixed schedule inside the server; latency = receive time − scheduled send time (no coordinated omission). The first part of each phase is warm-up and not measured.",
		"p99_ms", []metricSpec{{"p50_ms", "p50 ms", 2, -1}, {"p99_ms", "p99 ms", 2, -1}, {"max_ms", "max ms", 1, -1}, {"lost", "lost", 0, -1}, {"server_cpu_pct", "server CPU %", 0, -1}}},
	{"B2", "B2 · broadcast saturation (closed loop)", "One topic; the server publishes as fast as the slowest subscriber allows (credit window of {window} events per subscriber), so every library runs at its own maximum without overflowing queues. CPU from /proc/PID/stat.",
		"deliveries_per_s", []metricSpec{{"deliveries_per_s", "deliveries/s", 0, 1}, {"cpu_us_per_delivery", "server µs CPU/delivery", 2, -1}, {"server_cpu_pct", "server CPU %", 0, 0}, {"loadgen_cpu_pct", "loadgen CPU %", 0, 0}, {"bytes_per_event", "SSE bytes/event", 0, 0}}},
	{"B3", "B3 · many topics", "1k topics with a few subscribers each (the case name gives topics × subscribers: 10 per topic in the long plan, 5 in the short plan to fit its time budget), events round-robin over topics: open loop at the given rate for latency, then closed loop for the maximum rate.",
		"max_deliveries_per_s", []metricSpec{{"max_deliveries_per_s", "max deliveries/s", 0, 1}, {"cpu_us_per_delivery", "µs CPU/delivery", 2, -1}, {"open_rate_pub_s", "open-loop pub/s", 0, 0}, {"p50_ms", "p50 ms", 2, -1}, {"p99_ms", "p99 ms", 2, -1}, {"lost", "lost", 0, -1}}},
	{"B4", "B4 · slow consumers", "10k readers plus 100 stalled connections (1 %, 2 KiB receive buffer, never read). `ref p99` is the same process at the same rate before the stalled clients joined; `rss growth` is after − before the stalled phase (after GC); `stalled dropped` counts stalled streams the server ended.",
		"p99_vs_ref", []metricSpec{{"ref_p99_ms", "ref p99 ms", 2, -1}, {"p50_ms", "p50 ms", 2, -1}, {"p99_ms", "p99 ms", 2, -1}, {"p99_vs_ref", "p99 ÷ ref", 2, -1}, {"max_ms", "max ms", 1, -1}, {"lost", "lost", 0, -1}, {"rss_growth_mib", "rss growth MiB", 1, -1}, {"stalled_dropped", "stalled dropped", 0, 0}}},
	{"B6", "B6 · Redis, two instances", "Two ssekit processes with the redisbackend broker share one private redis-server (all three pinned to the server core); events are published on instance A; `local` = subscribers of A, `cross` = subscribers of B. The case gives the subscribers per instance: 2 × 500 is B1's 1k streams in all (the server core carries B1's fan-out work), 2 × 1k is 1k streams on each instance, twice B1's work on the one server core (and on the load generator's). Open loop for latency at each level (`server core %` = A + B + redis-server, `other CPU %` = the rest of the machine, both while publishing); then, at the last level, closed loop for the maximum delivery rate, then, with one subscriber left per instance, closed loop again for publishes/s through Redis (each event reaches both instances). Compare with B1 (one instance, in-memory broker); the goal row above takes B1's ssekit p99 at 1k subs and the same rate.",
		"cross_p99_ms", []metricSpec{{"local_p50_ms", "local p50 ms", 2, -1}, {"local_p99_ms", "local p99 ms", 2, -1}, {"cross_p50_ms", "cross p50 ms", 2, -1}, {"cross_p99_ms", "cross p99 ms", 2, -1}, {"cross_max_ms", "cross max ms", 1, -1}, {"lost", "lost", 0, -1}, {"server_core_pct", "server core %", 0, 0}, {"other_cpu_pct", "other CPU %", 0, 0}, {"max_deliveries_per_s", "max deliveries/s", 0, 1}, {"publishes_per_s", "publishes/s", 0, 1}}},
	{"B5", "B5 · churn", "Stable subscribers plus a pool that is closed and reopened at the given rate while events flow; goroutines and RSS (after GC) before and after.",
		"goroutine_delta", []metricSpec{{"reconnects", "reconnects", 0, 0}, {"goroutines_before", "goroutines before", 0, 0}, {"goroutines_after", "after", 0, 0}, {"rss_before_mib", "RSS MiB before", 1, 0}, {"rss_after_mib", "after", 1, 0}, {"stable_p99_ms", "stable p99 ms", 2, -1}, {"lost", "lost", 0, -1}}},
}

type key3 struct{ scen, cas, server string }

type table struct {
	cases   []string
	servers []string
	vals    map[key3]map[string][]float64
}

func collect(results []Result) map[string]*table {
	t := map[string]*table{}
	for _, r := range results {
		tb := t[r.Scenario]
		if tb == nil {
			tb = &table{vals: map[key3]map[string][]float64{}}
			t[r.Scenario] = tb
		}
		if !contains(tb.cases, r.Case) {
			tb.cases = append(tb.cases, r.Case)
		}
		if !contains(tb.servers, r.Server) {
			tb.servers = append(tb.servers, r.Server)
		}
		k := key3{r.Scenario, r.Case, r.Server}
		if tb.vals[k] == nil {
			tb.vals[k] = map[string][]float64{}
		}
		for m, v := range r.M {
			tb.vals[k][m] = append(tb.vals[k][m], v)
		}
	}
	return t
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]float64) []string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	sort.Strings(k)
	return k
}

func (t *table) summary(scen, cas, server, metric string) stats.Summary {
	if t == nil {
		return stats.Summarize(nil)
	}
	return stats.Summarize(t.vals[key3{scen, cas, server}][metric])
}

func num(v float64, prec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	if math.Abs(v) >= 10000 {
		return groupThousands(fmt.Sprintf("%.0f", v))
	}
	return fmt.Sprintf("%.*f", prec, v)
}

func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func cell(s stats.Summary, prec int) string {
	if s.N == 0 {
		return "–"
	}
	if s.N == 1 || s.Min == s.Max {
		return num(s.Median, prec)
	}
	return fmt.Sprintf("%s <sub>%s–%s</sub>", num(s.Median, prec), num(s.Min, prec), num(s.Max, prec))
}

// advantage is how much better a is than b on a metric (>1: a is better).
func advantage(a, b float64, better int) float64 {
	if better < 0 {
		return b / a
	}
	return a / b
}

func ratio(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) || v == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", v)
}

func machine() string {
	cpu, cores := "unknown", 0
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok && cpu == "unknown" {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
			}
			if strings.HasPrefix(l, "processor") {
				cores++
			}
		}
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		mem = strings.Join(strings.Fields(strings.SplitN(string(b), "\n", 2)[0])[1:], " ")
	}
	return fmt.Sprintf("CPU %s, %d cores, MemTotal %s, kernel %s, %s %s/%s",
		cpu, cores, mem, strings.TrimSpace(string(kernel)), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func report(plan Plan, names []string, results []Result, skipped []string, elapsed time.Duration) string {
	var b strings.Builder
	w := func(f string, a ...any) { fmt.Fprintf(&b, f, a...) }
	tabs := collect(results)
	w("# ssekit benchmark results\n\n")
	took := fmt.Sprintf("in %v", elapsed.Round(time.Second))
	if elapsed == 0 {
		took = "from saved per-run results (`ssebench -redraw`)"
	}
	w("Generated by `make bench` (`scripts/bench.sh`, %s plan) on %s %s. Do not edit by hand.\n\n",
		plan.Name, time.Now().UTC().Format("2006-01-02 15:04 UTC"), took)
	w("**Machine:** %s.  \n", machine())
	w("**Setup:** every server runs in its own process pinned to core 0 (`taskset -c 0`, `GOMAXPROCS=1`); the load generator runs pinned to core 1 with `GOMAXPROCS=1` and reads every stream on raw TCP with a minimal SSE parser (connections spread over 127.0.0.2–17). ")
	w("Events are published inside each server process on command; each carries `id:`, `event: tick` and one `data:` line holding the ssekit envelope JSON around a %d-byte payload (peers and baselines emit the same envelope shape, so the bytes on the wire match; see `SSE bytes/event` in B2). ", 100)
	w("Runs planned: %d per server for B0–B2, B7 and B8, %d for B3 and B6, %d for B4 and B5 (the `runs` column gives how many completed within the time budget); cells show the median and, in small type, the min–max over runs. ", plan.Runs, max(plan.B3Runs, plan.B6Runs), plan.ExtraRuns)
	w("Ratios use medians: `ssekit ×` is how much better ssekit is than that row (>1 = ssekit better), `of limit` is that row relative to `raw-coalesce`, the hand-written drain-then-flush baseline that stands for what this machine can do.\n\n")
	var others []float64
	for _, r := range results {
		if v, ok := r.M["other_cpu_pct"]; ok {
			others = append(others, v)
		}
	}
	if o := stats.Summarize(others); o.N > 0 {
		w("**Machine load from other processes** during the measured B1, B2, B6 and B8 phases (this box is shared): median %.0f %% of one core, max %.0f %% (`other_cpu_pct` in the JSON); above ~30 %% treat the affected rows as noisy.\n\n", o.Median, o.Max)
	}
	w("Servers:\n\n")
	for _, n := range names {
		w("- `%s`: %s\n", n, servers.Describe[n])
	}
	w("\n")

	w("## Goals of issue 17 measured here\n\n")
	w("Each verdict is taken on the median over runs; the spread (min–max) and the number of runs are shown. Fewer than 3 runs is flagged as not a verdict.\n\n")
	w("| goal | measured | verdict |\n|---|---|---|\n")
	for _, t := range targets17(tabs) {
		w("| %s | %s | %s |\n", t[0], t[1], t[2])
	}
	w("\n")
	w("## Targets (issue 7)\n\n")
	w("| target | measured | verdict |\n|---|---|---|\n")
	for _, t := range targets(tabs) {
		w("| %s | %s | %s |\n", t[0], t[1], t[2])
	}
	w("\n")

	ordered := append([]scenSpec(nil), specs...)
	sort.SliceStable(ordered, func(i, j int) bool { return ordered[i].id < ordered[j].id })
	for _, sp := range ordered {
		about := strings.NewReplacer("{window}", fmt.Sprint(plan.Window), "{inflight}", fmt.Sprint(plan.B8Inflight)).Replace(sp.about)
		w("## %s\n\n%s\n\n", sp.title, about)
		tb := tabs[sp.id]
		if tb == nil {
			w("_not run in this invocation._\n\n")
			continue
		}
		writeTable(&b, sp, sp.id, tb, names)
	}
	w("## B7 · adapters (Echo v4 and v5, Gin, Fiber v2 and v3 against core net/http)\n\n")
	b7 := false
	for _, id := range []string{"B7-B0", "B7-B1", "B7-B2"} {
		if tb := tabs[id]; tb != nil {
			b7 = true
			sp := specs[map[string]int{"B7-B0": 0, "B7-B1": 1, "B7-B2": 2}[id]]
			w("### B7 · %s\n\n", sp.title)
			// compare against ssekit on core net/http from the main tables
			merged := &table{vals: tb.vals, cases: tb.cases, servers: append([]string{"ssekit"}, tb.servers...)}
			for _, cas := range tb.cases {
				for m, v := range tabs[id[3:]].valsFor(id[3:], cas, "ssekit") {
					k := key3{id, cas, "ssekit"}
					if merged.vals[k] == nil {
						merged.vals[k] = map[string][]float64{}
					}
					merged.vals[k][m] = v
				}
			}
			writeTable(&b, sp, id, merged, append([]string{"ssekit"}, tb.servers...))
		}
	}
	if !b7 {
		w("_not yet run: the `echosse`, `ginsse` and `fibersse` modules were not committed when this harness was written; each becomes one more server entry._\n\n")
	}
	w("## %s\n\n%s\n\n", b8Spec.title, strings.ReplaceAll(b8Spec.about, "{inflight}", fmt.Sprint(plan.B8Inflight)))
	if tb := tabs["B8"]; tb != nil {
		writeTable(&b, b8Spec, "B8", tb, names)
	} else {
		w("_not run in this invocation._\n\n")
	}
	if len(skipped) > 0 {
		w("## Not run / failed\n\n")
		for _, s := range skipped {
			w("- %s\n", s)
		}
		w("\n")
	}
	w("Raw per-run numbers: `bench/out/results-%s.json` (not committed). Method and profile notes: `bench/NOTES.md`.\n", plan.Name)
	return b.String()
}

func (t *table) valsFor(scen, cas, server string) map[string][]float64 {
	if t == nil {
		return nil
	}
	return t.vals[key3{scen, cas, server}]
}

func writeTable(b *strings.Builder, sp scenSpec, id string, tb *table, names []string) {
	w := func(f string, a ...any) { fmt.Fprintf(b, f, a...) }
	var keyBetter int
	w("| case | server |")
	for _, m := range sp.metrics {
		w(" %s |", m.label)
		if m.key == sp.key {
			keyBetter = m.better
		}
	}
	w(" runs | ssekit × | of limit |\n|---|---|")
	for range sp.metrics {
		w("---:|")
	}
	w("---:|---:|---:|\n")
	for _, cas := range tb.cases {
		ref := tb.summary(id, cas, "ssekit", sp.key).Median
		lim := tb.summary(id, cas, "raw-coalesce", sp.key).Median
		for _, srv := range names {
			if _, ok := tb.vals[key3{id, cas, srv}]; !ok {
				continue
			}
			w("| %s | %s |", cas, srv)
			for _, m := range sp.metrics {
				w(" %s |", cell(tb.summary(id, cas, srv, m.key), m.prec))
			}
			ks := tb.summary(id, cas, srv, sp.key)
			v := ks.Median
			w(" %d |", ks.N)
			if keyBetter == 0 {
				w(" – | – |\n")
				continue
			}
			w(" %s | %s |\n", ratio(advantage(ref, v, keyBetter)), ratio(advantage(v, lim, keyBetter)))
		}
	}
	w("\n")
}

// targets checks the targets against the medians.
func targets(t map[string]*table) [][3]string {
	var out [][3]string
	med := func(scen, cas, srv, m string) float64 { return t[scen].summary(scen, cas, srv, m).Median }
	// B2 at 10k.
	{
		s := med("B2", "10k subs", "ssekit", "deliveries_per_s")
		best, bestName := math.NaN(), ""
		for _, p := range []string{"go-sse", "r3labs"} {
			if v := med("B2", "10k subs", p, "deliveries_per_s"); !math.IsNaN(v) && (math.IsNaN(best) || v > best) {
				best, bestName = v, p
			}
		}
		lim := med("B2", "10k subs", "raw-coalesce", "deliveries_per_s")
		out = append(out, verdict("B2 @ 10k subs: ≥ 3× the best peer's deliveries/s", s/best, 3,
			fmt.Sprintf("ssekit %s/s vs %s %s/s = %s", num(s, 0), bestName, num(best, 0), ratio(s/best))))
		out = append(out, verdict("B2 @ 10k subs: ≥ 70 % of the coalescing limit", s/lim, 0.7,
			fmt.Sprintf("ssekit %s/s vs raw-coalesce %s/s = %.0f %%", num(s, 0), num(lim, 0), 100*s/lim)))
	}
	// B1 p99 at 1k subs, every rate measured.
	if tb := t["B1"]; tb != nil {
		for _, cas := range tb.cases {
			if !strings.HasPrefix(cas, "1k subs") {
				continue
			}
			s, r := med("B1", cas, "ssekit", "p99_ms"), med("B1", cas, "raw-flush", "p99_ms")
			v := verdict("B1 @ "+cas+": p99 no worse than the raw net/http baseline", r/s, 1,
				fmt.Sprintf("p99 ssekit %.2f ms vs raw-flush %.2f ms (raw-coalesce %.2f ms)", s, r, med("B1", cas, "raw-coalesce", "p99_ms")))
			ss, rs := t["B1"].summary("B1", cas, "ssekit", "p99_ms"), t["B1"].summary("B1", cas, "raw-flush", "p99_ms")
			if v[2] == "**missed**" && ss.Min <= rs.Max {
				v[2] = fmt.Sprintf("**missed** by %.0f %%, inside the run-to-run spread (ssekit %.1f–%.1f ms, raw-flush %.1f–%.1f ms)", 100*(s/r-1), ss.Min, ss.Max, rs.Min, rs.Max)
			}
			out = append(out, v)
		}
	} else {
		out = append(out, [3]string{"B1 @ 1k subs: p99 no worse than the raw baseline", "–", "not run"})
	}
	// B0: at most 2 KiB per connection beyond net/http's own cost.
	if tb := t["B0"]; tb != nil {
		for _, cas := range tb.cases {
			// net/http's own cost: the leaner of the two hand-written handlers.
			s := med("B0", cas, "ssekit", "rss_kib_per_conn")
			r, rn := med("B0", cas, "raw-coalesce", "rss_kib_per_conn"), "raw-coalesce"
			if f := med("B0", cas, "raw-flush", "rss_kib_per_conn"); math.IsNaN(r) || f < r {
				r, rn = f, "raw-flush"
			}
			out = append(out, verdict("B0 @ "+cas+": hub adds ≤ 2 KiB/conn over net/http", 2-(s-r), 0,
				fmt.Sprintf("ssekit %.1f KiB/conn vs bare net/http handler (%s) %.1f KiB/conn: %+.1f KiB", s, rn, r, s-r)))
		}
	}
	// B4: the others' p99 within 20 % of the no-slow-consumer reference.
	if tb := t["B4"]; tb != nil {
		for _, cas := range tb.cases {
			v := med("B4", cas, "ssekit", "p99_vs_ref")
			out = append(out, verdict("B4 "+cas+": others' p99 within 20 % of B1 (same rate, no stalled clients)", 1.2/v, 1,
				fmt.Sprintf("ssekit p99 %.2f ms vs %.2f ms reference = %.2f×", med("B4", cas, "ssekit", "p99_ms"), med("B4", cas, "ssekit", "ref_p99_ms"), v)))
		}
	}
	return out
}

func verdict(name string, score, need float64, measured string) [3]string {
	switch {
	case math.IsNaN(score) || math.IsInf(score, 0) && score < 0:
		return [3]string{name, measured, "not measured"}
	case score >= need || math.IsInf(score, 1):
		return [3]string{name, measured, "**met**"}
	default:
		return [3]string{name, measured, "**missed**"}
	}
}
