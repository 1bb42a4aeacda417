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
	hs   []core.BrokerHandler
	hold bool
	held []*core.Message
}

func (b *laggyBroker) Subscribe(h core.BrokerHandler) (func(), error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.hs = append(b.hs, h)
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.hs = nil
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
	for _, h := range b.hs {
		h.Deliver(m)
	}
	return id, nil
}

func (b *laggyBroker) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.hold = false
	for _, m := range b.held {
		for _, h := range b.hs {
			h.Deliver(m)
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
