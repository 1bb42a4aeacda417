package core_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
)

// recorder is an Observer that keeps what it is told.
type recorder struct {
	mu        sync.Mutex
	published []string // event ids
	ctxs      []context.Context
	errs      int
	enqueued  int
	batches   int
	events    int
	maxQueued time.Duration
}

func (r *recorder) Published(ctx context.Context, m *core.Message, took time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.errs++
		return
	}
	r.published = append(r.published, m.ID())
	r.ctxs = append(r.ctxs, ctx)
}

func (r *recorder) Enqueued(m *core.Message, since time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.enqueued++
}

func (r *recorder) Flushed(events int, queued time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches++
	r.events += events
	r.maxQueued = max(r.maxQueued, queued)
}

func (r *recorder) snapshot() recorder {
	r.mu.Lock()
	defer r.mu.Unlock()
	return recorder{published: append([]string(nil), r.published...), errs: r.errs, enqueued: r.enqueued, batches: r.batches, events: r.events, maxQueued: r.maxQueued}
}

func TestObserverSeesPublishesFanOutAndFlushes(t *testing.T) {
	rec := &recorder{}
	hub := newHub(t, core.WithObserver(rec), core.WithHeartbeat(0))
	srv := serve(t, hub)
	a := dial(t, srv.URL+"/events?topic=t", nil)
	b := dial(t, srv.URL+"/events?topic=t", nil)
	waitUntil(t, "2 streams", func() bool { return hub.Count() == 2 })
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "mine")
	var ids []string
	for i := range 5 {
		id, err := hub.Publish(ctx, "t", "e", i)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for range 5 {
		a.next()
		b.next()
	}
	waitUntil(t, "10 events flushed", func() bool { return rec.snapshot().events == 10 })
	got := rec.snapshot()
	if len(got.published) != 5 || got.published[0] != ids[0] || got.published[4] != ids[4] {
		t.Fatalf("published ids %v, want %v", got.published, ids)
	}
	if rec.ctxs[0].Value(key{}) != "mine" {
		t.Fatal("Published did not get the publish's ctx")
	}
	if got.enqueued != 5 {
		t.Fatalf("Enqueued called %d times for 5 publishes, want once per message", got.enqueued)
	}
	if got.batches < 2 || got.batches > 10 {
		t.Fatalf("%d flushed batches for 10 deliveries to 2 streams", got.batches)
	}
	if got.maxQueued <= 0 || got.maxQueued > waitFor {
		t.Fatalf("time in queue %v: not measured", got.maxQueued)
	}

	// A publish the broker refuses is reported with its error. (After
	// Shutdown the hub refuses publishes itself, before the broker.)
	broker := core.NewMemoryBroker(0, 0)
	failing := &recorder{}
	hub2 := newHub(t, core.WithBroker(broker), core.WithObserver(failing), core.WithHeartbeat(0))
	broker.Close()
	if _, err := hub2.Publish(ctx, "t", "e", 1); err == nil {
		t.Fatal("publish to a closed broker succeeded")
	}
	if got := failing.snapshot(); got.errs != 1 {
		t.Fatalf("failed publishes observed: %d, want 1", got.errs)
	}
}

type traceKey struct{}

func TestTraceIDFromContext(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(0), core.WithTraceIDFrom(func(ctx context.Context) string {
		s, _ := ctx.Value(traceKey{}).(string)
		return s
	}))
	srv := serve(t, hub)
	c := dial(t, srv.URL+"/events?topic=t", nil)
	waitUntil(t, "stream", func() bool { return hub.Count() == 1 })

	ctx := context.WithValue(context.Background(), traceKey{}, "4bf92f3577b34da6a3ce929d0e0e4736")
	mustPublishCtx(t, hub, ctx, "from ctx")
	idNoTrace := mustPublishCtx(t, hub, context.Background(), "no trace")
	if _, err := hub.Publish(ctx, "t", "explicit", 1, core.TraceID("explicit-id")); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"4bf92f3577b34da6a3ce929d0e0e4736", idNoTrace, "explicit-id"} {
		_, env := c.nextEnvelope()
		if got := env.Meta[core.MetaTraceID]; got != want {
			t.Fatalf("%s: trace_id %q, want %q", env.Event, got, want)
		}
	}
}

func mustPublishCtx(t *testing.T, hub *core.Hub, ctx context.Context, event string) string {
	t.Helper()
	id, err := hub.Publish(ctx, "t", "e", event)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
