package core_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
)

func TestShutdownEndsStreamsWithJitteredRetryAndRefusesNewOnes(t *testing.T) {
	hub, err := core.NewHub(core.WithHeartbeat(0), core.WithShutdownSpread(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	srv := serve(t, hub)
	const n = 20
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = dial(t, srv.URL+"/events?topic=t", nil)
	}
	waitUntil(t, "streams", func() bool { return hub.Count() == n })
	last := mustPublish(t, hub, "t", "last", 1)

	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := hub.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if hub.Count() != 0 {
		t.Fatalf("Shutdown returned with %d streams", hub.Count())
	}
	retries := map[int]bool{}
	for i, c := range clients {
		rest := c.waitEnd()
		if len(rest) != 1 || rest[0].ID != last {
			t.Fatalf("client %d: queued event not delivered before the end: %+v", i, rest)
		}
		r := c.parser.Retry
		if r < 3000 || r >= 8000 {
			t.Fatalf("client %d: final retry %d, want 3000-8000", i, r)
		}
		retries[r] = true
	}
	if len(retries) < 5 {
		t.Fatalf("final retry hints are not spread: %v", retries)
	}
	st, body := getJSON(t, srv.URL+"/events?topic=t")
	if st != http.StatusServiceUnavailable || body["error"] == "" {
		t.Fatalf("stream after shutdown: %d %v, want 503 with a JSON error", st, body)
	}
	if _, err := hub.Publish(context.Background(), "t", "x", 1); !errors.Is(err, core.ErrClosed) {
		t.Fatalf("publish after shutdown: %v", err)
	}
	if err := hub.Shutdown(ctx); err != nil {
		t.Fatalf("second Shutdown: %v", err)
	}
}

func TestShutdownReturnsWhenItsContextEnds(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(0))
	// A registered session nobody runs never ends by itself.
	sess, err := ext.Accept(mustStream(t, hub), mustRequest(t, "/events"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := hub.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown: %v, want DeadlineExceeded", err)
	}
	sess.Close()
}

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

func TestBadOptionsAreErrors(t *testing.T) {
	for name, opt := range map[string]core.HubOption{
		"heartbeat": core.WithHeartbeat(-1), "queue": core.WithQueueSize(0), "max": core.WithMaxConnections(0),
		"topics": core.WithMaxTopics(0), "size": core.WithMaxEventSize(0), "write": core.WithWriteTimeout(0),
		"broker": core.WithBroker(nil), "producer": core.WithProducer(""), "logger": core.WithLogger(nil),
		"identity": core.WithMaxConnectionsPerIdentity(0, core.RefuseNewest), "retry": core.WithRetry(-1),
		"lifetime": core.WithMaxLifetime(-1), "spread": core.WithShutdownSpread(-1),
	} {
		if _, err := core.NewHub(opt); err == nil {
			t.Errorf("%s: NewHub accepted an invalid option", name)
		}
	}
}

func getJSON(t testing.TB, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	jsonDecode(resp.Body, &body)
	return resp.StatusCode, body
}

func mustRequest(t testing.TB, target string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodGet, "http://x"+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// wantRejected checks one limit's counter, and that it is the only one.
func wantRejected(t testing.TB, hub *core.Hub, limit string, n uint64) {
	t.Helper()
	st := hub.Stats()
	if st.RejectedBy[limit] != n || st.Rejected != n {
		t.Fatalf("rejected %d by %v, want %d by %q", st.Rejected, st.RejectedBy, n, limit)
	}
}
