package otelsse

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/ssekit/ssekit/core"
)

// ScopeName is the instrumentation scope of the exporter's meter.
const ScopeName = "github.com/ssekit/ssekit/otelsse"

// Exporter reports one hub to OpenTelemetry: see the package
// documentation. It implements core.Observer.
type Exporter struct {
	meter  metric.Meter
	topics []string

	publishErrors metric.Int64Counter
	publish       metric.Float64Histogram
	fanout        metric.Float64Histogram
	queue         metric.Float64Histogram

	obs observables

	mu  sync.Mutex
	reg metric.Registration
}

// Option configures New.
type Option func(*Exporter) error

// Topics is the allow-list of topics whose subscriber counts are reported
// (ssekit.topic.connections with attribute ssekit.topic).
func Topics(names ...string) Option {
	return func(e *Exporter) error {
		for _, n := range names {
			if err := core.ValidateTopic(n); err != nil {
				return fmt.Errorf("otelsse: Topics: %w", err)
			}
		}
		e.topics = append(e.topics, names...)
		return nil
	}
}

// Buckets are the histograms' explicit bucket boundaries, in seconds,
// suited to SSE: from 100 µs (a fan-out in process) through a Redis round
// trip to seconds behind a slow client.
var Buckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// New returns an Exporter whose instruments come from mp. Give it to the
// hub with core.WithObserver and point it at the hub with Watch.
func New(mp metric.MeterProvider, opts ...Option) (*Exporter, error) {
	if mp == nil {
		return nil, errors.New("otelsse: New: nil MeterProvider")
	}
	e := &Exporter{meter: mp.Meter(ScopeName)}
	for _, o := range opts {
		if err := o(e); err != nil {
			return nil, err
		}
	}
	var err, errs error
	hist := func(name, desc string) metric.Float64Histogram {
		h, err := e.meter.Float64Histogram(name, metric.WithUnit("s"), metric.WithDescription(desc), metric.WithExplicitBucketBoundaries(Buckets...))
		errs = errors.Join(errs, err)
		return h
	}
	e.publish = hist("ssekit.publish.duration", "Time Hub.Publish waited for the broker to accept an event (with Redis: the round trip).")
	e.fanout = hist("ssekit.fanout.duration", "Time from the publish call to the event entering this instance's connection queues.")
	e.queue = hist("ssekit.queue.duration", "Time the oldest event of each flushed batch waited in its connection's queue.")
	e.publishErrors, err = e.meter.Int64Counter("ssekit.publish.errors", metric.WithUnit("{error}"), metric.WithDescription("Hub.Publish calls the broker refused."))
	errs = errors.Join(errs, err)
	errs = errors.Join(errs, e.obs.create(e.meter))
	if errs != nil {
		return nil, fmt.Errorf("otelsse: create instruments: %w", errs)
	}
	return e, nil
}

// Watch makes the exporter observe hub's counters at each collection. Call
// it once, with the hub that has the exporter as its observer.
func (e *Exporter) Watch(hub *core.Hub) error {
	if hub == nil {
		return errors.New("otelsse: Watch: nil hub")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.reg != nil {
		return errors.New("otelsse: Watch: the exporter already watches a hub")
	}
	reg, err := e.meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		e.obs.observe(o, hub, e.topics)
		return nil
	}, e.obs.instruments()...)
	if err != nil {
		return fmt.Errorf("otelsse: Watch: %w", err)
	}
	e.reg = reg
	return nil
}

// Close stops observing the hub's counters.
func (e *Exporter) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.reg == nil {
		return nil
	}
	err := e.reg.Unregister()
	e.reg = nil
	return err
}

// TraceID returns the trace id of the span in ctx, as 32 hex digits, or ""
// when ctx has no valid span context. Give it to core.WithTraceIDFrom.
func TraceID(ctx context.Context) string {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.HasTraceID() {
		return ""
	}
	return sc.TraceID().String()
}

// Published implements core.Observer: one histogram record, and one span
// event on the publisher's span when it is recording.
func (e *Exporter) Published(ctx context.Context, m *core.Message, took time.Duration, err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		attrs := []attribute.KeyValue{
			attribute.String("messaging.system", "ssekit"),
			attribute.String("messaging.destination.name", m.Topic),
			attribute.String("ssekit.event", m.Event),
		}
		if err != nil {
			attrs = append(attrs, attribute.String("error.type", fmt.Sprintf("%T", err)))
		} else {
			attrs = append(attrs, attribute.String("messaging.message.id", m.ID()))
		}
		span.AddEvent("ssekit.publish", trace.WithAttributes(attrs...))
	}
	if err != nil {
		e.publishErrors.Add(ctx, 1)
		return
	}
	e.publish.Record(ctx, took.Seconds())
}

// Enqueued implements core.Observer.
func (e *Exporter) Enqueued(_ *core.Message, since time.Duration) {
	e.fanout.Record(context.Background(), max(since, 0).Seconds())
}

// Flushed implements core.Observer.
func (e *Exporter) Flushed(_ int, queued time.Duration) {
	e.queue.Record(context.Background(), queued.Seconds())
}

var _ core.Observer = (*Exporter)(nil)
