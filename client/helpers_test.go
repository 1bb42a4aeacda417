package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ssekit/ssekit/client"
	"github.com/ssekit/ssekit/core"
)

// item is one value of an Events loop.
type item struct {
	ev  *client.Event
	err error
}

// run ranges over c.Events(ctx) in a goroutine and hands over every value;
// the channel closes when the loop ends. The loop stops when the test ends.
func run(t *testing.T, c *client.Client) <-chan item {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan item)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		for ev, err := range c.Events(ctx) {
			select {
			case out <- item{ev, err}:
			case <-ctx.Done():
				return
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return out
}

// next returns the next value of the loop, failing the test after wait.
func next(t *testing.T, ch <-chan item) item {
	t.Helper()
	select {
	case it, ok := <-ch:
		if !ok {
			t.Fatal("the Events loop ended")
		}
		return it
	case <-time.After(wait):
		t.Fatal("no value from Events within", wait)
	}
	return item{}
}

// nextEvent returns the next event, failing on an error.
func nextEvent(t *testing.T, ch <-chan item) *client.Event {
	t.Helper()
	it := next(t, ch)
	if it.err != nil {
		t.Fatalf("got error %v, want an event", it.err)
	}
	return it.ev
}

// newHub returns a hub shut down when the test ends.
func newHub(t *testing.T, opts ...core.HubOption) *core.Hub {
	t.Helper()
	hub, err := core.NewHub(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		hub.Shutdown(ctx)
	})
	return hub
}

// serveHub mounts hub on a loopback server; it returns the stream URL and
// a channel that receives every connection the stream accepts.
func serveHub(t *testing.T, hub *core.Hub, opts ...core.RouteOption) (string, <-chan *core.Conn) {
	t.Helper()
	conns := make(chan *core.Conn, 16)
	opts = append(opts, core.OnConnect(func(c *core.Conn, r *http.Request) error {
		conns <- c
		return nil
	}))
	mux := http.NewServeMux()
	if err := core.Mount(mux, "/events", hub, opts...); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/events", conns
}

// serveFunc serves h on a loopback server and returns its URL.
func serveFunc(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// connected waits for the next accepted connection.
func connected(t *testing.T, conns <-chan *core.Conn) *core.Conn {
	t.Helper()
	select {
	case c := <-conns:
		return c
	case <-time.After(wait):
		t.Fatal("no connection within", wait)
	}
	return nil
}

// newClient is client.New with fast reconnects, failing the test on error.
func newClient(t *testing.T, url string, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.New(url, append([]client.Option{client.WithRetry(5 * time.Millisecond), client.WithMaxDelay(20 * time.Millisecond)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
