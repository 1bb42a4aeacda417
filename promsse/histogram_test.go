package promsse

import (
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
)

func TestHistogramBucketsCountAndSum(t *testing.T) {
	h := newHistogram("x_seconds", "x", []float64{.001, .01, .1})
	for _, d := range []time.Duration{0, 500 * time.Microsecond, time.Millisecond, 2 * time.Millisecond, 50 * time.Millisecond, time.Second, -time.Second} {
		h.observe(d)
	}
	var m dto.Metric
	if err := h.metric().Write(&m); err != nil {
		t.Fatal(err)
	}
	hg := m.GetHistogram()
	if hg.GetSampleCount() != 7 {
		t.Fatalf("count %d", hg.GetSampleCount())
	}
	// <=1ms: 0, 0.5ms, 1ms, and the negative one clamped to 0; <=10ms: +2ms; <=100ms: +50ms.
	want := []uint64{4, 5, 6}
	for i, b := range hg.GetBucket() {
		if b.GetCumulativeCount() != want[i] {
			t.Errorf("bucket %v: %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), want[i])
		}
	}
	if s := hg.GetSampleSum(); s < 1.0535 || s > 1.0536 {
		t.Errorf("sum %v, want 1.0535", s)
	}
}
