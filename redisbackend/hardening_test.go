package redisbackend_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/redisbackend"
)

// A FilterEvents predicate that panics runs on the broker's receive
// goroutine: the panic is contained there, counted, and every other stream
// (on this instance and the others) still gets the event, and the ones
// after it.
func TestPanickingPredicateDoesNotStopTheReceiver(t *testing.T) {
	url, prefix := redisURL(t), newPrefix()
	b := newInstance(t, url, prefix) // the publisher's instance
	ab, err := redisbackend.New(context.Background(), url, redisbackend.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	a := serve(t, ab)
	mux := http.NewServeMux()
	if err := core.Mount(mux, "/events", a.hub); err != nil {
		t.Fatal(err)
	}
	bad, err := core.NewStream(a.hub, core.FilterEvents(func(e *core.Envelope) bool {
		if e.Event == "boom" {
			panic("predicate broke")
		}
		return true
	}))
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/bad", bad)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	goodA := connectURL(t, srv.URL+"/events?topic=t", "")
	badA := connectURL(t, srv.URL+"/bad?topic=t", "")
	goodB := connect(t, b, "topic=t", "")
	for _, ev := range []string{"boom", "after"} {
		if _, err := b.hub.Publish(context.Background(), "t", ev, 1); err != nil {
			t.Fatal(err)
		}
	}
	for name, c := range map[string]*client{"A": goodA, "B": goodB} {
		for _, want := range []string{"boom", "after"} {
			if e := c.next(t, 5*time.Second); e.Event != want {
				t.Errorf("good stream on %s got %q, want %q", name, e.Event, want)
			}
		}
	}
	if e := badA.next(t, 5*time.Second); e.Event != "after" {
		t.Errorf("the panicking stream got %q, want after (the receiver lives on)", e.Event)
	}
	if p := a.hub.Stats().Panics; p != 1 {
		t.Errorf("stats.panics on A = %d, want 1", p)
	}
}

// Shutdown racing many publishers on the Redis backend: every publish that
// returned an id is in the stream (clients that reconnect elsewhere get
// it), and every other one failed with ErrClosed.
func TestShutdownRacingPublishersOnRedis(t *testing.T) {
	url, prefix := redisURL(t), newPrefix()
	in := newInstance(t, url, prefix)
	var (
		mu       sync.Mutex
		accepted []string
		n        atomic.Int64
		wg       sync.WaitGroup
		once     sync.Once
	)
	enough := make(chan struct{})
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				id, err := in.hub.Publish(context.Background(), "t", "n", 1)
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
				if n.Add(1) == 200 {
					once.Do(func() { close(enough) })
				}
			}
		}()
	}
	<-enough
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := in.hub.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if _, err := in.hub.Publish(context.Background(), "t", "late", 1); !errors.Is(err, core.ErrClosed) {
		t.Fatalf("publish after Shutdown: %v, want ErrClosed", err)
	}
	o, err := redisbackend.ClientOptions(url)
	if err != nil {
		t.Fatal(err)
	}
	rc := redis.NewClient(o)
	defer rc.Close()
	xs, err := rc.XRange(ctx, "{"+prefix+"}:stream", "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	inStream := map[string]bool{}
	for _, x := range xs {
		inStream[x.ID] = true
	}
	for _, id := range accepted {
		if !inStream[id] {
			t.Fatalf("accepted publish %s is not in the stream", id)
		}
	}
	t.Logf("%d publishes accepted while Shutdown raced them; all in the stream", len(accepted))
}
