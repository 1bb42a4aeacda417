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
