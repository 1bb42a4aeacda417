// Command ssebench is the benchmark runner and load generator: it starts each
// server under test in its own process (pinned to one core), drives it from
// this process (pinned to the other core by scripts/bench.sh), and writes
// bench/RESULTS.md.
//
//	ssebench -server-bin bench/out/bin/benchserver            # short run
//	ssebench -long -server-bin bench/out/bin/benchserver      # full run
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ssekit/ssekit/bench/internal/servers"
)

var errDeadline = errors.New("time budget exhausted")

// preferred orders the report: ssekit and its adapters, peers, baselines.
var preferred = []string{"ssekit", "go-sse", "r3labs", "raw-flush", "raw-coalesce"}

func main() {
	long := flag.Bool("long", false, "run the long plan (all levels and rates, more runs)")
	bin := flag.String("server-bin", "bench/out/bin/benchserver", "benchserver binary")
	out := flag.String("out", "bench/RESULTS.md", "markdown report to write (empty: none)")
	outDir := flag.String("out-dir", "bench/out", "directory for logs, profiles and the JSON results")
	only := flag.String("servers", "", "comma-separated servers to run (default: all registered)")
	scen := flag.String("scenarios", "B0,B1,B2,B3,B4,B5,B6,B7,B8", "scenarios to run (B0–B2 share a process)")
	runs := flag.Int("runs", 0, "override the plan's run count")
	budget := flag.Duration("budget", 0, "stop starting new work after this long (default: 11m short, 2h long)")
	serverCPU := flag.String("server-cpu", "0", "CPU list the servers are pinned to (taskset -c); empty: no pinning")
	profile := flag.String("profile", "", `capture a CPU profile of the cases matching a prefix "server/scenario/case" (e.g. "ssekit/B2/10k subs"; comma-separated for several)`)
	b1Dur := flag.Duration("b1-dur", 0, "override the length of each B1 phase (e.g. for a profile)")
	b6Dur := flag.Duration("b6-dur", 0, "override the length of the B6 open-loop phase")
	b7Levels := flag.String("b7-levels", "", "override the connection levels of the adapter runs (B7), comma-separated (e.g. 1000,10000)")
	closedDur := flag.Duration("closed-dur", 0, "override the measured window of the closed-loop phases (B2, B3, B6, B8; e.g. for a profile)")
	chartsDir := flag.String("charts-dir", "", "directory for the SVG charts (default: the directory of -out; \"-\": none)")
	redraw := flag.String("redraw", "", "only draw the charts (and the report, with -out) from results JSON written earlier (comma-separated files are merged), then exit")
	soak := flag.Bool("soak", false, "run the soak instead of the plan: 15k streams, churn 50/s, 20 events/s, 1 % stalled; writes -soak-out")
	soakDur := flag.Duration("soak-dur", defaultSoak.Dur, "length of the soak")
	soakStreams := flag.Int("soak-streams", defaultSoak.Streams, "streams held by the soak")
	soakOut := flag.String("soak-out", "bench/SOAK.md", "report of the soak")
	flag.Parse()
	if *chartsDir == "" && *out != "" && *out != os.DevNull {
		*chartsDir = filepath.Dir(*out)
	}
	if *redraw != "" {
		os.Exit(redrawFrom(*redraw, *out, *chartsDir, *only))
	}

	plan := ShortPlan
	if *long {
		plan = LongPlan
	}
	if *runs > 0 {
		plan.Runs, plan.ExtraRuns, plan.B3Runs, plan.B6Runs = *runs, min(*runs, plan.ExtraRuns), *runs, *runs
	}
	if *b1Dur > 0 {
		plan.B1Dur = *b1Dur
	}
	if *b7Levels != "" {
		levels, err := parseLevels(*b7Levels)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ssebench: -b7-levels:", err)
			os.Exit(2)
		}
		plan.B7Levels = levels
	}
	if *b6Dur > 0 {
		plan.B6Dur = *b6Dur
	}
	if *closedDur > 0 {
		plan.B2Measure, plan.B8Measure = *closedDur, *closedDur
	}
	if *budget == 0 {
		// The short plan's 3 runs (B0–B2, B3, B6, B7 and B8 on every
		// mount) took about 8.5 minutes here; the margin is for a slower
		// machine.
		*budget = 11 * time.Minute
		if *long {
			*budget = 2 * time.Hour
		}
	}
	e := &env{plan: plan, bin: *bin, outDir: *outDir, serverCPU: *serverCPU, profile: *profile,
		deadline: time.Now().Add(*budget),
		logf:     func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		killAll()
		os.Exit(130)
	}()
	defer killAll()

	names := orderServers(*only)
	if *soak {
		cfg := defaultSoak
		cfg.Dur, cfg.Streams = *soakDur, *soakStreams
		server := "ssekit"
		if *only != "" {
			server = names[0]
		}
		if err := e.runSoak(server, cfg, *soakOut); err != nil {
			e.logf("!! soak: %v", err)
			killAll()
			os.Exit(1)
		}
		return
	}
	want := map[string]bool{}
	for _, s := range strings.Split(*scen, ",") {
		want[strings.TrimSpace(s)] = true
	}
	e.want = want
	start := time.Now()
	var skipped []string
	// Every scenario gets its first run before any is repeated, so that a
	// run cut short by the time budget still covers everything once: run 1
	// of B0–B2 (+B4) for ssekit, peers and baselines, then B3, B5, B6, then
	// B7 (the adapters), then the repeats.
	try := func(label string, run int, f func() error) {
		if time.Now().After(e.deadline) {
			skipped = append(skipped, fmt.Sprintf("run %d %s: %v", run, label, errDeadline))
			return
		}
		e.logf("== run %d %s t=%v", run, label, time.Since(start).Round(time.Second))
		if err := f(); err != nil {
			note := fmt.Sprintf("run %d %s: %v", run, label, err)
			e.logf("!! %s", note)
			skipped = append(skipped, note)
		}
	}
	// The naive baseline goes last: when the budget runs out, its cells are
	// the ones to lose.
	var core []string
	for _, n := range names {
		if (!strings.HasPrefix(n, "ssekit-") || n == "ssekit-detached") && n != "raw-flush" {
			core = append(core, n)
		}
	}
	if slices.Contains(names, "raw-flush") {
		core = append(core, "raw-flush")
	}
	mainRuns := func(run int) {
		if !(want["B0"] || want["B1"] || want["B2"] || want["B4"]) {
			return
		}
		for _, name := range core {
			try(name+" B0–B2", run, func() error { return e.runMain(name, run, false) })
		}
	}
	extras := func(run int) {
		for _, sc := range []struct {
			id string
			f  func(string, int) error
		}{{"B4", e.runB4}, {"B3", e.runB3}, {"B5", e.runB5}} {
			if !want[sc.id] || sc.id == "B4" && e.b4Here(run, false) || run > plan.ExtraRuns && sc.id != "B3" || run > plan.B3Runs && sc.id == "B3" {
				continue
			}
			names := core
			if sc.id == "B3" && run > plan.ExtraRuns {
				// Repeats for the B3 verdict: ssekit and the baseline only.
				names = slices.DeleteFunc(slices.Clone(core), func(n string) bool { return n != "ssekit" && n != "raw-coalesce" })
			}
			for _, name := range names {
				try(name+" "+sc.id, run, func() error { return sc.f(name, run) })
			}
		}
		// B6 repeats, like B3's, for its verdict.
		if want["B6"] && run <= plan.B6Runs && slices.Contains(names, "ssekit-redis") {
			try("ssekit-redis B6", run, func() error { return e.runB6("ssekit-redis", run) })
		}
	}
	adapters := func(run int) {
		for _, name := range names {
			if want["B7"] && strings.HasPrefix(name, "ssekit-") && name != "ssekit-redis" && name != "ssekit-detached" {
				try(name+" B7", run, func() error { return e.runMain(name, run, true) })
			}
		}
	}
	httpPublish := func(run int) {
		if !want["B8"] {
			return
		}
		for _, name := range b8Servers(names) {
			try(name+" B8", run, func() error { return e.runB8(name, run) })
		}
	}
	for run := 1; run <= max(plan.Runs, plan.ExtraRuns, plan.B3Runs, plan.B6Runs); run++ {
		if run <= plan.Runs {
			mainRuns(run)
		}
		if run <= max(plan.ExtraRuns, plan.B3Runs, plan.B6Runs) {
			extras(run)
		}
		if run <= plan.Runs { // B7 carries the B1 verdict for every mount: 3 runs
			adapters(run)
		}
		if run <= plan.Runs {
			httpPublish(run)
		}
	}
	elapsed := time.Since(start)
	os.MkdirAll(*outDir, 0o755)
	js, _ := json.MarshalIndent(struct {
		Plan    Plan     `json:"plan"`
		Results []Result `json:"results"`
		Skipped []string `json:"skipped"`
	}{plan, e.results, skipped}, "", " ")
	jsonPath := filepath.Join(*outDir, "results-"+plan.Name+".json")
	if err := os.WriteFile(jsonPath, js, 0o644); err != nil {
		e.logf("write %s: %v", jsonPath, err)
	}
	if *out != "" {
		md := report(plan, names, e.results, skipped, elapsed)
		if err := os.WriteFile(*out, []byte(md), 0o644); err != nil {
			e.logf("write %s: %v", *out, err)
			killAll()
			os.Exit(1)
		}
		e.logf("wrote %s and %s in %v", *out, jsonPath, elapsed.Round(time.Second))
	}
	if *chartsDir != "" && *chartsDir != "-" {
		files, err := drawCharts(*chartsDir, names, e.results)
		if err != nil {
			e.logf("charts: %v", err)
		}
		e.logf("charts: %v", files)
	}
}

func orderServers(only string) []string {
	all := servers.Names()
	if only != "" {
		var sel []string
		for _, s := range strings.Split(only, ",") {
			if s = strings.TrimSpace(s); slices.Contains(all, s) {
				sel = append(sel, s)
			} else {
				fmt.Fprintf(os.Stderr, "ssebench: unknown server %q (have %v)\n", s, all)
				os.Exit(2)
			}
		}
		all = sel
	}
	rank := func(n string) int {
		if i := slices.Index(preferred, n); i >= 0 {
			return i
		}
		if strings.HasPrefix(n, "ssekit-") {
			return len(preferred)
		}
		return len(preferred) + 1
	}
	slices.SortStableFunc(all, func(a, b string) int { return rank(a) - rank(b) })
	return all
}

// parseLevels reads a comma-separated list of positive connection counts.
func parseLevels(s string) ([]int, error) {
	var levels []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive connection count", f)
		}
		levels = append(levels, n)
	}
	return levels, nil
}
