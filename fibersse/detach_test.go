package fibersse_test

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2/middleware/cors"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/fibersse"
	"github.com/ssekit/ssekit/ssetest"
)

func needEpoll(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("detached streams need epoll (Linux); elsewhere streams keep their goroutine")
	}
}

// detachedApp serves the routes of a hub with detached streams on an app
// that keeps hijacked connections, behind a CORS middleware.
func detachedApp(t *testing.T, opts ...core.HubOption) (*core.Hub, string) {
	t.Helper()
	hub := newHub(t, append([]core.HubOption{core.WithDetachedStreams()}, opts...)...)
	app := newApp()
	fibersse.KeepHijackedConns(app)
	app.Use(cors.New(cors.Config{AllowOrigins: "https://app.example", ExposeHeaders: "X-Trace"}))
	if err := fibersse.SSE(app, "/events", hub); err != nil {
		t.Fatal(err)
	}
	return hub, serve(t, hub, app)
}

func publish(t *testing.T, hub *core.Hub, topic, event string) string {
	t.Helper()
	id, err := hub.Publish(context.Background(), topic, event, 1)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestDetachedStreamDeliversResumesAndKeepsMiddlewareHeaders(t *testing.T) {
	needEpoll(t)
	hub, url := detachedApp(t)
	s := open(t, url+"/events?topic=t", http.Header{"Origin": {"https://app.example"}})
	h := s.Response().Header
	for k, want := range map[string]string{
		"Access-Control-Allow-Origin":   "https://app.example",
		"Access-Control-Expose-Headers": "X-Trace",
		"Content-Type":                  "text/event-stream",
		"Cache-Control":                 "no-cache",
		"X-Accel-Buffering":             "no",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %q, want %q (head %v)", k, got, want, h)
		}
	}
	if len(h.Values("Content-Type")) != 1 || h.Get("Content-Length") != "" {
		t.Errorf("head: %v", h)
	}
	first := publish(t, hub, "t", "one")
	publish(t, hub, "t", "two")
	publish(t, hub, "t", "three")
	for _, want := range []string{"one", "two", "three"} {
		if ev := s.Next(); ev.Name != want {
			t.Errorf("got %+v, want %s", ev, want)
		}
	}
	resumed := open(t, url+"/events?topic=t", http.Header{"Last-Event-ID": {first}})
	for _, want := range []string{"two", "three"} {
		if ev := resumed.Next(); ev.Name != want {
			t.Errorf("resumed: got %+v, want %s", ev, want)
		}
	}
	// No heartbeat: the poller alone sees the client leave.
	s.Close()
	eventually(t, "the closed stream gone from the stats", func() bool { return hub.Stats().Connections == 1 })

	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		done <- hub.Shutdown(ctx)
	}()
	if rest := resumed.Rest(); rest != "retry: 3000\n" {
		t.Errorf("after Shutdown: %q, want the retry hint", rest)
	}
	if err := <-done; err != nil {
		t.Error(err)
	}
}

func TestDetachedStreamSendsHeartbeats(t *testing.T) {
	needEpoll(t)
	_, url := detachedApp(t, core.WithHeartbeat(10*time.Millisecond))
	s := open(t, url+"/events", nil)
	for range 2 {
		for s.Line() != ": ping\n" {
		}
	}
}

// TestDetachedIdleStreamsOwnNoGoroutine holds 2,000 idle streams through
// Fiber and checks that neither fasthttp nor the hub keeps a goroutine per
// stream (the body stream writer path keeps one), then that each still gets
// an event and that closing the clients unregisters them all.
func TestDetachedIdleStreamsOwnNoGoroutine(t *testing.T) {
	needEpoll(t)
	const n = 2000
	hub, url := detachedApp(t, core.WithMaxConnections(n))
	addr := strings.TrimPrefix(url, "http://")
	do(t, http.MethodGet, url+"/events/stats", nil, "") // warm the server up
	before, beforeAll := ssetest.Goroutines(), runtime.NumGoroutine()

	streams := make([]*ssetest.Sock, n)
	for i := range streams {
		streams[i] = ssetest.DialStream(t, addr, "/events?topic=t")
	}
	eventually(t, "all streams registered", func() bool { return hub.Count() == n })
	// Left: the poller and a few writers still finishing. Idle fasthttp
	// workers, which serve the next connections, are not counted.
	eventually(t, "the streams' goroutines to be gone", func() bool { return ssetest.Goroutines()-before <= 8 })
	t.Logf("%d idle streams: %d goroutines more than before (%d with idle fasthttp workers)",
		n, ssetest.Goroutines()-before, runtime.NumGoroutine()-beforeAll)

	id := publish(t, hub, "t", "hello")
	for i, s := range streams {
		if l := s.Until("id: "); l != "id: "+id+"\n" {
			t.Fatalf("stream %d: %q, want id %s", i, l, id)
		}
	}
	for _, s := range streams {
		s.Close()
	}
	eventually(t, "every stream unregistered after its client closed", func() bool { return hub.Count() == 0 })
}

// Without KeepHijackedConns fasthttp would close a hijacked connection:
// streams of a detaching hub keep the body stream writer and its goroutine.
func TestWithoutKeepHijackedConnsStreamsKeepTheirGoroutine(t *testing.T) {
	const n = 20
	hub := newHub(t, core.WithDetachedStreams())
	app := newApp()
	if err := fibersse.SSE(app, "/events", hub); err != nil {
		t.Fatal(err)
	}
	url := serve(t, hub, app)
	before := ssetest.Goroutines()
	streams := make([]*ssetest.Sock, n)
	for i := range streams {
		streams[i] = ssetest.DialStream(t, strings.TrimPrefix(url, "http://"), "/events?topic=t")
	}
	if d := ssetest.Goroutines() - before; d < n {
		t.Errorf("%d streams, %d goroutines more: the body stream writer keeps one each", n, d)
	}
	id := publish(t, hub, "t", "hello")
	for _, s := range streams {
		if l := s.Until("id: "); l != "id: "+id+"\n" {
			t.Fatalf("got %q, want id %s", l, id)
		}
	}
}

// Hub.Shutdown ends a detached stream with the retry hint and the last
// chunk of its body.
func TestDetachedStreamEndsCleanlyAtShutdown(t *testing.T) {
	needEpoll(t)
	hub, url := detachedApp(t)
	s := ssetest.DialStream(t, strings.TrimPrefix(url, "http://"), "/events")
	if !strings.Contains(s.Head(), "Date: ") {
		t.Errorf("head without a Date:\n%s", s.Head())
	}
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		done <- hub.Shutdown(ctx)
	}()
	if rest := s.Rest(); !strings.HasSuffix(rest, "retry: 3000\n") {
		t.Errorf("end of the body: %q", rest)
	}
	if err := <-done; err != nil {
		t.Error(err)
	}
}
