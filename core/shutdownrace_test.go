package core_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ssekit/ssekit/core"
)

// Shutdown never accepts what it cannot deliver: many publishers race
// Shutdown, and every publish that returned an id reached every stream
// that was open (before its final retry hint); every other publish, and
// the broadcast route, was refused with ErrClosed / 503.
func TestShutdownRacingPublishersAcceptsOnlyWhatItDelivers(t *testing.T) {
	hub, err := core.NewHub(core.WithHeartbeat(0), core.WithShutdownSpread(0), core.WithQueueSize(1<<20), core.WithMaxQueueBytes(1<<30))
	if err != nil {
		t.Fatal(err)
	}
	srv := serve(t, hub, core.BroadcastAuth(core.BearerToken("tok")))
	const streams, publishers = 8, 8
	clients := make([]*client, streams)
	for i := range clients {
		clients[i] = dial(t, srv.URL+"/events?topic=t", nil)
	}
	waitUntil(t, "streams", func() bool { return hub.Count() == streams })

	var (
		mu       sync.Mutex
		accepted []string
		n        atomic.Int64
		wg       sync.WaitGroup
	)
	enough := make(chan struct{})
	var once sync.Once
	for p := 0; p < publishers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				id, err := hub.Publish(context.Background(), "t", "n", p)
				if errors.Is(err, core.ErrClosed) {
					return
				}
				if err != nil {
					t.Errorf("publish: %v", err)
					return
				}
				mu.Lock()
				accepted = append(accepted, id)
				mu.Unlock()
				if n.Add(1) == 500 {
					once.Do(func() { close(enough) })
				}
			}
		}()
	}
	<-enough
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := hub.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	wg.Wait()
	if _, err := hub.SendTo(context.Background(), "any", "x", 1); !errors.Is(err, core.ErrClosed) {
		t.Errorf("SendTo after Shutdown: %v, want ErrClosed", err)
	}
	if st, body := post(t, srv.URL+"/events/broadcast", "tok", `{"event":"x"}`); st != http.StatusServiceUnavailable {
		t.Errorf("broadcast after Shutdown: %d %v, want 503", st, body)
	}
	for i, c := range clients {
		got := map[string]bool{}
		for _, e := range c.waitEnd() {
			got[e.ID] = true
		}
		if c.parser.Retry == 0 {
			t.Errorf("stream %d: no final retry hint", i)
		}
		missing := 0
		for _, id := range accepted {
			if !got[id] {
				missing++
			}
		}
		if missing > 0 {
			t.Errorf("stream %d: %d of %d accepted publishes never reached it", i, missing, len(accepted))
		}
	}
	t.Logf("%d publishes accepted by %d publishers racing Shutdown (all %d streams checked)", len(accepted), publishers, streams)
}
