package core_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/ssetest"
)

// TestDetachedIdleStreamsOwnNoGoroutine holds 2,000 idle streams with
// WithDetachedStreams and checks that neither net/http nor the hub keeps a
// goroutine for them (the goroutine path has two per stream), then that
// each still gets a broadcast and that closing the clients unregisters
// them all.
func TestDetachedIdleStreamsOwnNoGoroutine(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("detached streams need epoll (Linux); elsewhere streams keep their goroutine")
	}
	const n = 2000
	hub := newHub(t, core.WithDetachedStreams(), core.WithMaxConnections(n), core.WithHeartbeat(0))
	srv := serve(t, hub)
	addr := srv.Listener.Addr().String()
	getJSON(t, srv.URL+"/events/stats") // warm the server up
	before := runtime.NumGoroutine()

	streams := make([]*ssetest.Sock, n)
	for i := range streams {
		streams[i] = ssetest.DialStream(t, addr, "/events?topic=t")
	}
	waitUntil(t, "all streams registered", func() bool { return hub.Count() == n })
	// Left: at most the poller and a few writers still finishing.
	waitUntil(t, "the streams' goroutines to be gone", func() bool { return runtime.NumGoroutine()-before <= 8 })
	t.Logf("%d idle streams: %d goroutines more than before", n, runtime.NumGoroutine()-before)

	id := mustPublish(t, hub, "t", "hello", 1)
	for i, s := range streams {
		if l := s.Until("id: "); l != "id: "+id+"\n" {
			t.Fatalf("stream %d: %q, want id %s", i, l, id)
		}
	}
	if d := hub.Stats().Delivered; d != n {
		t.Errorf("delivered %d, want %d", d, n)
	}
	for _, s := range streams {
		s.Close()
	}
	waitUntil(t, "every stream unregistered after its client closed", func() bool { return hub.Count() == 0 })
	waitUntil(t, "goroutines back to where they were", func() bool { return runtime.NumGoroutine() <= before })
}

func TestDetachedStreamHeadHeartbeatsAndLifetime(t *testing.T) {
	hub := newHub(t, core.WithDetachedStreams(), core.WithHeartbeat(10*time.Millisecond),
		core.WithMaxLifetime(300*time.Millisecond), core.WithRetry(time.Second))
	srv := serve(t, hub)
	s := ssetest.DialStream(t, srv.Listener.Addr().String(), "/events")
	for _, h := range []string{"Content-Type: text/event-stream\r\n", "Cache-Control: no-cache\r\n", "X-Accel-Buffering: no\r\n", "Connection: keep-alive\r\n", "Date: "} {
		if !strings.Contains(s.Head(), h) {
			t.Errorf("head lacks %q:\n%s", h, s.Head())
		}
	}
	if l := s.Line(); l != "retry: 1000\n" {
		t.Errorf("second line %q", l)
	}
	s.Until(": ping")
	s.Until(": ping")
	// The maximum lifetime ends the stream with a retry hint and the last
	// chunk (rest reads to a clean end of the chunked body).
	if rest := s.Rest(); !strings.HasSuffix(rest, "retry: 1000\n") {
		t.Errorf("end of a stream past its lifetime: %q", rest)
	}
	waitUntil(t, "unregistered", func() bool { return hub.Count() == 0 })
}

// A client that stops reading fills its socket; with a small queue it is
// dropped, and its waiter does not outlive the drop. A healthy stream on
// the same hub goes on.
func TestDetachedSlowClientIsDropped(t *testing.T) {
	hub := newHub(t, core.WithDetachedStreams(), core.WithHeartbeat(0), core.WithQueueSize(4))
	srv := serve(t, hub)
	addr := srv.Listener.Addr().String()
	stalled := ssetest.DialStream(t, addr, "/events")
	healthy := ssetest.DialStream(t, addr, "/events")
	base := runtime.NumGoroutine()
	big := strings.Repeat("x", 256<<10)
	for i := 0; hub.Stats().Dropped == 0; i++ {
		if i == 1000 {
			t.Fatal("a client that reads nothing was never dropped")
		}
		mustPublish(t, hub, core.AllTopics, "big", big)
		healthy.Until("data: ")
	}
	waitUntil(t, "the stalled stream unregistered", func() bool { return hub.Count() == 1 })
	waitUntil(t, "no waiter left", func() bool { return runtime.NumGoroutine() <= base })
	id := mustPublish(t, hub, core.AllTopics, "after", 1)
	if l := healthy.Until("id: "); l != "id: "+id+"\n" {
		t.Errorf("healthy stream after the drop: %q", l)
	}
	_ = stalled
}

// A client that stops reading, with a queue too long to fill (by count or
// by bytes), is ended by the write timeout.
func TestDetachedWriteTimeout(t *testing.T) {
	hub := newHub(t, core.WithDetachedStreams(), core.WithHeartbeat(0), core.WithWriteTimeout(100*time.Millisecond), core.WithMaxQueueBytes(1<<30))
	srv := serve(t, hub)
	ssetest.DialStream(t, srv.Listener.Addr().String(), "/events")
	big := strings.Repeat("y", 512<<10)
	for i := 0; hub.Count() == 1; i++ {
		if i == 200 {
			t.Fatal("a client that reads nothing outlived its write timeout")
		}
		mustPublish(t, hub, core.AllTopics, "big", big)
	}
	if st := hub.Stats(); st.Dropped != 0 {
		t.Errorf("dropped %d: the write timeout, not the queue, should end it", st.Dropped)
	}
}

// hidingListener hands out connections that hide their descriptor, as a
// listener wrapper may: a detached stream then stays on its goroutine,
// still hijacked.
type hidingListener struct{ net.Listener }

type hiddenConn struct{ net.Conn }

func (l hidingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return hiddenConn{c}, nil
}

func TestDetachedStreamWithoutDescriptorKeepsItsGoroutine(t *testing.T) {
	hub := newHub(t, core.WithDetachedStreams(), core.WithHeartbeat(0))
	mux := http.NewServeMux()
	if err := core.Mount(mux, "/events", hub); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(mux)
	srv.Listener = hidingListener{srv.Listener}
	srv.Start()
	defer srv.Close()
	s := ssetest.DialStream(t, srv.Listener.Addr().String(), "/events")
	id := mustPublish(t, hub, core.AllTopics, "e", 1)
	if l := s.Until("id: "); l != "id: "+id+"\n" {
		t.Errorf("got %q", l)
	}
	s.Close()
	waitUntil(t, "unregistered after the client closed", func() bool { return hub.Count() == 0 })
}

// A resume while the replay log is down ends a detached stream with the
// spread retry hint and a clean end of the chunked body.
func TestDetachedResumeWhileTheLogIsUnavailable(t *testing.T) {
	broker := &laggyBroker{MemoryBroker: core.NewMemoryBroker(0, 0)}
	defer broker.Close()
	hub := newHub(t, core.WithDetachedStreams(), core.WithBroker(broker), core.WithHeartbeat(0),
		core.WithRetry(100*time.Millisecond), core.WithShutdownSpread(time.Second))
	srv := serve(t, hub)
	last := mustPublish(t, hub, "t", "e", 1)
	broker.setDown(true)
	s := ssetest.DialStream(t, srv.Listener.Addr().String(), "/events?topic=t&lastEventId="+last)
	if l := s.Line(); l != "retry: 100\n" {
		t.Errorf("second line %q", l)
	}
	rest := s.Rest() // fails on a body cut without its last chunk
	if !strings.HasPrefix(rest, "retry: ") || strings.Contains(rest, "data:") {
		t.Errorf("after the start: %q, want only the spread retry hint", rest)
	}
	waitUntil(t, "unregistered", func() bool { return hub.Count() == 0 })
}
