package ext_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
	"github.com/ssekit/ssekit/ssetest"
)

// detachServer is the least an adapter does to detach streams: read the
// request off a plain connection, Accept it and hand the connection to
// Detach. Every Detach that returned is reported on the channel.
func detachServer(t *testing.T, hub *core.Hub, opts ...core.RouteOption) (string, <-chan struct{}) {
	t.Helper()
	stream, err := core.NewStream(hub, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	returned := make(chan struct{}, 16)
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			r, err := http.ReadRequest(bufio.NewReader(nc))
			if err != nil {
				nc.Close()
				continue
			}
			sess, err := ext.Accept(stream, r)
			if err != nil { // the test sends only valid requests
				nc.Close()
				continue
			}
			if sess.Conn() != nil && !sess.Detachable() {
				t.Error("a session of a hub with WithDetachedStreams is not detachable on Linux")
			}
			// Detach adds the stream's own headers (StreamHeaders).
			h := http.Header{"X-Adapter": {"plain"}}
			sess.Detach(context.Background(), nc, h)
			returned <- struct{}{}
		}
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), ssetest.Timeout)
		defer cancel()
		if err := hub.Shutdown(ctx); err != nil {
			t.Errorf("hub shutdown: %v", err)
		}
		ln.Close()
		<-accepted
		http.DefaultClient.CloseIdleConnections()
	})
	return "http://" + ln.Addr().String(), returned
}

// ext.Session.Detach serves a stream on any connection taken over before
// the response: the head is Detach's, with the caller's headers; Detach
// returns once the stream has started, which then lives on without it
// until the client leaves or the hub shuts down.
func TestDetachServesAStreamOnAPlainConnection(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("detached streams need epoll (Linux)")
	}
	hub, err := core.NewHub(core.WithDetachedStreams(), core.WithHeartbeat(0), core.WithShutdownSpread(0))
	if err != nil {
		t.Fatal(err)
	}
	url, returned := detachServer(t, hub)

	s := ssetest.Open(t, url+"/?topic=t", nil)
	h, te := s.Response().Header, s.Response().TransferEncoding
	if h.Get("X-Adapter") != "plain" || h.Get("Content-Type") != "text/event-stream" || len(te) != 1 || te[0] != "chunked" {
		t.Errorf("head: %v %v", h, te)
	}
	select {
	case <-returned:
	case <-time.After(ssetest.Timeout):
		t.Fatal("Detach did not return once the stream had started")
	}
	first, err := hub.Publish(context.Background(), "t", "one", 1)
	if err != nil {
		t.Fatal(err)
	}
	if ev := s.Next(); ev.Name != "one" || ev.ID != first {
		t.Errorf("got %+v", ev)
	}
	if _, err := hub.Publish(context.Background(), "t", "two", 2); err != nil {
		t.Fatal(err)
	}
	resumed := ssetest.Open(t, url+"/?topic=t", http.Header{"Last-Event-ID": {first}})
	if ev := resumed.Next(); ev.Name != "two" {
		t.Errorf("resumed: got %+v, want two", ev)
	}
	s.Close()
	waitFor(t, "the closed stream unregistered", func() bool { return hub.Count() == 1 })

	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), ssetest.Timeout)
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

// A session whose Authorize hook panicked has no connection; Detach on it
// answers with the head and a retry hint only, and closes the connection.
func TestDetachOfAPanickedSessionWritesTheRetryHint(t *testing.T) {
	hub, err := core.NewHub(core.WithDetachedStreams(), core.WithHeartbeat(0))
	if err != nil {
		t.Fatal(err)
	}
	url, returned := detachServer(t, hub, core.Authorize(func(*http.Request) (core.Access, error) { panic("hook bug") }))
	resp, err := http.Get(url + "/?topic=t")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read to the end: %v (got %q)", err, body)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" || !resp.Close {
		t.Errorf("head: %d %v close=%v", resp.StatusCode, resp.Header, resp.Close)
	}
	if !strings.HasPrefix(string(body), "retry: ") || strings.Count(string(body), "\n") != 1 {
		t.Errorf("body %q, want a retry hint alone", body)
	}
	<-returned
	if n := hub.Count(); n != 0 {
		t.Errorf("%d streams registered, want 0", n)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(ssetest.Timeout)
	for !cond() {
		select {
		case <-tick.C:
		case <-timeout:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
