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
	scen := flag.String("scenarios", "B0,B1,B2,B3,B4,B5,B6,B7", "scenarios to run (B0–B2 share a process)")
	runs := flag.Int("runs", 0, "override the plan's run count")
	budget := flag.Duration("budget", 0, "stop starting new work after this long (default: 3m30s short, 2h long)")
	serverCPU := flag.String("server-cpu", "0", "CPU list the servers are pinned to (taskset -c); empty: no pinning")
	profile := flag.String("profile", "", `capture a CPU profile of one case, as "server/scenario/case" (e.g. "ssekit/B2/10k subs")`)
	flag.Parse()

	plan := ShortPlan
	if *long {
		plan = LongPlan
	}
	if *runs > 0 {
		plan.Runs, plan.ExtraRuns = *runs, min(*runs, plan.ExtraRuns)
	}
	if *budget == 0 {
		*budget = 210 * time.Second
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
	want := map[string]bool{}
	for _, s := range strings.Split(*scen, ",") {
		want[strings.TrimSpace(s)] = true
	}
	start := time.Now()
	var skipped []string
	// Every scenario gets its first run before any is repeated, so that a
	// run cut short by the time budget still covers everything once.
	mainRun := func(run int) {
		for _, name := range names {
			if name == "ssekit-redis" {
				continue // B6 only
			}
			isAdapter := strings.HasPrefix(name, "ssekit-")
			if isAdapter && (!want["B7"] || run > plan.ExtraRuns && plan.Name == "short") {
				continue
			}
			if !isAdapter && !(want["B0"] || want["B1"] || want["B2"]) {
				continue
			}
			if time.Now().After(e.deadline) {
				skipped = append(skipped, fmt.Sprintf("run %d %s B0–B2: %v", run, name, errDeadline))
				continue
			}
			e.logf("== run %d/%d %s (B0–B2%s) t=%v", run, plan.Runs, name, map[bool]string{true: " as B7"}[isAdapter], time.Since(start).Round(time.Second))
			if err := e.runMain(name, run, isAdapter); err != nil {
				note := fmt.Sprintf("run %d %s B0–B2: %v", run, name, err)
				e.logf("!! %s", note)
				skipped = append(skipped, note)
			}
		}
	}
	extraRun := func(run int) {
		for _, name := range names {
			if name == "ssekit-redis" && want["B6"] {
				if time.Now().After(e.deadline) {
					skipped = append(skipped, fmt.Sprintf("run %d %s B6: %v", run, name, errDeadline))
					continue
				}
				e.logf("== run %d/%d %s B6 t=%v", run, plan.ExtraRuns, name, time.Since(start).Round(time.Second))
				if err := e.runB6(name, run); err != nil {
					note := fmt.Sprintf("run %d %s B6: %v", run, name, err)
					e.logf("!! %s", note)
					skipped = append(skipped, note)
				}
				continue
			}
			if strings.HasPrefix(name, "ssekit-") {
				continue
			}
			for _, sc := range []struct {
				id string
				f  func(string, int) error
			}{{"B3", e.runB3}, {"B4", e.runB4}, {"B5", e.runB5}} {
				if !want[sc.id] {
					continue
				}
				if time.Now().After(e.deadline) {
					skipped = append(skipped, fmt.Sprintf("run %d %s %s: %v", run, name, sc.id, errDeadline))
					continue
				}
				e.logf("== run %d/%d %s %s t=%v", run, plan.ExtraRuns, name, sc.id, time.Since(start).Round(time.Second))
				if err := sc.f(name, run); err != nil {
					note := fmt.Sprintf("run %d %s %s: %v", run, name, sc.id, err)
					e.logf("!! %s", note)
					skipped = append(skipped, note)
				}
			}
		}
	}
	for run := 1; run <= max(plan.Runs, plan.ExtraRuns); run++ {
		if run <= plan.Runs {
			mainRun(run)
		}
		if run <= plan.ExtraRuns {
			extraRun(run)
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
