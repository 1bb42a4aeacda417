package core_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/ssekit/ssekit/core"
)

// laggyBroker logs like the memory broker but can hold live delivery back,
// as a networked broker's live feed trails its log.
type laggyBroker struct {
	*core.MemoryBroker
	mu   sync.Mutex
	fns  []func(*core.Message)
	hold bool
	held []*core.Message
}

func (b *laggyBroker) Subscribe(fn func(*core.Message)) (func(), error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fns = append(b.fns, fn)
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.fns = nil
	}, nil
}

func (b *laggyBroker) Publish(ctx context.Context, m *core.Message) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	id, err := b.MemoryBroker.Publish(ctx, m) // logged, delivered to nobody
	if err != nil {
		return "", err
	}
	if b.hold {
		b.held = append(b.held, m)
		return id, nil
	}
	for _, fn := range b.fns {
		fn(m)
	}
	return id, nil
}

func (b *laggyBroker) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.hold = false
	for _, m := range b.held {
		for _, fn := range b.fns {
			fn(m)
		}
	}
	b.held = nil
}

func TestResumeSkipsLiveDeliveriesTheReplayAlreadySent(t *testing.T) {
	broker := &laggyBroker{MemoryBroker: core.NewMemoryBroker(0, 0)}
	hub := newHub(t, core.WithBroker(broker), core.WithHeartbeat(0))
	srv := serve(t, hub)
	url := srv.URL + "/events?topic=t"
	c := dial(t, url, nil)
	waitUntil(t, "connection", func() bool { return hub.Count() == 1 })
	first := mustPublish(t, hub, "t", "e1", 1)
	c.next()
	c.close()
	waitUntil(t, "disconnect", func() bool { return hub.Count() == 0 })

	broker.mu.Lock()
	broker.hold = true // the live feed now trails the log
	broker.mu.Unlock()
	e2 := mustPublish(t, hub, "t", "e2", 2)
	e3 := mustPublish(t, hub, "t", "e3", 3)

	r := dial(t, url, http.Header{"Last-Event-ID": {first}})
	if e := r.next(); e.ID != e2 {
		t.Fatalf("replay: got %q, want %q", e.ID, e2)
	}
	if e := r.next(); e.ID != e3 {
		t.Fatalf("replay: got %q, want %q", e.ID, e3)
	}
	broker.release() // e2 and e3 now arrive live: they must not be sent again
	e4 := mustPublish(t, hub, "t", "e4", 4)
	if e := r.next(); e.ID != e4 {
		t.Fatalf("after the replay got %q (%s), want %q: a live delivery at or below the replay cursor was sent again", e.ID, e.Event, e4)
	}
	broker.Close()
}

func TestRoutesAndAcceptsEventStream(t *testing.T) {
	for path, want := range map[string][3]string{
		"/events/": {"/events", "/events/stats", "/events/broadcast"},
		"events":   {"/events", "/events/stats", "/events/broadcast"},
		"":         {"/", "/stats", "/broadcast"},
		"/a/b":     {"/a/b", "/a/b/stats", "/a/b/broadcast"},
	} {
		s, st, b := core.Routes(path)
		if [3]string{s, st, b} != want {
			t.Errorf("Routes(%q) = %q %q %q, want %q", path, s, st, b, want)
		}
	}
	for accept, want := range map[string]bool{
		"text/event-stream": true, "text/html, Text/Event-Stream;q=0.9": true,
		"": false, "*/*": false, "application/json": false,
	} {
		if got := core.AcceptsEventStream(accept); got != want {
			t.Errorf("AcceptsEventStream(%q) = %v", accept, got)
		}
	}
}
