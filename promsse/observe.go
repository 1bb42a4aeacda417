package promsse

import (
	"context"
	"time"

	"github.com/ssekit/ssekit/core"
)

// The core.Observer methods: each is a histogram observation (a few atomic
// adds), without allocation.

// Published implements core.Observer.
func (e *Exporter) Published(_ context.Context, _ *core.Message, took time.Duration, err error) {
	if err != nil {
		e.publishErrors.Inc()
		return
	}
	e.publish.Observe(took.Seconds())
}

// Enqueued implements core.Observer.
func (e *Exporter) Enqueued(_ *core.Message, since time.Duration) {
	e.fanout.Observe(max(since, 0).Seconds())
}

// Flushed implements core.Observer.
func (e *Exporter) Flushed(_ int, queued time.Duration) {
	e.queueWait.Observe(queued.Seconds())
}
