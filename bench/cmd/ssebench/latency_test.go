package main

import (
	"strings"
	"testing"
)

// TestB1Goals builds B1 and B7-B1 results and checks the latency goal rows:
// every mount's p99 at 1k against raw-flush's (core's mounts from B1, the
// adapters' from B7-B1), and each detached mount at 10k against its
// goroutine path.
func TestB1Goals(t *testing.T) {
	var rs []Result
	add := func(scen, cas, srv string, p99s ...float64) {
		for i, p := range p99s {
			rs = append(rs, Result{scen, cas, srv, i + 1, map[string]float64{"p99_ms": p, "max_ms": p + 1}, ""})
		}
	}
	add("B1", "1k subs @ 40/s", "raw-flush", 10, 12, 14)
	add("B1", "1k subs @ 40/s", "ssekit", 11, 11, 11)          // met
	add("B1", "1k subs @ 40/s", "ssekit-detached", 13, 15, 16) // missed, inside the spread
	add("B7-B1", "1k subs @ 40/s", "ssekit-gin", 20, 21, 22)   // missed outright
	add("B1", "10k subs @ 10/s", "ssekit", 130, 135, 140)
	add("B1", "10k subs @ 10/s", "ssekit-detached", 120, 125, 150) // met on the median
	add("B7-B1", "1k subs @ 40/s", "ssekit-echo", 9)               // one run
	rows := map[string][3]string{}
	for _, r := range b1Goals(collect(rs)) {
		rows[r[0]] = r
	}
	check := func(name, verdictPrefix string) {
		t.Helper()
		r, ok := rows[name]
		if !ok {
			t.Fatalf("no row %q in %v", name, rows)
		}
		if !strings.HasPrefix(r[2], verdictPrefix) {
			t.Errorf("%s: verdict %q, want %q…", name, r[2], verdictPrefix)
		}
	}
	check("B1 @ 1k subs @ 40/s: ssekit p99 no worse than the naive hub's", "**met**")
	check("B1 @ 1k subs @ 40/s: ssekit-detached p99 no worse than the naive hub's", "**missed** by 25 %, inside the run-to-run spread")
	check("B1 @ 1k subs @ 40/s: ssekit-gin p99 no worse than the naive hub's", "**missed**")
	check("B1 @ 1k subs @ 40/s: ssekit-echo p99 no worse than the naive hub's", "**met** (only 1 run")
	check("B1 @ 10k subs @ 10/s: ssekit-detached reaches its subscribers sooner than ssekit", "**met**")
	if r := rows["B1 @ 1k subs @ 40/s: ssekit-gin p99 no worse than the naive hub's"]; strings.Contains(r[2], "inside") {
		t.Errorf("an outright miss reads %q", r[2])
	}
	if len(rows) != 5 {
		t.Errorf("want 5 rows, got %d: %v", len(rows), rows)
	}
}
