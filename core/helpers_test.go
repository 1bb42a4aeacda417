package core_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
)

const waitFor = 10 * time.Second

// newHub returns a hub that is shut down when the test ends.
func newHub(t testing.TB, opts ...core.HubOption) *core.Hub {
	t.Helper()
	hub, err := core.NewHub(opts...)
	if err != nil {
		t.Fatalf("NewHub: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		if err := hub.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return hub
}

// serve mounts hub on a real loopback server.
func serve(t testing.TB, hub *core.Hub, opts ...core.RouteOption) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	if err := core.Mount(mux, "/events", hub, opts...); err != nil {
		t.Fatalf("Mount: %v", err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		hub.Shutdown(ctx)
		srv.Close()
	})
	return srv
}

// client is a real SSE client on a real connection, parsing with the
// WHATWG rules.
type client struct {
	t       testing.TB
	resp    *http.Response
	cancel  context.CancelFunc
	events  chan sseEvent
	done    chan struct{}
	changed chan struct{}

	mu     sync.Mutex
	raw    []byte
	parser *sseParser
}

// dial opens a stream and waits for its headers.
func dial(t testing.TB, url string, header http.Header) *client {
	t.Helper()
	c, status := tryDial(t, url, header)
	if status != http.StatusOK {
		t.Fatalf("GET %s: status %d", url, status)
	}
	return c
}

func tryDial(t testing.TB, url string, header http.Header) (*client, int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("GET %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		cancel()
		return nil, resp.StatusCode
	}
	c := &client{t: t, resp: resp, cancel: cancel, events: make(chan sseEvent, 4096), done: make(chan struct{}), changed: make(chan struct{}, 1), parser: newSSEParser()}
	go c.read()
	t.Cleanup(c.close)
	return c, resp.StatusCode
}

func (c *client) read() {
	defer close(c.done)
	defer close(c.events)
	buf := make([]byte, 32<<10)
	for {
		n, err := c.resp.Body.Read(buf)
		if n > 0 {
			c.mu.Lock()
			c.raw = append(c.raw, buf[:n]...)
			evs := c.parser.Feed(buf[:n])
			c.mu.Unlock()
			select {
			case c.changed <- struct{}{}:
			default:
			}
			for _, e := range evs {
				c.events <- e
			}
		}
		if err != nil {
			return
		}
	}
}

// next returns the next event, failing the test after waitFor.
func (c *client) next() sseEvent {
	c.t.Helper()
	select {
	case e, ok := <-c.events:
		if !ok {
			c.t.Fatalf("stream ended while waiting for an event; got so far:\n%s", c.tail())
		}
		return e
	case <-time.After(waitFor):
		c.t.Fatalf("no event within %v; got so far:\n%s", waitFor, c.tail())
	}
	return sseEvent{}
}

// nextEnvelope returns the next event with its decoded envelope.
func (c *client) nextEnvelope() (sseEvent, core.Envelope) {
	c.t.Helper()
	e := c.next()
	var env core.Envelope
	if err := json.Unmarshal([]byte(e.Data), &env); err != nil {
		c.t.Fatalf("event %q: data is not an envelope: %v\n%s", e.Event, err, e.Data)
	}
	return e, env
}

// waitEnd waits until the server ends the stream and returns every event
// not yet consumed.
func (c *client) waitEnd() []sseEvent {
	c.t.Helper()
	var rest []sseEvent
	timeout := time.After(waitFor)
	for {
		select {
		case e, ok := <-c.events:
			if !ok {
				return rest
			}
			rest = append(rest, e)
		case <-timeout:
			c.t.Fatalf("stream did not end within %v", waitFor)
		}
	}
}

// waitRaw waits until the raw stream contains s.
func (c *client) waitRaw(s string) {
	c.t.Helper()
	timeout := time.After(waitFor)
	for !strings.Contains(c.rawString(), s) {
		select {
		case <-c.changed:
		case <-c.done:
			if !strings.Contains(c.rawString(), s) {
				c.t.Fatalf("stream ended without %q; got:\n%s", s, c.tail())
			}
			return
		case <-timeout:
			c.t.Fatalf("stream never contained %q; got:\n%s", s, c.tail())
		}
	}
}

func (c *client) rawString() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.raw)
}

// tail is the end of the raw stream, for failure messages.
func (c *client) tail() string {
	s := c.rawString()
	if len(s) > 1500 {
		s = "…" + s[len(s)-1500:]
	}
	return s
}

func (c *client) close() {
	c.cancel()
	c.resp.Body.Close()
	<-c.done
}

// waitUntil polls an observable condition (hub state that has no event to
// wait on) until it holds, failing after waitFor.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(waitFor)
	for !cond() {
		select {
		case <-tick.C:
		case <-timeout:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// post sends a JSON body to the broadcast route.
func post(t testing.TB, url, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(bufio.NewReader(resp.Body))
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("POST %s: status %d, body is not JSON: %q", url, resp.StatusCode, b)
	}
	return resp.StatusCode, out
}

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }

// mustStream is core.NewStream for a test.
func mustStream(t testing.TB, hub *core.Hub, opts ...core.RouteOption) *core.Stream {
	t.Helper()
	s, err := core.NewStream(hub, opts...)
	if err != nil {
		t.Fatalf("NewStream: %v", err)
	}
	return s
}
