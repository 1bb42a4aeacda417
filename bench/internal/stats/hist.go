// Package stats holds the latency histogram and the run summaries (median and
// spread) of the benchmark harness.
package stats

import (
	"math"
	"math/bits"
	"sort"
	"sync/atomic"
	"time"
)

// Values below linearMax microseconds get their own bucket; above it every
// power of two is split into subBuckets buckets (relative error < 1/64).
const (
	linearMax  = 128
	subBuckets = 64
	nBuckets   = linearMax + 40*subBuckets
)

// Hist is a log-linear latency histogram with microsecond resolution. Record
// is safe for concurrent use; read it only after recording has stopped.
type Hist struct {
	counts [nBuckets]atomic.Uint64
	n      atomic.Uint64
	sum    atomic.Uint64
	max    atomic.Uint64
}

func bucketOf(us uint64) int {
	if us < linearMax {
		return int(us)
	}
	e := bits.Len64(us) - 7 // us>>e is in [64, 128)
	i := linearMax + (e-1)*subBuckets + int(us>>uint(e)) - subBuckets
	if i >= nBuckets {
		return nBuckets - 1
	}
	return i
}

// bucketHigh is the largest value that falls into bucket i.
func bucketHigh(i int) uint64 {
	if i < linearMax {
		return uint64(i)
	}
	e := (i-linearMax)/subBuckets + 1
	m := uint64((i-linearMax)%subBuckets + subBuckets)
	return (m+1)<<uint(e) - 1
}

// Record adds one latency sample; negative durations count as zero.
func (h *Hist) Record(d time.Duration) {
	us := uint64(0)
	if d > 0 {
		us = uint64(d / time.Microsecond)
	}
	h.counts[bucketOf(us)].Add(1)
	h.n.Add(1)
	h.sum.Add(us)
	for {
		m := h.max.Load()
		if us <= m || h.max.CompareAndSwap(m, us) {
			break
		}
	}
}

// Count is the number of samples.
func (h *Hist) Count() uint64 { return h.n.Load() }

// Max is the largest sample.
func (h *Hist) Max() time.Duration { return time.Duration(h.max.Load()) * time.Microsecond }

// Mean is the average sample.
func (h *Hist) Mean() time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	return time.Duration(h.sum.Load()/n) * time.Microsecond
}

// Quantile returns the q-quantile (0 < q ≤ 1), reported as the upper edge of
// its bucket and never above Max.
func (h *Hist) Quantile(q float64) time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(n)))
	if rank < 1 {
		rank = 1
	}
	var cum uint64
	for i := range h.counts {
		cum += h.counts[i].Load()
		if cum >= rank {
			v := min(bucketHigh(i), h.max.Load())
			return time.Duration(v) * time.Microsecond
		}
	}
	return h.Max()
}

// Summary is the median and spread of one metric over several runs.
type Summary struct {
	Median, Min, Max float64
	N                int
}

// Summarize returns the median, minimum and maximum of xs, ignoring NaNs.
func Summarize(xs []float64) Summary {
	v := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return Summary{Median: math.NaN(), Min: math.NaN(), Max: math.NaN()}
	}
	sort.Float64s(v)
	med := v[len(v)/2]
	if len(v)%2 == 0 {
		med = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return Summary{Median: med, Min: v[0], Max: v[len(v)-1], N: len(v)}
}

// SpreadPct is (max-min)/median in percent: how far apart the runs are.
func (s Summary) SpreadPct() float64 {
	if s.Median == 0 || math.IsNaN(s.Median) {
		return math.NaN()
	}
	return 100 * (s.Max - s.Min) / math.Abs(s.Median)
}
