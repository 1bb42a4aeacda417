package redisbackend_test

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

	"github.com/redis/go-redis/v9"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/redisbackend"
)

// instance is one app instance: a hub on a Redis broker, served over HTTP.
type instance struct {
	broker *redisbackend.Broker
	hub    *core.Hub
	srv    *httptest.Server
}

// newInstance starts an instance on redisURL with the given prefix; the
// test's cleanup shuts it down.
func newInstance(t *testing.T, redisURL, prefix string, opts ...redisbackend.Option) *instance {
	t.Helper()
	b, err := redisbackend.New(context.Background(), redisURL, append([]redisbackend.Option{redisbackend.WithPrefix(prefix)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dropKeys(redisURL, prefix) }) // registered first, so it runs last
	return serve(t, b)
}

// dropKeys removes a test prefix's keys from a Redis that outlives the test.
func dropKeys(redisURL, prefix string) {
	o, err := redisbackend.ClientOptions(redisURL)
	if err != nil {
		return
	}
	c := redis.NewClient(o)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	c.Del(ctx, "{"+prefix+"}:stream", "{"+prefix+"}:nodes")
}

func serve(t *testing.T, b *redisbackend.Broker, routeOpts ...core.RouteOption) *instance {
	t.Helper()
	return start(t, b, nil, routeOpts)
}

// serveWith is serve with extra hub options.
func serveWith(t *testing.T, b *redisbackend.Broker, opts ...core.HubOption) *instance {
	t.Helper()
	return start(t, b, opts, nil)
}

func start(t *testing.T, b *redisbackend.Broker, opts []core.HubOption, routeOpts []core.RouteOption) *instance {
	t.Helper()
	hub, err := core.NewHub(append([]core.HubOption{core.WithBroker(b), core.WithQueueSize(16384), core.WithHeartbeat(0), core.WithShutdownSpread(0)}, opts...)...)
	if err != nil {
		b.Close()
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	if err := core.Mount(mux, "/events", hub, routeOpts...); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	in := &instance{broker: b, hub: hub, srv: srv}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hub.Shutdown(ctx)
		srv.Close()
		if err := b.Close(); err != nil {
			t.Errorf("broker close: %v", err)
		}
		if err := b.Close(); err != nil {
			t.Errorf("second broker close: %v", err)
		}
	})
	return in
}

// event is one SSE event as a client sees it.
type event struct {
	ID, Event, Data string
}

// envelope decodes the event's data.
func (e event) envelope(t *testing.T) core.Envelope {
	t.Helper()
	var env core.Envelope
	if err := json.Unmarshal([]byte(e.Data), &env); err != nil {
		t.Fatalf("event %q: bad envelope %q: %v", e.ID, e.Data, err)
	}
	return env
}

// client is a real SSE client reading a stream over HTTP.
type client struct {
	events chan event
	done   chan struct{} // closed when the stream ends
	cancel context.CancelFunc
}

// connect opens a stream at in's /events with query and optional
// Last-Event-ID, and waits for the stream to be open (its ": connected"
// comment), so that a publish that follows reaches it.
func connect(t *testing.T, in *instance, query, lastID string) *client {
	t.Helper()
	return connectURL(t, in.srv.URL+"/events?"+query, lastID)
}

func connectURL(t *testing.T, url, lastID string) *client {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		cancel()
		resp.Body.Close()
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	c := &client{events: make(chan event, 100000), done: make(chan struct{}), cancel: cancel}
	opened := make(chan struct{})
	go func() {
		defer close(c.done)
		defer resp.Body.Close()
		var once sync.Once
		readEvents(resp.Body, func() { once.Do(func() { close(opened) }) }, func(e event) { c.events <- e })
		once.Do(func() { close(opened) })
	}()
	select {
	case <-opened:
	case <-time.After(5 * time.Second):
		cancel()
		t.Fatal("stream did not open")
	}
	t.Cleanup(func() { cancel(); <-c.done })
	return c
}

// next returns the next event, failing the test after d.
func (c *client) next(t *testing.T, d time.Duration) event {
	t.Helper()
	select {
	case e := <-c.events:
		return e
	case <-time.After(d):
		t.Fatalf("no event within %v", d)
	}
	return event{}
}

// through reads events in strictly increasing id order, none a reset,
// until the one with id last.
func (c *client) through(t *testing.T, last string) []event {
	t.Helper()
	var got []event
	for {
		e := c.next(t, wait)
		if e.Event == core.ResetEvent || (len(got) > 0 && compareIDs(e.ID, got[len(got)-1].ID) <= 0) {
			t.Fatalf("after %d events, got %+v", len(got), e)
		}
		got = append(got, e)
		if e.ID == last {
			return got
		}
	}
}

// none asserts that no event arrives within d.
func (c *client) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case e := <-c.events:
		t.Fatalf("unexpected event %+v", e)
	case <-time.After(d):
	}
}

// readEvents parses an event stream, calling line for every line read and
// emit for every event.
func readEvents(r io.Reader, line func(), emit func(event)) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	var ev event
	var data []string
	for sc.Scan() {
		l := sc.Text()
		line()
		switch {
		case l == "":
			if len(data) > 0 || ev.Event != "" {
				ev.Data = strings.Join(data, "\n")
				emit(ev)
			}
			ev, data = event{}, nil
		case strings.HasPrefix(l, ":"):
		case strings.HasPrefix(l, "id: "):
			ev.ID = l[4:]
		case strings.HasPrefix(l, "event: "):
			ev.Event = l[7:]
		case strings.HasPrefix(l, "data: "):
			data = append(data, l[6:])
		}
	}
}

// follow is a client that behaves like EventSource: when the stream ends
// or cannot be opened, it reconnects with the last id it saw, until the
// test ends.
func follow(t *testing.T, in *instance, query, lastID string) *client {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c := &client{events: make(chan event, 100000), done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(c.done)
		last := lastID
		for ctx.Err() == nil {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, in.srv.URL+"/events?"+query, nil)
			if last != "" {
				req.Header.Set("Last-Event-ID", last)
			}
			if resp, err := http.DefaultClient.Do(req); err == nil {
				readEvents(resp.Body, func() {}, func(e event) {
					if e.ID != "" {
						last = e.ID
					}
					c.events <- e
				})
				resp.Body.Close()
			}
			select { // the reconnect delay a retry: hint would give
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-c.done })
	return c
}
