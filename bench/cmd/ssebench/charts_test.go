package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestDrawChartsWritesEverySVG draws the charts from a small set of results
// shaped like a real run's and checks that each file is a non-trivial SVG
// naming the servers.
func TestDrawChartsWritesEverySVG(t *testing.T) {
	var rs []Result
	for run := 1; run <= 3; run++ {
		f := float64(run)
		for _, srv := range []string{"ssekit", "r3labs", "raw-coalesce"} {
			rs = append(rs,
				Result{"B8", "1k subs, 16 in flight", srv, run, map[string]float64{"deliveries_per_s": 1e5 + 1e4*f}, ""},
				Result{"B8", "10k subs, 16 in flight", srv, run, map[string]float64{"deliveries_per_s": 3e5 + 1e4*f}, ""},
				Result{"B2", "1k subs", srv, run, map[string]float64{"deliveries_per_s": 9e5 + f}, ""},
				Result{"B0", "10k conns", srv, run, map[string]float64{"rss_kib_per_conn": 27 + f/10}, ""},
				Result{"B1", "1k subs @ 40/s", srv, run, map[string]float64{"p50_ms": 8 + f, "p99_ms": 20 + f}, ""},
			)
		}
		rs = append(rs, Result{"B7-B0", "1k conns", "ssekit-echo", run, map[string]float64{"rss_kib_per_conn": 28}, ""})
	}
	dir := t.TempDir()
	if d := os.Getenv("SSEBENCH_CHART_DIR"); d != "" {
		dir = d // keep the charts to look at
	}
	files, err := drawCharts(dir, []string{"ssekit", "ssekit-echo", "r3labs", "raw-coalesce"}, rs)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{chartSaturation, chartB2, chartIdle, chartLatency}
	if len(files) != len(want) {
		t.Fatalf("wrote %v, want %v", files, want)
	}
	for _, name := range want {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("raw-coalesce")) || len(b) < 2000 {
			t.Errorf("%s: not a chart of the results (%d bytes)", name, len(b))
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, chartIdle)); !bytes.Contains(b, []byte("ssekit-echo")) {
		t.Errorf("%s lacks the adapter's idle row", chartIdle)
	}
}
