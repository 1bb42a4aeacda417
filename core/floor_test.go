package core_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
)

// laggyBroker logs like the memory broker but can hold live delivery back,
// as a networked broker's live feed trails its log, and can lose its log
// and start a new epoch, as Redis does when it restarts without its data.
type laggyBroker struct {
	*core.MemoryBroker
	mu   sync.Mutex
	hs   []core.BrokerHandler
	hold bool
	held []*core.Message
	down bool // the backend is unreachable: Publish and Replay fail
}

var errLaggyDown = fmt.Errorf("laggy: connection refused: %w", core.ErrUnavailable)

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
	if b.down {
		return "", errLaggyDown
	}
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

// Replay reads the current log (restart replaces it).
func (b *laggyBroker) Replay(ctx context.Context, after string, fn func(*core.Message) error) (string, error) {
	b.mu.Lock()
	log, down := b.MemoryBroker, b.down
	b.mu.Unlock()
	if down {
		return "", errLaggyDown
	}
	return log.Replay(ctx, after, fn)
}

// restart loses the log: a new, empty one starts a new epoch, and live
// delivery is held until notice, as a networked broker notices the new
// epoch only when its subscription comes back.
func (b *laggyBroker) restart() {
	b.mu.Lock()
	defer b.mu.Unlock()
	// A restart takes longer than a millisecond: the new epoch's ids (time
	// based, like Redis's) start after the old one's.
	start := time.Now().UnixMilli()
	for time.Now().UnixMilli() < start+2 {
		runtime.Gosched()
	}
	b.MemoryBroker = core.NewMemoryBroker(0, 0)
	b.hold = true
	b.held = nil // lost with the old log
}

// notice does what a networked broker does when it finds its log in a new
// epoch: it tells its hubs to reset from the epoch's start and delivers
// the epoch from there.
func (b *laggyBroker) notice(reason string) {
	b.mu.Lock()
	start, _ := b.MemoryBroker.Replay(context.Background(), "0-0", func(*core.Message) error { return nil })
	b.mu.Unlock()
	id, err := core.ParseID(start)
	if err != nil {
		panic(err)
	}
	b.mu.Lock()
	for _, h := range b.hs {
		h.Reset(id, reason)
	}
	b.mu.Unlock()
	b.release()
}

// gap reports a gap the broker cannot fill.
func (b *laggyBroker) gap() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, h := range b.hs {
		h.Gap("test_gap")
	}
}

func (b *laggyBroker) setDown(down bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.down = down
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
