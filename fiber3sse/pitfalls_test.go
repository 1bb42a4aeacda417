package fiber3sse_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/compress"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/fiber3sse"
)

// The tests of the README's Fiber v3 pitfalls table.

// fasthttp sets one write deadline for a whole response; the stream moves
// it forward before each batch.
func TestWriteTimeoutDoesNotCutTheStream(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(10*time.Millisecond))
	const writeTimeout = 100 * time.Millisecond
	app := fiber.New(fiber.Config{WriteTimeout: writeTimeout})
	mount(t, app, hub)
	url := serve(t, hub, app)
	s := open(t, url+"/events", nil)
	began := time.Now()
	for time.Since(began) < 3*writeTimeout {
		if l := s.Line(); l != ": ping\n" && l != "retry: 3000\n" {
			t.Fatalf("unexpected line %q", l)
		}
	}
}

// fasthttp's ReadTimeout deadline, set for reading the request, is still
// on the connection while the stream runs: it must not end the stream, and
// the peek before each heartbeat must still see the client leave
// afterwards.
func TestReadTimeoutDoesNotCutTheStream(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(10*time.Millisecond))
	const readTimeout = 50 * time.Millisecond
	app := fiber.New(fiber.Config{ReadTimeout: readTimeout})
	mount(t, app, hub)
	url := serve(t, hub, app)
	s := open(t, url+"/events", nil)
	began := time.Now()
	for time.Since(began) < 4*readTimeout {
		if l := s.Line(); l != ": ping\n" && l != "retry: 3000\n" {
			t.Fatalf("unexpected line %q", l)
		}
	}
	s.Close()
	waitFor(t, "the stream to end after its client left", func() bool { return hub.Count() == 0 })
}

// A client that closed its stream is noticed at the next heartbeat, by the
// peek before it: the ping itself would still be written to the closed
// connection without an error.
func TestClosedClientIsNoticedAtTheNextHeartbeat(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(10*time.Millisecond))
	app := fiber.New()
	mount(t, app, hub)
	url := serve(t, hub, app)
	for range 3 {
		s := open(t, url+"/events", nil)
		s.Close()
	}
	waitFor(t, "hub.Count() back to 0", func() bool { return hub.Count() == 0 })
	if st := hub.Stats(); st.Disconnects != 3 {
		t.Errorf("disconnects %d, want 3", st.Disconnects)
	}
}

// Bytes from the client during a stream (a pipelined request) are left
// unread: the stream goes on, and once it ends the connection serves that
// request as its next one.
func TestPipelinedRequestIsServedAfterTheStream(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(10*time.Millisecond))
	app := fiber.New()
	mount(t, app, hub)
	url := serve(t, hub, app)
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(wait))
	fmt.Fprintf(conn, "GET /events?topic=t HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the stream to register", func() bool { return hub.Count() == 1 })
	fmt.Fprintf(conn, "GET /events/stats HTTP/1.1\r\nHost: x\r\n\r\n")
	body := bufio.NewReader(resp.Body)
	// Heartbeats after the bytes arrived: the peek saw a client still there.
	for pings := 0; pings < 3; {
		l, err := body.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended after a pipelined request: %v", err)
		}
		if l == ": ping\n" {
			pings++
		}
	}
	if _, err := hub.Publish(context.Background(), "t", "still.here", nil); err != nil {
		t.Fatal(err)
	}
	for {
		l, err := body.ReadString('\n')
		if err != nil {
			t.Fatalf("no event after a pipelined request: %v", err)
		}
		if l == "event: still.here\n" {
			break
		}
	}
	for _, c := range hub.Conns(core.Match{}) {
		c.Close()
	}
	if _, err := io.Copy(io.Discard, body); err != nil {
		t.Fatalf("stream end: %v", err)
	}
	resp.Body.Close()
	stats, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("the pipelined request got no answer: %v", err)
	}
	defer stats.Body.Close()
	if b, _ := io.ReadAll(stats.Body); stats.StatusCode != http.StatusOK || !strings.Contains(string(b), `"connections"`) {
		t.Errorf("pipelined stats: %d %s", stats.StatusCode, b)
	}
}

// compress reads the whole response body after the handler, which for a
// stream never ends; Skipper in its Next keeps it off the stream.
func TestSkipperKeepsCompressOffTheStream(t *testing.T) {
	hub := newHub(t)
	app := fiber.New()
	app.Use(compress.New(compress.Config{Next: fiber3sse.Skipper}))
	mount(t, app, hub)
	url := serve(t, hub, app)
	s := open(t, url+"/events?topic=t", http.Header{"Accept-Encoding": {"gzip"}})
	if ce := s.Response().Header.Get("Content-Encoding"); ce != "" {
		t.Fatalf("stream Content-Encoding %q", ce)
	}
	if _, err := hub.Publish(context.Background(), "t", "through", nil); err != nil {
		t.Fatal(err)
	}
	if got := s.Event(); got != "through" {
		t.Errorf("got %q", got)
	}
}

// fasthttp rejects a body over BodyLimit and headers over ReadBufferSize
// before any route runs; ErrorHandler answers them as the routes answer.
func TestErrorHandlerAnswersFasthttpErrorsAsJSON(t *testing.T) {
	hub := newHub(t)
	app := fiber.New(fiber.Config{ErrorHandler: fiber3sse.ErrorHandler, BodyLimit: 1 << 10, ReadBufferSize: 4 << 10})
	mount(t, app, hub, core.BroadcastAuth(core.BearerToken("tok")))
	url := serve(t, hub, app)
	for _, tc := range []struct {
		name   string
		header http.Header
		body   string
		status int
	}{
		{"body over BodyLimit", http.Header{"Authorization": {"Bearer tok"}}, `{"event":"x","data":"` + strings.Repeat("a", 2<<10) + `"}`, http.StatusRequestEntityTooLarge},
		{"headers over ReadBufferSize", http.Header{"X-Big": {strings.Repeat("b", 8<<10)}}, `{"event":"x"}`, http.StatusRequestHeaderFieldsTooLarge},
		{"no route", nil, "", http.StatusNotFound},
	} {
		path := "/events/broadcast"
		if tc.status == http.StatusNotFound {
			path = "/nowhere"
		}
		req, _ := http.NewRequest(http.MethodPost, url+path, strings.NewReader(tc.body))
		for k, v := range tc.header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != "application/json" || !strings.HasPrefix(string(b), `{"error":`) {
			t.Errorf("%s: got %d %q %s, want %d and a JSON error", tc.name, resp.StatusCode, resp.Header.Get("Content-Type"), b, tc.status)
		}
	}
}

// app.Shutdown ends open streams (the server's done channel), where it
// would otherwise wait for them forever.
func TestAppShutdownEndsStreams(t *testing.T) {
	hub := newHub(t)
	app := fiber.New()
	mount(t, app, hub)
	url := serve(t, hub, app)
	s := open(t, url+"/events", nil)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := app.ShutdownWithContext(ctx); err != nil {
		t.Fatalf("app shutdown with an open stream: %v", err)
	}
	s.Rest()
	waitFor(t, "hub.Count() back to 0", func() bool { return hub.Count() == 0 })
}

// waitFor fails t unless cond becomes true within the wait.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-time.After(2 * time.Millisecond)
	}
}
