package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ssekit/ssekit/client"
	"github.com/ssekit/ssekit/core"
)

func TestEventsEnvelope(t *testing.T) {
	hub := newHub(t, core.WithProducer("shop"))
	url, conns := serveHub(t, hub)
	ch := run(t, newClient(t, url+"?topic=orders"))
	connected(t, conns)
	id, err := hub.Publish(context.Background(), "orders", "order.paid", map[string]int{"id": 42})
	if err != nil {
		t.Fatal(err)
	}
	ev := nextEvent(t, ch)
	if ev.ID != id || ev.Name != "order.paid" || ev.Envelope == nil {
		t.Fatalf("event %+v, want id %s with an envelope", ev, id)
	}
	if m := ev.Envelope.Meta; m["topic"] != "orders" || m["producer"] != "shop" || ev.Envelope.ID != id || ev.Envelope.OccurredAt.IsZero() {
		t.Fatalf("envelope %+v", ev.Envelope)
	}
	var v struct{ ID int }
	if err := ev.Decode(&v); err != nil || v.ID != 42 {
		t.Fatalf("Decode: %+v, %v", v, err)
	}
}

// seq publishes events numbered from..to-1 on topic t.
func seq(t *testing.T, hub *core.Hub, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if _, err := hub.Publish(context.Background(), "t", "n", i); err != nil {
			t.Fatal(err)
		}
	}
}

func TestResumeAfterDisconnect(t *testing.T) {
	hub := newHub(t, core.WithRetry(5*time.Millisecond))
	url, conns := serveHub(t, hub)
	c := newClient(t, url+"?topic=t")
	ch := run(t, c)
	conn := connected(t, conns)
	seq(t, hub, 0, 3)
	var last string
	for i := range 3 {
		ev := nextEvent(t, ch)
		var n int
		ev.Decode(&n)
		if n != i {
			t.Fatalf("event %d, want %d", n, i)
		}
		last = ev.ID
	}
	hub.Disconnect(conn.ID())
	seq(t, hub, 3, 6) // published while the client is away (or just back)
	it := next(t, ch)
	var re *client.ReconnectError
	if !errors.As(it.err, &re) || !errors.Is(re, client.ErrStreamEnded) || re.LastEventID != last || !client.Temporary(it.err) {
		t.Fatalf("got %v, want a reconnect after a clean end, resuming from %s", it.err, last)
	}
	connected(t, conns)
	for i := 3; i < 6; i++ {
		var n int
		nextEvent(t, ch).Decode(&n)
		if n != i {
			t.Fatalf("event %d, want %d: a gap or a duplicate", n, i)
		}
	}
}

func TestReset(t *testing.T) {
	hub := newHub(t)
	url, conns := serveHub(t, hub)
	ch := run(t, newClient(t, url+"?topic=t", client.WithLastEventID("nope")))
	it := next(t, ch)
	var re *client.ResetError
	if !errors.As(it.err, &re) || !errors.Is(it.err, client.ErrReset) || re.LastEventID != "nope" || re.Reason == "" || !client.Temporary(it.err) {
		t.Fatalf("got %v, want a reset for nope", it.err)
	}
	connected(t, conns)
	seq(t, hub, 0, 1)
	if ev := nextEvent(t, ch); ev.Name != "n" {
		t.Fatalf("after the reset: %+v", ev)
	}
}

func TestFinalStatuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		h      http.HandlerFunc
		status int
		msg    string
	}{
		{"204 stops", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }, 204, ""},
		{"401 with JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"missing token"}`))
		}, 401, "missing token"},
		{"404 text", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, 404, "404 page not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := run(t, newClient(t, serveFunc(t, tc.h)))
			it := next(t, ch)
			var se *client.StatusError
			if !errors.As(it.err, &se) || se.StatusCode != tc.status || se.Message != tc.msg || client.Temporary(it.err) {
				t.Fatalf("got %v, want final status %d %q", it.err, tc.status, tc.msg)
			}
			if _, ok := <-ch; ok {
				t.Fatal("Events went on after a final error")
			}
		})
	}
}

func TestContentType(t *testing.T) {
	ch := run(t, newClient(t, serveFunc(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html>"))
	})))
	var ce *client.ContentTypeError
	if it := next(t, ch); !errors.As(it.err, &ce) || ce.ContentType != "text/html" {
		t.Fatalf("got %v", it.err)
	}
}

func TestRetryableStatusThenStop(t *testing.T) {
	attempts := 0
	ch := run(t, newClient(t, serveFunc(t, func(w http.ResponseWriter, r *http.Request) {
		attempts++ // requests are sequential
		if attempts <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})))
	for i := 1; i <= 2; i++ {
		var re *client.ReconnectError
		var se *client.StatusError
		if it := next(t, ch); !errors.As(it.err, &re) || re.Attempt != i || !errors.As(it.err, &se) || se.StatusCode != 503 {
			t.Fatalf("attempt %d: got %v, want a reconnect after 503", i, it.err)
		}
	}
	var se *client.StatusError
	if it := next(t, ch); !errors.As(it.err, &se) || se.StatusCode != 204 {
		t.Fatalf("got %v, want the final 204", it.err)
	}
}

func TestHeadersPerAttempt(t *testing.T) {
	type seen struct{ auth, lastID string }
	reqs := make(chan seen, 8)
	n := 0
	url := serveFunc(t, func(w http.ResponseWriter, r *http.Request) {
		n++
		reqs <- seen{r.Header.Get("Authorization"), r.Header.Get("Last-Event-ID")}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "id: %d\ndata: x\n\n", n) // then the stream ends
	})
	token := 0
	ch := run(t, newClient(t, url, client.WithHeaders(func(ctx context.Context, h http.Header) error {
		token++
		h.Set("Authorization", fmt.Sprintf("Bearer t%d", token))
		return nil
	})))
	for i := 1; i <= 3; i++ {
		if ev := nextEvent(t, ch); ev.ID != fmt.Sprint(i) {
			t.Fatalf("event id %s, want %d", ev.ID, i)
		}
		if i < 3 {
			next(t, ch) // the reconnect
		}
		s := <-reqs
		wantLast := ""
		if i > 1 {
			wantLast = fmt.Sprint(i - 1)
		}
		if s.auth != fmt.Sprintf("Bearer t%d", i) || s.lastID != wantLast {
			t.Fatalf("attempt %d sent %+v", i, s)
		}
	}
}

func TestRetryHintAndBackoff(t *testing.T) {
	n := 0
	url := serveFunc(t, func(w http.ResponseWriter, r *http.Request) {
		n++
		switch n {
		case 1:
			w.Header().Set("Content-Type", "text/event-stream")
			w.Write([]byte("retry: 40\ndata: a\n\n"))
		case 2:
			w.Header().Set("Content-Type", "text/event-stream")
			w.Write([]byte("retry: 70\n")) // a hint counts without an event
		default:
			http.Error(w, "down", http.StatusBadGateway)
		}
	})
	ch := run(t, newClient(t, url, client.WithMaxDelay(300*time.Millisecond)))
	nextEvent(t, ch)
	var re *client.ReconnectError
	if it := next(t, ch); !errors.As(it.err, &re) || re.Wait < 40*time.Millisecond || re.Wait > 80*time.Millisecond {
		t.Fatalf("got %v, want a wait in [40ms, 80ms]", it.err)
	}
	// Failures in a row: the ceiling doubles from the hint, up to the cap.
	for i := 1; i <= 4; i++ {
		if it := next(t, ch); !errors.As(it.err, &re) || re.Attempt != i || re.Wait < 70*time.Millisecond || re.Wait > min(70*time.Millisecond<<i, 300*time.Millisecond) {
			t.Fatalf("failure %d: got %v", i, it.err)
		}
	}
}

func TestRawMode(t *testing.T) {
	url := serveFunc(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		w.Write([]byte("event: ssekit.reset\ndata: {\"id\":\"1\",\"event\":\"ssekit.reset\",\"data\":{\"x\":1},\"meta\":{}}\n\ndata: {\"x\":2}\n\n"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	ch := run(t, newClient(t, url, client.WithRaw()))
	ev := nextEvent(t, ch)
	if ev.Name != "ssekit.reset" || ev.Envelope != nil {
		t.Fatalf("raw mode: %+v", ev)
	}
	ev = nextEvent(t, ch)
	var v struct{ X int }
	if err := ev.Decode(&v); err != nil || v.X != 2 || ev.Name != "message" {
		t.Fatalf("raw Decode: %+v %v", v, err)
	}
}

func TestBigEvent(t *testing.T) {
	hub := newHub(t)
	url, conns := serveHub(t, hub)
	ch := run(t, newClient(t, url+"?topic=t"))
	connected(t, conns)
	big := strings.Repeat("z", core.DefaultMaxEventSize-2) // a JSON string of exactly the maximum
	if _, err := hub.Publish(context.Background(), "t", "big", big); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := nextEvent(t, ch).Decode(&got); err != nil || got != big {
		t.Fatalf("a 1 MiB event: %d bytes, %v", len(got), err)
	}
}

func TestEventTooLarge(t *testing.T) {
	hub := newHub(t)
	url, conns := serveHub(t, hub)
	ch := run(t, newClient(t, url+"?topic=t", client.WithMaxEventSize(100)))
	connected(t, conns)
	hub.Publish(context.Background(), "t", "big", strings.Repeat("z", 200))
	if it := next(t, ch); !errors.Is(it.err, client.ErrEventTooLarge) || client.Temporary(it.err) {
		t.Fatalf("got %v, want the final ErrEventTooLarge", it.err)
	}
}

func TestNewRejects(t *testing.T) {
	for _, tc := range []struct {
		url  string
		opts []client.Option
	}{
		{"ftp://x/events", nil},
		{"/events", nil},
		{"http://x", []client.Option{client.WithHTTPClient(&http.Client{Timeout: time.Second})}},
		{"http://x", []client.Option{client.WithMaxEventSize(0)}},
		{"http://x", []client.Option{client.WithRetry(0)}},
		{"http://x", []client.Option{client.WithStallTimeout(-1)}},
	} {
		if _, err := client.New(tc.url, tc.opts...); err == nil || !strings.HasPrefix(err.Error(), "client: ") {
			t.Errorf("New(%q): err %v, want a client: error", tc.url, err)
		}
	}
}
