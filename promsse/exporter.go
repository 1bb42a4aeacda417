package promsse

import (
	"fmt"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/ssekit/ssekit/core"
)

// Exporter exports one hub's figures: see the package documentation. It
// implements core.Observer and prometheus.Collector.
type Exporter struct {
	hub    atomic.Pointer[core.Hub]
	topics []string
	descs  descs

	publishErrors prometheus.Counter
	publish       *histogram
	fanout        *histogram
	queueWait     *histogram
}

// Option configures New.
type Option func(*Exporter) error

// Topics is the allow-list of topics whose subscriber counts are exported
// as ssekit_topic_connections{topic}. Only listed topics become label
// values (a listed topic without subscribers reports 0), so a user who
// subscribes to random topic names cannot blow up the series count.
func Topics(names ...string) Option {
	return func(e *Exporter) error {
		for _, n := range names {
			if err := core.ValidateTopic(n); err != nil {
				return fmt.Errorf("promsse: Topics: %w", err)
			}
		}
		e.topics = append(e.topics, names...)
		return nil
	}
}

// Buckets are the histograms' upper bounds, in seconds: from 100 µs (a
// fan-out in process) through the milliseconds of a Redis round trip to
// the seconds of a stream stuck behind a slow client.
var Buckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// New returns an Exporter. Give it to the hub with core.WithObserver,
// point it at the hub with Watch, and register it with a
// prometheus.Registerer.
func New(opts ...Option) (*Exporter, error) {
	e := &Exporter{descs: newDescs()}
	for _, o := range opts {
		if err := o(e); err != nil {
			return nil, err
		}
	}
	e.publishErrors = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "ssekit_publish_errors_total",
		Help: "Hub.Publish calls the broker refused (with Redis: Redis unreachable or too slow).",
	})
	e.publish = newHistogram("ssekit_publish_duration_seconds",
		"Time Hub.Publish waited for the broker to accept an event: with Redis, the round trip to Redis.", Buckets)
	e.fanout = newHistogram("ssekit_fanout_latency_seconds",
		"Time from the publish call to the event entering this instance's connection queues (across Redis: wall clocks of two machines).", Buckets)
	e.queueWait = newHistogram("ssekit_queue_wait_seconds",
		"Time the oldest event of each flushed batch waited in its connection's queue.", Buckets)
	return e, nil
}

// Watch makes the exporter read hub's counters at each scrape. Call it
// once, with the hub that was given the exporter as its observer; until
// then only the histograms are exported.
func (e *Exporter) Watch(hub *core.Hub) error {
	if hub == nil {
		return fmt.Errorf("promsse: Watch: nil hub")
	}
	if !e.hub.CompareAndSwap(nil, hub) {
		return fmt.Errorf("promsse: Watch: the exporter already watches a hub")
	}
	return nil
}

var (
	_ core.Observer        = (*Exporter)(nil)
	_ prometheus.Collector = (*Exporter)(nil)
)
