package main

import (
	"strings"
	"testing"
)

// TestB6GoalsVerdictOnMedians builds B1 and B6 results of three runs and
// checks the B6 goal rows: the verdict is taken on the medians against B1's
// ssekit p99 + 5 ms, a miss inside the spread is said so, and fewer than 3
// runs is flagged.
func TestB6GoalsVerdictOnMedians(t *testing.T) {
	var rs []Result
	for run, b1 := range []float64{12, 14, 30} { // median 14: the bar is 19 ms
		rs = append(rs, Result{"B1", "1k subs @ 40/s", "ssekit", run + 1, map[string]float64{"p99_ms": b1}, ""})
	}
	b6 := map[string][]float64{
		"2 × 500 subs @ 40/s": {18, 16, 90}, // median 18: met despite one outlier
		"2 × 1k subs @ 40/s":  {60, 40, 80}, // median 60: missed, min 40 is above B1 max 30 + 5
	}
	for cas, ps := range b6 {
		for run, p := range ps {
			rs = append(rs, Result{"B6", cas, "ssekit-redis", run + 1, map[string]float64{
				"cross_p99_ms": p, "local_p99_ms": 20, "server_core_pct": 44, "other_cpu_pct": 3}, ""})
		}
	}
	rs = append(rs, Result{"B6", "2 × 2k subs @ 40/s", "ssekit-redis", 1, map[string]float64{"cross_p99_ms": 10, "local_p99_ms": 10}, ""})
	rows := map[string][3]string{}
	for _, r := range b6Goals(collect(rs)) {
		cas, _, _ := strings.Cut(strings.TrimPrefix(r[0], "B6 @ "), " (")
		rows[cas] = r
	}
	if len(rows) != 3 {
		t.Fatalf("want 3 goal rows, got %d: %v", len(rows), rows)
	}
	if r := rows["2 × 500 subs @ 40/s"]; r[2] != "**met**" || !strings.Contains(r[1], "cross p99 18.00 ms (median of 3 runs, 16.00–90.00) vs B1 p99 14.00 ms") ||
		!strings.Contains(r[0], "1k streams in all") || !strings.Contains(r[1], "server core 44 %") {
		t.Errorf("2 × 500 row: %q", r)
	}
	if r := rows["2 × 1k subs @ 40/s"]; r[2] != "**missed**" || !strings.Contains(r[0], "1k streams on each instance") {
		t.Errorf("2 × 1k row: %q", r)
	}
	if r := rows["2 × 2k subs @ 40/s"]; !strings.HasPrefix(r[2], "**met** (only 1 run") || strings.Contains(r[1], "server core") {
		t.Errorf("single-run row: %q", r)
	}
}

// TestB6GoalsMissInsideSpread checks that a miss whose best run meets the
// bar is reported as inside the run-to-run spread.
func TestB6GoalsMissInsideSpread(t *testing.T) {
	var rs []Result
	for run := 1; run <= 3; run++ {
		rs = append(rs, Result{"B1", "1k subs @ 40/s", "ssekit", run, map[string]float64{"p99_ms": 10}, ""},
			Result{"B6", "2 × 1k subs @ 40/s", "ssekit-redis", run, map[string]float64{"cross_p99_ms": []float64{12, 20, 22}[run-1]}, ""})
	}
	g := b6Goals(collect(rs))
	if len(g) != 1 || !strings.HasPrefix(g[0][2], "**missed** by 5.0 ms, inside the run-to-run spread") {
		t.Fatalf("got %q", g)
	}
}
