package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ssekit/ssekit/bench/internal/loadgen"
	"github.com/ssekit/ssekit/bench/internal/stats"
)

// The soak run (issue 17, `make bench BENCH_FLAGS=-soak`, not in CI): one
// server process holds SoakStreams streams for a long time while a pool of
// them is closed and reopened SoakChurn times a second, SoakRate events a
// second are published to all, and 1 % of the streams never read. Every
// sample (after a forced GC) records RSS, goroutines and open fds; after a
// warm-up third, each must stay within 5 % of its plateau (the median of
// the later samples), and no healthy stream may lose an event.

// soakConfig sizes a soak run.
type soakConfig struct {
	Dur     time.Duration
	Streams int     // all streams, stalled ones included
	Churn   int     // reconnects per second
	Pool    int     // streams in the churning pool
	Rate    float64 // events per second
	Stalled float64 // fraction of streams that never read
}

var defaultSoak = soakConfig{Dur: 15 * time.Minute, Streams: 15000, Churn: 50, Pool: 500, Rate: 20, Stalled: 0.01}

// soakSample is one reading of the server.
type soakSample struct {
	At         time.Duration `json:"at_ns"`
	RSSMiB     float64       `json:"rss_mib"`
	Goroutines int           `json:"goroutines"`
	FDs        int           `json:"fds"`
	Published  int64         `json:"published"`
	Lost       int64         `json:"lost"`
	P99Ms      float64       `json:"p99_ms"`
	Reconnects int           `json:"reconnects"`
}

func openFDs(pid int) int {
	ents, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// runSoak runs the soak against server and writes its report to out (and
// the samples as JSON next to the other results).
func (e *env) runSoak(server string, cfg soakConfig, out string) error {
	s, err := e.open(server, 1)
	if err != nil {
		return err
	}
	defer s.close()
	stalledN := int(math.Round(float64(cfg.Streams) * cfg.Stalled))
	stableN := cfg.Streams - stalledN - cfg.Pool
	t0 := time.Now()
	stable, err := s.g.Connect(stableN, func(int) int { return 0 }, false, 120*time.Second)
	if err != nil {
		return fmt.Errorf("soak: connect %d stable streams: %w", stableN, err)
	}
	// The churning pool and its replacements are group 1, so the healthy
	// streams' latency and losses (group 0) are theirs alone.
	pool, err := s.g.ConnectTo(s.p.hello, 1, cfg.Pool, func(int) int { return 0 }, false, 60*time.Second)
	if err != nil {
		return fmt.Errorf("soak: connect the churn pool: %w", err)
	}
	if _, err := s.g.ConnectTo(s.p.hello, 1, stalledN, func(int) int { return 0 }, true, 60*time.Second); err != nil {
		return fmt.Errorf("soak: connect stalled streams: %w", err)
	}
	e.logf("  soak: %d stable + %d churning + %d stalled streams in %v", stableN, cfg.Pool, stalledN, time.Since(t0).Round(time.Millisecond))

	// Churn runs for the whole soak.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	reconnects, churnErrs := 0, 0
	// A reconnect waits for its response head, which a busy server may take
	// a while to send: each runs on its own, at most 256 at once, so the
	// churn keeps its rate.
	inflight := make(chan struct{}, 256)
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Second / time.Duration(cfg.Churn))
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			mu.Lock()
			if len(pool) > 0 {
				pool[0].Close()
				pool = pool[1:]
			}
			mu.Unlock()
			select {
			case inflight <- struct{}{}:
			case <-stop:
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-inflight }()
				c, err := s.g.ConnectTo(s.p.hello, 1, 1, func(int) int { return 0 }, false, 10*time.Second)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					churnErrs++
					return
				}
				reconnects++
				pool = append(pool, c...)
			}()
		}
	}()

	// Publishing runs in segments with a sample between two: the control
	// connection answers one command at a time.
	seg := min(30*time.Second, max(5*time.Second, cfg.Dur/12))
	var samples []soakSample
	var lost, published int64
	start := time.Now()
	for time.Since(start) < cfg.Dur {
		count := int64(cfg.Rate * seg.Seconds())
		var r loadgen.OpenResult
		err := s.profiled("soak", fmt.Sprintf("segment %d", len(samples)+1), func() (err error) {
			r, err = s.g.OpenLoop(s.p.pid, stable, 1, cfg.Rate, count, 0, 5*time.Second)
			return err
		})
		if err != nil {
			close(stop)
			wg.Wait()
			return fmt.Errorf("soak: publish: %w", err)
		}
		m, err := s.gc()
		if err != nil {
			close(stop)
			wg.Wait()
			return err
		}
		lost += r.Lost
		published += count
		mu.Lock()
		rc := reconnects
		mu.Unlock()
		smp := soakSample{At: time.Since(start), RSSMiB: float64(m.RSS) / (1 << 20), Goroutines: m.Goroutines, FDs: openFDs(s.p.pid),
			Published: count, Lost: r.Lost, P99Ms: ms(r.P99), Reconnects: rc}
		samples = append(samples, smp)
		e.logf("  soak %v: rss %.1f MiB, goroutines %d, fds %d, lost %d, p99 %.1f ms, reconnects %d",
			smp.At.Round(time.Second), smp.RSSMiB, smp.Goroutines, smp.FDs, smp.Lost, smp.P99Ms, rc)
	}
	close(stop)
	wg.Wait()
	endedStable := 0
	for _, c := range stable {
		if c.Ended() {
			endedStable++
		}
	}
	js, _ := json.MarshalIndent(struct {
		Config  soakConfig   `json:"config"`
		Samples []soakSample `json:"samples"`
	}{cfg, samples}, "", " ")
	os.WriteFile(filepath.Join(e.outDir, "soak.json"), js, 0o644)
	md := soakReport(server, cfg, samples, lost, published, stableN, endedStable, reconnects, churnErrs, time.Since(start))
	if out != "" {
		if err := os.WriteFile(out, []byte(md), 0o644); err != nil {
			return err
		}
		e.logf("wrote %s", out)
	}
	fmt.Print(md)
	return nil
}

// flat checks that every sample after the warm-up third is within 5 % of
// the plateau (the median of those samples), or of scale when that is
// larger: goroutines are judged against the streams held, since a server
// whose idle streams own no goroutine (detached) has a plateau of a few,
// and the waiters of its stalled streams (1 % of them, until they are
// dropped) would otherwise count as a leak.
func flat(xs []float64, scale float64) (plateau, worst float64, ok bool) {
	tail := xs[len(xs)/3:]
	plateau = stats.Summarize(tail).Median
	base := max(plateau, scale)
	for _, x := range tail {
		worst = max(worst, math.Abs(x-plateau)/base)
	}
	return plateau, worst, worst <= 0.05
}

func soakReport(server string, cfg soakConfig, samples []soakSample, lost, published int64, stableN, endedStable, reconnects, churnErrs int, el time.Duration) string {
	var b strings.Builder
	w := func(f string, a ...any) { fmt.Fprintf(&b, f, a...) }
	w("# Soak run\n\nGenerated by `make bench BENCH_FLAGS='%s'` on %s. Do not edit by hand.\n\n", soakFlagsText(server, cfg), time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	w("Server `%s`, pinned like every benchmark server. %d streams for %v: %d healthy, a pool of %d closed and reopened %d times a second, %.0f %% that never read; %g events/s to every stream. A sample after each %d-event segment, after a forced GC.\n\n",
		server, cfg.Streams, el.Round(time.Second), stableN, cfg.Pool, cfg.Churn, 100*cfg.Stalled, cfg.Rate, int64(cfg.Rate*min(30*time.Second, max(5*time.Second, cfg.Dur/12)).Seconds()))
	w("| at | RSS MiB | goroutines | fds | healthy p99 ms | lost (healthy) | reconnects so far |\n|---:|---:|---:|---:|---:|---:|---:|\n")
	var rss, gor, fds []float64
	for _, s := range samples {
		w("| %v | %.1f | %d | %d | %.1f | %d | %d |\n", s.At.Round(time.Second), s.RSSMiB, s.Goroutines, s.FDs, s.P99Ms, s.Lost, s.Reconnects)
		rss, gor, fds = append(rss, s.RSSMiB), append(gor, float64(s.Goroutines)), append(fds, float64(s.FDs))
	}
	w("\n| check | result | verdict |\n|---|---|---|\n")
	if len(samples) < 3 {
		w("| flat | %d samples: too few | not measured |\n", len(samples))
	} else {
		for _, m := range []struct {
			name  string
			xs    []float64
			scale float64
			of    string
		}{{"RSS", rss, 0, "plateau"}, {"goroutines", gor, float64(cfg.Streams), "plateau (or of the streams held, when more)"}, {"open fds", fds, 0, "plateau"}} {
			p, worst, ok := flat(m.xs, m.scale)
			w("| %s within 5 %% of %s after warm-up | plateau %.1f, worst %.1f %% off | %s |\n", m.name, m.of, p, 100*worst, map[bool]string{true: "**met**", false: "**missed**"}[ok])
		}
	}
	w("| nothing lost for healthy streams | %d lost of %d published × %d streams; %d healthy streams ended | %s |\n", lost, published, stableN, endedStable,
		map[bool]string{true: "**met**", false: "**missed**"}[lost == 0 && endedStable == 0])
	w("| churn | %d reconnects (%d failed) | – |\n", reconnects, churnErrs)
	return b.String()
}

func soakFlagsText(server string, cfg soakConfig) string {
	var f []string
	if cfg.Dur != defaultSoak.Dur {
		f = append(f, "-soak-dur "+cfg.Dur.String())
	}
	if server != "ssekit" {
		f = append(f, "-servers "+server)
	}
	return strings.Join(append([]string{"-soak"}, f...), " ")
}
