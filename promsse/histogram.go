package promsse

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// histogram is a fixed-bucket histogram made for the hub's hot path, where
// every stream writer observes once per flushed batch: an observation is
// two atomic adds (its bucket and the sum, in integer nanoseconds) in one
// of a few cache-line-padded shards, picked from the low bits of the
// observed value itself, so concurrent writers rarely touch the same line
// and never spin on a compare-and-swap of a float sum. It is exported
// through client_golang as a const histogram at each scrape.
// (prometheus.Histogram made core's 1,000-subscriber publish benchmark
// several times slower.)
type histogram struct {
	desc   *prometheus.Desc
	bounds []int64 // upper bounds in ns, ascending
	shards [numShards]shard
}

const (
	numShards  = 8
	maxBuckets = 23 // with the +Inf bucket and the sum: 24 words, 3 cache lines
)

type shard struct {
	counts [maxBuckets + 1]atomic.Uint64 // per bucket, not cumulative; [len(bounds)] is +Inf
	sumNs  atomic.Int64
	_      [7]int64 // pads the shard to 3 cache lines
}

func newHistogram(name, help string, buckets []float64) *histogram {
	if len(buckets) > maxBuckets {
		panic("promsse: too many histogram buckets")
	}
	h := &histogram{desc: prometheus.NewDesc(name, help, nil, nil), bounds: make([]int64, len(buckets))}
	for i, b := range buckets {
		h.bounds[i] = int64(b * float64(time.Second))
	}
	return h
}

func (h *histogram) observe(d time.Duration) {
	ns := max(int64(d), 0)
	i := 0
	for i < len(h.bounds) && ns > h.bounds[i] {
		i++
	}
	s := &h.shards[(ns^ns>>10)&(numShards-1)]
	s.counts[i].Add(1)
	s.sumNs.Add(ns)
}

// metric snapshots the histogram; count and buckets come from the same
// reads, so they always agree.
func (h *histogram) metric() prometheus.Metric {
	per := make([]uint64, len(h.bounds)+1)
	var sum int64
	for s := range h.shards {
		for i := range per {
			per[i] += h.shards[s].counts[i].Load()
		}
		sum += h.shards[s].sumNs.Load()
	}
	buckets := make(map[float64]uint64, len(h.bounds))
	var cum uint64
	for i, b := range h.bounds {
		cum += per[i]
		buckets[float64(b)/float64(time.Second)] = cum
	}
	cum += per[len(h.bounds)]
	return prometheus.MustNewConstHistogram(h.desc, cum, float64(sum)/float64(time.Second), buckets)
}
