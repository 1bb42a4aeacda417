package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ssekit/ssekit/bench/internal/ctl"
	"github.com/ssekit/ssekit/bench/internal/loadgen"
)

// Result is one measurement of one server in one case of one run.
type Result struct {
	Scenario string             `json:"scenario"`
	Case     string             `json:"case"`
	Server   string             `json:"server"`
	Run      int                `json:"run"`
	M        map[string]float64 `json:"m"`
	Note     string             `json:"note,omitempty"`
}

type env struct {
	curRun    int
	want      map[string]bool
	plan      Plan
	bin       string
	outDir    string
	serverCPU string
	profile   string // "server/scenario/case" to profile, empty for none
	deadline  time.Time
	results   []Result
	logf      func(format string, a ...any)
}

func (e *env) add(r Result) {
	e.results = append(e.results, r)
	e.logf("  %s %s %-28s %-14s run %d %s", time.Now().Format("15:04:05.0"), r.Scenario, r.Case, r.Server, r.Run, fmtMetrics(r.M))
}

func fmtMetrics(m map[string]float64) string {
	s := ""
	for _, k := range sortedKeys(m) {
		s += fmt.Sprintf(" %s=%.4g", k, m[k])
	}
	return s
}

func k(n int) string {
	if n%1000 == 0 {
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}

// session is one server process with its load generator.
type session struct {
	e      *env
	server string
	run    int
	p      *proc
	g      *loadgen.Gen
}

func (e *env) open(server string, run int, extra ...string) (*session, error) {
	p, err := startServer(e.bin, server, filepath.Join(e.outDir, "logs"), e.serverCPU, extra...)
	if err != nil {
		return nil, err
	}
	g, err := loadgen.New(p.hello)
	if err != nil {
		p.kill()
		return nil, err
	}
	return &session{e: e, server: server, run: run, p: p, g: g}, nil
}

// close kills the server first (so TIME_WAIT lands on the server's side of
// each connection, not on the client's ephemeral ports), then the clients.
func (s *session) close() {
	s.p.kill()
	s.g.Close()
}

func (s *session) gc() (ctl.Reply, error) {
	return s.g.Control().Call(ctl.Command{Op: ctl.OpGC}, 30*time.Second)
}

// profiled runs f under a CPU profile when this server and case were asked for.
func (s *session) profiled(scenario, cas string, f func() error) error {
	id := s.server + "/" + scenario + "/" + cas
	if s.e.profile == "" || !slices.ContainsFunc(strings.Split(s.e.profile, ","), func(p string) bool { return strings.HasPrefix(id, p) }) {
		return f()
	}
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, fmt.Sprintf("%s-%s-%s-run%d", s.server, scenario, cas, s.run))
	path, _ := filepath.Abs(filepath.Join(s.e.outDir, name+".pprof"))
	if _, err := s.g.Control().Call(ctl.Command{Op: ctl.OpProfStart, Path: path}, 10*time.Second); err != nil {
		return err
	}
	err := f()
	if _, err2 := s.g.Control().Call(ctl.Command{Op: ctl.OpProfStop}, 10*time.Second); err == nil {
		err = err2
	}
	s.e.logf("  profile written to %s", path)
	return err
}

func (s *session) result(scenario, cas string, m map[string]float64) {
	s.e.add(Result{Scenario: scenario, Case: cas, Server: s.server, Run: s.run, M: m})
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// runMain holds B0 (idle levels), B1 (latency) and B2 (saturation) in one
// server process, growing the connection count level by level.
func (e *env) runMain(server string, run int, b7 bool) error {
	e.curRun = run
	s, err := e.open(server, run)
	if err != nil {
		return err
	}
	defer s.close()
	pl := e.plan
	base, err := s.gc()
	if err != nil {
		return err
	}
	have := 0
	b0 := "B0"
	if b7 {
		b0 = "B7-B0"
	}
	levels := pl.B0Levels
	if b7 {
		levels = pl.B7Levels
	}
	for _, level := range levels {
		if time.Now().After(e.deadline) {
			return errDeadline
		}
		t0 := time.Now()
		if _, err := s.g.Connect(level-have, func(int) int { return 0 }, false, 60*time.Second); err != nil {
			return fmt.Errorf("B0 %d conns: %w", level, err)
		}
		e.logf("  connected %d in %v", level-have, time.Since(t0).Round(time.Millisecond))
		have = level
		if e.want["B0"] || b7 {
			if err := e.idle(s, b0, level, base); err != nil {
				return err
			}
		}
		if err := e.latencyAndSaturation(s, level, b7); err != nil {
			return err
		}
	}
	if e.b4Here(run, b7) {
		if time.Now().After(e.deadline) {
			return errDeadline
		}
		return e.b4(s)
	}
	return nil
}

// b4Here reports whether B4 runs at the end of this B0–B2 process (it
// reuses the 10k readers instead of connecting them again).
func (e *env) b4Here(run int, b7 bool) bool {
	pl := e.plan
	return e.want["B4"] && !b7 && run <= pl.ExtraRuns && pl.B0Levels[len(pl.B0Levels)-1] == pl.B4Subs
}

// idle records B0 at the current connection count: memory after a forced GC
// above the 0-connection baseline, and idle CPU.
func (e *env) idle(s *session, b0 string, level int, base ctl.Reply) error {
	time.Sleep(e.plan.Settle)
	m, err := s.gc()
	if err != nil {
		return err
	}
	c0, t0 := loadgen.CPUTime(s.p.pid), time.Now()
	time.Sleep(e.plan.Idle)
	idle := (loadgen.CPUTime(s.p.pid) - c0).Seconds() / time.Since(t0).Seconds()
	s.result(b0, k(level)+" conns", map[string]float64{
		"rss_kib_per_conn":    float64(m.RSS-base.RSS) / 1024 / float64(level),
		"heap_kib_per_conn":   float64(m.HeapInuse-base.HeapInuse) / 1024 / float64(level),
		"stack_kib_per_conn":  float64(m.StackInuse-base.StackInuse) / 1024 / float64(level),
		"goroutines_per_conn": float64(m.Goroutines-base.Goroutines) / float64(level),
		"rss_mib":             float64(m.RSS) / (1 << 20),
		"idle_cpu_pct":        100 * idle,
	})
	return nil
}

func (e *env) latencyAndSaturation(s *session, subs int, b7 bool) error {
	pl := e.plan
	b1, b2 := "B1", "B2"
	if b7 {
		b1, b2 = "B7-B1", "B7-B2"
	}
	for _, c := range pl.B1 {
		if c.Subs != subs || !e.want["B1"] && !b7 {
			continue
		}
		if time.Now().After(e.deadline) {
			return errDeadline
		}
		count := int64(math.Round(c.Rate * pl.B1Dur.Seconds()))
		warm := int64(math.Ceil(float64(count) * pl.B1Warm))
		cas := fmt.Sprintf("%s subs @ %g/s", k(subs), c.Rate)
		var r loadgen.OpenResult
		err := s.profiled(b1, cas, func() (err error) {
			r, err = s.g.OpenLoop(s.p.pid, s.g.Active(), 1, c.Rate, count, warm, pl.Drain)
			return err
		})
		if err != nil {
			return fmt.Errorf("%s %s: %w", b1, cas, err)
		}
		s.result(b1, cas, map[string]float64{
			"p50_ms": ms(r.P50), "p99_ms": ms(r.P99), "max_ms": ms(r.Max),
			"lost": float64(r.Lost), "samples": float64(r.Samples), "server_cpu_pct": 100 * r.ServerCPU,
			"loadgen_cpu_pct": 100 * r.LoadgenCPU, "publisher_lag_ms": ms(r.MaxLag), "other_cpu_pct": 100 * r.OtherCPU,
		})
	}
	for _, n := range pl.B2Subs {
		if n != subs || !e.want["B2"] && !b7 {
			continue
		}
		if time.Now().After(e.deadline) {
			return errDeadline
		}
		cas := k(subs) + " subs"
		var r loadgen.ClosedResult
		err := s.profiled(b2, cas, func() (err error) {
			last := subs == pl.B0Levels[len(pl.B0Levels)-1]
			r, err = s.g.ClosedLoop(s.p.pid, 1, pl.Window, pl.B2Warm, pl.B2Measure, !last || e.b4Here(e.curRun, b7))
			return err
		})
		if err != nil {
			return fmt.Errorf("%s %s: %w", b2, cas, err)
		}
		s.result(b2, cas, map[string]float64{
			"deliveries_per_s":    r.DeliveriesPerSec,
			"cpu_us_per_delivery": float64(r.CPUPerDelivery) / float64(time.Microsecond),
			"server_cpu_pct":      100 * r.ServerCPU,
			"loadgen_cpu_pct":     100 * r.LoadgenCPU,
			"other_cpu_pct":       100 * r.OtherCPU,
			"bytes_per_event":     bytesPerEvent(s.g),
		})
	}
	return nil
}

// bytesPerEvent is the average wire size of one delivered event, measured on
// the first connection that has received events (headers excluded).
func bytesPerEvent(g *loadgen.Gen) float64 {
	for _, c := range g.Active() {
		if n, b := c.Stats(); n > 10 {
			return float64(b) / float64(n)
		}
	}
	return math.NaN()
}

// runB3: many topics, few subscribers each.
func (e *env) runB3(server string, run int) error {
	pl := e.plan
	s, err := e.open(server, run)
	if err != nil {
		return err
	}
	defer s.close()
	if _, err := s.g.Control().Call(ctl.Command{Op: ctl.OpPrepare, Topics: pl.B3Topics}, 30*time.Second); err != nil {
		return err
	}
	n := pl.B3Topics * pl.B3Subs
	if _, err := s.g.Connect(n, func(i int) int { return i % pl.B3Topics }, false, 60*time.Second); err != nil {
		return fmt.Errorf("B3 connect: %w", err)
	}
	time.Sleep(pl.Settle)
	cas := fmt.Sprintf("%s topics × %d subs", k(pl.B3Topics), pl.B3Subs)
	count := int64(pl.B3Rate * pl.B3Dur.Seconds())
	r, err := s.g.OpenLoop(s.p.pid, s.g.Active(), pl.B3Topics, pl.B3Rate, count, count/5, pl.Drain)
	if err != nil {
		return fmt.Errorf("B3 open: %w", err)
	}
	var cr loadgen.ClosedResult
	err = s.profiled("B3", cas, func() (err error) {
		cr, err = s.g.ClosedLoop(s.p.pid, pl.B3Topics, pl.Window, pl.B2Warm, pl.B2Measure, false)
		return err
	})
	if err != nil {
		return fmt.Errorf("B3 closed: %w", err)
	}
	s.result("B3", cas, map[string]float64{
		"open_rate_pub_s": pl.B3Rate,
		"p50_ms":          ms(r.P50), "p99_ms": ms(r.P99), "lost": float64(r.Lost),
		"max_deliveries_per_s": cr.DeliveriesPerSec,
		"cpu_us_per_delivery":  float64(cr.CPUPerDelivery) / float64(time.Microsecond),
	})
	return nil
}

// runB4: 1 % of subscribers stop reading; the others' latency and the
// server's memory are watched.
func (e *env) runB4(server string, run int) error {
	pl := e.plan
	s, err := e.open(server, run)
	if err != nil {
		return err
	}
	defer s.close()
	if _, err := s.g.Connect(pl.B4Subs, func(int) int { return 0 }, false, 60*time.Second); err != nil {
		return fmt.Errorf("B4 connect: %w", err)
	}
	time.Sleep(pl.Settle)
	return e.b4(s)
}

// b4 runs B4 on a session that already holds the B4Subs readers on topic t0.
func (e *env) b4(s *session) error {
	pl := e.plan
	ref, err := s.g.OpenLoop(s.p.pid, s.g.Active(), 1, pl.B4Rate, int64(pl.B4Rate*pl.B4RefDur.Seconds()), int64(pl.B4Rate*pl.B4RefDur.Seconds()/5), pl.Drain)
	if err != nil {
		return fmt.Errorf("B4 reference: %w", err)
	}
	m0, err := s.gc()
	if err != nil {
		return err
	}
	slow, err := s.g.Connect(pl.B4Slow, func(int) int { return 0 }, true, 60*time.Second)
	if err != nil {
		return fmt.Errorf("B4 slow connect: %w", err)
	}
	cas := fmt.Sprintf("%s subs, %d stalled @ %g/s", k(pl.B4Subs), pl.B4Slow, pl.B4Rate)
	var r loadgen.OpenResult
	err = s.profiled("B4", cas, func() (err error) {
		r, err = s.g.OpenLoop(s.p.pid, s.g.Active(), 1, pl.B4Rate, int64(pl.B4Rate*pl.B4Dur.Seconds()), int64(pl.B4Rate*pl.B4Dur.Seconds()/5), pl.Drain)
		return err
	})
	if err != nil {
		return fmt.Errorf("B4 slow phase: %w", err)
	}
	m1, err := s.gc()
	if err != nil {
		return err
	}
	dropped := 0
	for _, c := range slow {
		if c.Ended() {
			dropped++
		}
	}
	s.result("B4", cas, map[string]float64{
		"ref_p99_ms": ms(ref.P99), "p50_ms": ms(r.P50), "p99_ms": ms(r.P99), "max_ms": ms(r.Max),
		"p99_vs_ref": ms(r.P99) / ms(ref.P99), "lost": float64(r.Lost),
		"rss_growth_mib": float64(m1.RSS-m0.RSS) / (1 << 20), "stalled_dropped": float64(dropped),
	})
	return nil
}

// runB5: connections come and go while events flow; goroutines and memory
// must come back to where they were.
func (e *env) runB5(server string, run int) error {
	pl := e.plan
	s, err := e.open(server, run)
	if err != nil {
		return err
	}
	defer s.close()
	stable, err := s.g.Connect(pl.B5Base, func(int) int { return 0 }, false, 60*time.Second)
	if err != nil {
		return fmt.Errorf("B5 connect: %w", err)
	}
	pool, err := s.g.Connect(pl.B5PerSec, func(int) int { return 0 }, false, 60*time.Second)
	if err != nil {
		return fmt.Errorf("B5 pool: %w", err)
	}
	time.Sleep(pl.Settle)
	m0, err := s.gc()
	if err != nil {
		return err
	}
	var churned int
	var churnErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		churned, churnErr = s.g.Churn(pool, pl.B5PerSec, pl.B5Dur, func(int) int { return 0 })
	}()
	count := int64(pl.B5Rate * pl.B5Dur.Seconds())
	r, err := s.g.OpenLoop(s.p.pid, stable, 1, pl.B5Rate, count, count/5, pl.Drain)
	<-done
	if err != nil {
		return fmt.Errorf("B5 publish: %w", err)
	}
	if churnErr != nil {
		fmt.Fprintln(os.Stderr, "B5 churn:", churnErr)
	}
	time.Sleep(pl.Settle + 500*time.Millisecond)
	m1, err := s.gc()
	if err != nil {
		return err
	}
	cas := fmt.Sprintf("%s conns + %d/s churn for %v", k(pl.B5Base), pl.B5PerSec, pl.B5Dur)
	s.result("B5", cas, map[string]float64{
		"reconnects": float64(churned), "goroutines_before": float64(m0.Goroutines), "goroutines_after": float64(m1.Goroutines),
		"goroutine_delta": float64(m1.Goroutines - m0.Goroutines),
		"rss_before_mib":  float64(m0.RSS) / (1 << 20), "rss_after_mib": float64(m1.RSS) / (1 << 20),
		"rss_delta_mib": float64(m1.RSS-m0.RSS) / (1 << 20),
		"stable_p99_ms": ms(r.P99), "lost": float64(r.Lost),
	})
	return nil
}
