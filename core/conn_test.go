package core_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
)

// smallBuffers makes every accepted connection's socket send buffer tiny,
// so a client that stops reading stalls the writer after kilobytes instead
// of the megabytes loopback buffers otherwise absorb.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4096)
	}
	return c, err
}

// serveSmallBuffers is serve with smallBuffers.
func serveSmallBuffers(t testing.TB, hub *core.Hub, opts ...core.RouteOption) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	if err := core.Mount(mux, "/events", hub, opts...); err != nil {
		t.Fatalf("Mount: %v", err)
	}
	srv := httptest.NewUnstartedServer(mux)
	srv.Listener = smallBuffers{srv.Listener}
	srv.Start()
	t.Cleanup(func() {
		hub.Shutdown(context.Background())
		srv.Close()
	})
	return srv
}

// rawStream opens a stream on a bare TCP connection that the test controls
// (it may never read).
func rawStream(t testing.TB, addr, path string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	conn.(*net.TCPConn).SetReadBuffer(4096)
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n", path)
	return conn
}

func TestSlowClientIsDisconnectedWithoutBlockingOthers(t *testing.T) {
	hub := newHub(t, core.WithQueueSize(8), core.WithHeartbeat(0), core.WithWriteTimeout(500*time.Millisecond))
	srv := serveSmallBuffers(t, hub)
	fast := dial(t, srv.URL+"/events?topic=t", nil)
	slow := rawStream(t, srv.Listener.Addr().String(), "/events?topic=t")
	_ = slow // never read
	waitUntil(t, "2 connections", func() bool { return hub.Count() == 2 })

	payload := []byte(strings.Repeat("x", 16<<10))
	const n = 200 // 3 MiB: far more than the small socket buffers hold
	start := time.Now()
	// Lockstep: if a publish ever waited for the stalled client, this loop
	// would hang instead of finishing.
	for i := 0; i < n; i++ {
		if _, err := hub.PublishRaw(context.Background(), "t", "big", payload); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
		if e := fast.next(); e.Event != "big" {
			t.Fatalf("fast client got %q", e.Event)
		}
	}
	elapsed := time.Since(start)
	waitUntil(t, "slow client dropped", func() bool { return hub.Count() == 1 })
	st := hub.Stats()
	if st.Dropped != 1 {
		t.Fatalf("dropped = %d, want 1", st.Dropped)
	}
	t.Logf("%d x 16 KiB to a fast and a stalled client in %v; stalled one dropped", n, elapsed)
}

func TestClientsKilledMidWriteAndStoppedMidStream(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(0), core.WithQueueSize(64), core.WithWriteTimeout(300*time.Millisecond))
	srv := serveSmallBuffers(t, hub)
	addr := srv.Listener.Addr().String()
	good := dial(t, srv.URL+"/events?topic=t", nil)
	var victims []net.Conn
	for i := 0; i < 20; i++ {
		victims = append(victims, rawStream(t, addr, "/events?topic=t"))
	}
	waitUntil(t, "21 connections", func() bool { return hub.Count() == 21 })
	// Half are killed (RST) as events start flowing, half read a little
	// and then stop reading. The good client keeps pace with the publisher
	// (lockstep), so it is never the one that falls behind.
	payload := []byte(strings.Repeat("y", 4096))
	for i := 0; i < 400; i++ {
		if _, err := hub.PublishRaw(context.Background(), "t", "tick", payload); err != nil {
			t.Fatal(err)
		}
		if i < len(victims) {
			if v := victims[i]; i%2 == 0 {
				v.(*net.TCPConn).SetLinger(0)
				v.Close()
			} else {
				bufio.NewReader(v).ReadString('\n')
			}
		}
		if e := good.next(); e.Event != "tick" {
			t.Fatalf("good client got %q", e.Event)
		}
	}
	waitUntil(t, "only the good client left", func() bool { return hub.Count() == 1 })
}
