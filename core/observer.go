package core

import (
	"context"
	"time"
)

// Observer receives a hub's timings, for a metrics exporter (the
// metrics/prom and metrics/otel modules implement it). The hub calls it
// only when one is set with WithObserver, and never per delivery: once per
// publish, once per message fanned out by this hub, and once per flushed
// batch of a stream. Methods must be fast, must not block and must not
// allocate; they are called from many goroutines at once.
type Observer interface {
	// Published is called once per Hub.Publish that reached the broker,
	// with the publish's ctx, the message (its id set when err is nil),
	// how long the broker took to accept it (on Redis, the round trip) and
	// the broker's error. ctx carries the publisher's span, if any.
	Published(ctx context.Context, m *Message, took time.Duration, err error)
	// Enqueued is called once per message this hub fans out to its
	// connections, with the time since the publish call (m.OccurredAt: on
	// another instance, a wall-clock difference across machines).
	Enqueued(m *Message, sincePublish time.Duration)
	// Flushed is called once per batch a stream writes and flushes, with
	// the number of events in it (heartbeats not counted) and how long the
	// oldest of them waited in the connection's queue.
	Flushed(events int, queued time.Duration)
}

// WithObserver sets the hub's Observer (default none: the hot path then
// takes no timestamps for it).
func WithObserver(o Observer) HubOption {
	return func(c *hubConfig) error {
		if o == nil {
			return invalid("WithObserver", "nil observer")
		}
		c.observer = o
		return nil
	}
}

// WithTraceIDFrom sets a function that derives meta.trace_id from the
// context given to Publish, for example the trace id of the caller's
// OpenTelemetry span (metrics/otel provides one). An explicit TraceID
// option wins; an empty result leaves the default (the event id).
func WithTraceIDFrom(fn func(context.Context) string) HubOption {
	return func(c *hubConfig) error {
		if fn == nil {
			return invalid("WithTraceIDFrom", "nil function")
		}
		c.traceIDFrom = fn
		return nil
	}
}

// sinceNs returns the nanoseconds from a UnixNano stamp to now (0 when the
// stamp is unset or the clock stepped back).
func sinceNs(now, stamp int64) time.Duration {
	if stamp == 0 || now < stamp {
		return 0
	}
	return time.Duration(now - stamp)
}
