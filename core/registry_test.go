package core_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"testing"

	"github.com/ssekit/ssekit/core"
)

func TestConnectionLimits(t *testing.T) {
	t.Run("total", func(t *testing.T) {
		hub := newHub(t, core.WithMaxConnections(2))
		srv := serve(t, hub)
		dial(t, srv.URL+"/events", nil)
		dial(t, srv.URL+"/events", nil)
		st, body := getJSON(t, srv.URL+"/events")
		if st != http.StatusServiceUnavailable || body["error"] == "" {
			t.Fatalf("third stream: %d %v, want 503", st, body)
		}
		wantRejected(t, hub, "connections", 1)
	})
	identity := core.Authorize(func(r *http.Request) (core.Access, error) {
		return core.Access{Identity: r.URL.Query().Get("u")}, nil
	})
	t.Run("per identity, refuse newest", func(t *testing.T) {
		hub := newHub(t, core.WithMaxConnectionsPerIdentity(2, core.RefuseNewest))
		srv := serve(t, hub, identity)
		dial(t, srv.URL+"/events?u=alice", nil)
		dial(t, srv.URL+"/events?u=alice", nil)
		dial(t, srv.URL+"/events?u=bob", nil)
		if st, _ := getJSON(t, srv.URL+"/events?u=alice"); st != http.StatusTooManyRequests {
			t.Fatalf("alice's third stream: %d, want 429", st)
		}
		wantRejected(t, hub, "identity", 1)
	})
	t.Run("per identity, close oldest", func(t *testing.T) {
		hub := newHub(t, core.WithMaxConnectionsPerIdentity(1, core.CloseOldest))
		srv := serve(t, hub, identity)
		first := dial(t, srv.URL+"/events?u=alice", nil)
		waitUntil(t, "first", func() bool { return hub.Count() == 1 })
		second := dial(t, srv.URL+"/events?u=alice", nil)
		first.waitEnd()
		waitUntil(t, "one stream", func() bool { return hub.Count() == 1 })
		mustPublish(t, hub, core.AllTopics, "still", 1)
		if e := second.next(); e.Event != "still" {
			t.Fatalf("second got %q", e.Event)
		}
	})
	t.Run("topics per connection", func(t *testing.T) {
		hub := newHub(t, core.WithMaxTopics(2))
		srv := serve(t, hub)
		if st, body := getJSON(t, srv.URL+"/events?topic=a&topic=b&topic=c"); st != http.StatusBadRequest {
			t.Fatalf("3 topics: %d %v, want 400", st, body)
		}
		c := dial(t, srv.URL+"/events?topic=a&topic=b", nil)
		_ = c
		waitUntil(t, "stream", func() bool { return hub.Count() == 1 })
		if err := hub.Subscribe(hub.Conns(nil)[0].ID(), "c"); !errors.Is(err, core.ErrTooManyTopics) {
			t.Fatalf("Subscribe over the cap: %v", err)
		}
		wantRejected(t, hub, "topics", 1)
	})
	t.Run("event size", func(t *testing.T) {
		hub := newHub(t, core.WithMaxEventSize(10))
		if _, err := hub.PublishRaw(context.Background(), "t", "e", []byte("01234567890")); !errors.Is(err, core.ErrTooLarge) {
			t.Fatalf("11 bytes: %v", err)
		}
		if _, err := hub.PublishRaw(context.Background(), "t", "e", []byte("0123456789")); err != nil {
			t.Fatalf("10 bytes: %v", err)
		}
		wantRejected(t, hub, "event_size", 1)
	})
	t.Run("query metadata", func(t *testing.T) {
		hub := newHub(t)
		srv := serve(t, hub, core.QueryMeta("channel"))
		dial(t, srv.URL+"/events?channel=a&user_id=1", nil)
		waitUntil(t, "stream", func() bool { return hub.Count() == 1 })
		if m := hub.Conns(nil)[0].Meta(); m["channel"] != "a" || m["user_id"] != "" {
			t.Fatalf("meta %v: only allow-listed keys may come from the query", m)
		}
	})
}

func TestConnectionsCanBeListedCountedMovedAndDisconnected(t *testing.T) {
	hub := newHub(t)
	srv := serve(t, hub)
	c := dial(t, srv.URL+"/events?topic=a&user_id=7", nil)
	dial(t, srv.URL+"/events?topic=a&topic=b&user_id=8", nil)
	waitUntil(t, "2 connections", func() bool { return hub.Count() == 2 })
	if hub.CountTopic("a") != 2 || hub.CountTopic("b") != 1 || hub.CountWhere(core.Match{"user_id": "7"}) != 1 {
		t.Fatalf("counts: a=%d b=%d user7=%d", hub.CountTopic("a"), hub.CountTopic("b"), hub.CountWhere(core.Match{"user_id": "7"}))
	}
	id := hub.Conns(core.Match{"user_id": "7"})[0].ID()
	if hub.Conn(id) == nil || hub.Conn("nope") != nil {
		t.Fatal("Conn lookup")
	}
	if err := hub.Subscribe(id, "c"); err != nil {
		t.Fatal(err)
	}
	if err := hub.Unsubscribe(id, "a"); err != nil {
		t.Fatal(err)
	}
	if err := hub.Subscribe("nope", "c"); !errors.Is(err, core.ErrNoConnection) {
		t.Fatalf("Subscribe unknown: %v", err)
	}
	if err := hub.Subscribe(id, core.AllTopics); !errors.Is(err, core.ErrInvalidTopic) {
		t.Fatalf("Subscribe(*): %v", err)
	}
	mustPublish(t, hub, "a", "on.a", 1)
	mustPublish(t, hub, "c", "on.c", 1)
	wantEvents(t, c, "on.c")
	st := hub.Stats()
	if st.Topics["a"] != 1 || st.Topics["c"] != 1 || st.Connections != 2 {
		t.Fatalf("stats topics %v connections %d", st.Topics, st.Connections)
	}
	if !hub.Disconnect(id) {
		t.Fatal("Disconnect reported no connection")
	}
	c.waitEnd()
	waitUntil(t, "1 connection", func() bool { return hub.Count() == 1 })
	if hub.Disconnect(id) {
		t.Fatal("second Disconnect reported a connection")
	}
}

func TestThousandConnectionsOpenedAtOnce(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(0))
	srv := serve(t, hub)
	const n = 1000
	clients := make([]*client, n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := dial(t, fmt.Sprintf("%s/events?topic=load&i=%d", srv.URL, i), nil)
			mu.Lock()
			clients[i] = c
			mu.Unlock()
		}()
	}
	wg.Wait()
	waitUntil(t, "all registered", func() bool { return hub.Count() == n })
	id := mustPublish(t, hub, "load", "burst", 1)
	for _, c := range clients {
		if e := c.next(); e.ID != id {
			t.Fatalf("got id %q, want %q", e.ID, id)
		}
	}
	for _, c := range clients {
		c.close()
	}
	waitUntil(t, "all gone", func() bool { return hub.Count() == 0 })
}

func TestClientDisconnectLeavesNothingBehind(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(0))
	srv := serve(t, hub)
	base := runtime.NumGoroutine()
	const rounds, perRound = 20, 100 // 2,000 streams
	for r := 0; r < rounds; r++ {
		clients := make([]*client, perRound)
		for i := range clients {
			clients[i] = dial(t, fmt.Sprintf("%s/events?topic=t%d&user=%d", srv.URL, i%7, i), nil)
		}
		waitUntil(t, "streams registered", func() bool { return hub.Count() == perRound })
		mustPublish(t, hub, core.AllTopics, "hello", r)
		for _, c := range clients {
			c.next()
			c.close()
		}
		waitUntil(t, "streams gone", func() bool { return hub.Count() == 0 })
	}
	st := hub.Stats()
	if st.Connections != 0 || len(st.Topics) != 0 || st.Connects != rounds*perRound || st.Disconnects != rounds*perRound {
		t.Fatalf("hub state after %d streams: %+v", rounds*perRound, st)
	}
	http.DefaultClient.CloseIdleConnections()
	waitUntil(t, "goroutines back to baseline", func() bool { return runtime.NumGoroutine() <= base+2 })
}
