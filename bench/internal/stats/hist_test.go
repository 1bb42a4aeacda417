package stats_test

import (
	"math"
	"testing"
	"time"

	"github.com/ssekit/ssekit/bench/internal/stats"
	"github.com/ssekit/ssekit/ssetest"
)

func TestMain(m *testing.M) { ssetest.LeakCheck(m) }

func TestQuantilesOfAUniformSpreadAreWithinBucketError(t *testing.T) {
	var h stats.Hist
	for i := 1; i <= 100000; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		want := q * 100000
		got := float64(h.Quantile(q) / time.Microsecond)
		if math.Abs(got-want)/want > 1.0/64+1e-9 {
			t.Errorf("q%.3f = %.0f µs, want %.0f ±1.6%%", q, got, want)
		}
	}
	if h.Max() != 100000*time.Microsecond || h.Count() != 100000 {
		t.Fatalf("max %v count %d", h.Max(), h.Count())
	}
	if m := h.Mean(); m < 49*time.Millisecond || m > 51*time.Millisecond {
		t.Fatalf("mean %v", m)
	}
}

func TestSmallValuesAreExactAndQuantileNeverExceedsMax(t *testing.T) {
	var h stats.Hist
	for _, us := range []int{3, 7, 7, 90} {
		h.Record(time.Duration(us) * time.Microsecond)
	}
	h.Record(-time.Second)
	if got := h.Quantile(0.5); got != 7*time.Microsecond {
		t.Fatalf("p50 = %v", got)
	}
	if got := h.Quantile(1); got != 90*time.Microsecond {
		t.Fatalf("p100 = %v", got)
	}
	var big stats.Hist
	big.Record(1234567 * time.Microsecond)
	if got := big.Quantile(0.99); got != big.Max() {
		t.Fatalf("p99 %v above max %v", got, big.Max())
	}
	var empty stats.Hist
	if empty.Quantile(0.99) != 0 || empty.Mean() != 0 {
		t.Fatal("empty histogram should report zero")
	}
}

func TestSummarizeGivesMedianAndSpread(t *testing.T) {
	s := stats.Summarize([]float64{3, 1, 2, math.NaN()})
	if s.Median != 2 || s.Min != 1 || s.Max != 3 || s.N != 3 {
		t.Fatalf("%+v", s)
	}
	if s.SpreadPct() != 100 {
		t.Fatalf("spread %v", s.SpreadPct())
	}
	if e := stats.Summarize([]float64{4, 2}); e.Median != 3 {
		t.Fatalf("even median %v", e.Median)
	}
	if !math.IsNaN(stats.Summarize(nil).Median) {
		t.Fatal("empty summary should be NaN")
	}
}
