package promsse

import (
	"context"
	"time"

	"github.com/ssekit/ssekit/core"
)

// The core.Observer methods: each is a histogram observation (two atomic
// adds), without allocation.

// Published implements core.Observer.
func (e *Exporter) Published(_ context.Context, _ *core.Message, took time.Duration, err error) {
	if err != nil {
		e.publishErrors.Inc()
		return
	}
	e.publish.observe(took)
}

// Enqueued implements core.Observer.
func (e *Exporter) Enqueued(_ *core.Message, since time.Duration) {
	e.fanout.observe(since)
}

// Flushed implements core.Observer.
func (e *Exporter) Flushed(_ int, queued time.Duration) {
	e.queueWait.observe(queued)
}
