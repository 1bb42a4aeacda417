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
// on the connection the stream's client watch reads: it must not end the
// stream, and the watch must still see the client leave afterwards.
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

// With no heartbeat and no event, nothing is ever written to the stream:
// only the client watch can notice that the client left.
func TestClosedClientIsNoticedWithoutAWrite(t *testing.T) {
	hub := newHub(t) // no heartbeat
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

// Bytes from the client during a stream (a pipelined request) cannot be
// handed back to fasthttp once read: the stream and the connection end.
func TestBytesDuringAStreamCloseTheConnection(t *testing.T) {
	hub := newHub(t)
	app := fiber.New()
	mount(t, app, hub)
	url := serve(t, hub, app)
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(wait))
	fmt.Fprintf(conn, "GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the stream to register", func() bool { return hub.Count() == 1 })
	fmt.Fprintf(conn, "GET /events/stats HTTP/1.1\r\nHost: x\r\n\r\n")
	// The unread request makes the close a reset, which may cut the body.
	io.Copy(io.Discard, resp.Body)
	if _, err := br.ReadByte(); err == nil {
		t.Error("the connection served on after the stream")
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Error("the connection stayed open")
	}
	waitFor(t, "hub.Count() back to 0", func() bool { return hub.Count() == 0 })
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
