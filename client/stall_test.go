package client_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ssekit/ssekit/client"
)

// pipeNet is an in-memory network for tests inside a synctest bubble: a
// goroutine waiting on a loopback socket is not "durably blocked", one
// waiting on net.Pipe is, so fake time can pass.
type pipeNet struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeNet() *pipeNet { return &pipeNet{conns: make(chan net.Conn), done: make(chan struct{})} }

func (p *pipeNet) Accept() (net.Conn, error) {
	select {
	case c := <-p.conns:
		return c, nil
	case <-p.done:
		return nil, net.ErrClosed
	}
}

func (p *pipeNet) Close() error {
	p.once.Do(func() { close(p.done) })
	return nil
}

func (p *pipeNet) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

func (p *pipeNet) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	c, s := net.Pipe()
	select {
	case p.conns <- s:
		return c, nil
	case <-p.done:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// bubbleServer serves h on a pipeNet and returns a client for it; both
// stop when the test ends.
func bubbleServer(t *testing.T, h http.HandlerFunc) *http.Client {
	p := newPipeNet()
	srv := &http.Server{Handler: h}
	go srv.Serve(p)
	tr := &http.Transport{DialContext: p.dial}
	t.Cleanup(func() {
		srv.Close()
		tr.CloseIdleConnections()
	})
	return &http.Client{Transport: tr}
}

func TestStallWatchdog(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		attempts := make(chan time.Time, 4)
		hc := bubbleServer(t, func(w http.ResponseWriter, r *http.Request) {
			attempts <- time.Now()
			w.Header().Set("Content-Type", "text/event-stream")
			w.Write([]byte(": connected\nid: 1\ndata: a\n\n"))
			w.(http.Flusher).Flush()
			// Heartbeats for a while, then silence.
			for range 3 {
				select {
				case <-time.After(10 * time.Second):
					w.Write([]byte(": ping\n"))
					w.(http.Flusher).Flush()
				case <-r.Context().Done():
					return
				}
			}
			<-r.Context().Done()
		})
		c, err := client.New("http://stream.test/events", client.WithHTTPClient(hc),
			client.WithStallTimeout(30*time.Second), client.WithRetry(time.Second), client.WithMaxDelay(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		start := time.Now()
		var stalledAt time.Time
		for ev, err := range c.Events(ctx) {
			if ev != nil {
				continue
			}
			if !errors.Is(err, client.ErrStalled) {
				t.Fatalf("got %v, want a reconnect for a stall", err)
			}
			stalledAt = time.Now()
			break
		}
		// Heartbeats every 10 s kept it alive for 30 s; then 30 s of silence.
		if got := stalledAt.Sub(start); got != 60*time.Second {
			t.Fatalf("stall detected after %v, want 60s", got)
		}
		cancel()
	})
}

func TestStallWhileConnecting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hc := bubbleServer(t, func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done() // never answers
		})
		c, _ := client.New("http://stream.test/events", client.WithHTTPClient(hc), client.WithStallTimeout(20*time.Second))
		start := time.Now()
		for _, err := range c.Events(t.Context()) {
			var re *client.ReconnectError
			if !errors.As(err, &re) || !errors.Is(err, client.ErrStalled) || time.Since(start) != 20*time.Second {
				t.Fatalf("got %v after %v, want a stall after 20s", err, time.Since(start))
			}
			break
		}
	})
}

func TestSlowConsumerIsNotAStall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hc := bubbleServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.Write([]byte("data: a\n\ndata: b\n\n"))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		})
		c, _ := client.New("http://stream.test/events", client.WithHTTPClient(hc), client.WithStallTimeout(20*time.Second))
		got := 0
		for ev, err := range c.Events(t.Context()) {
			if err != nil {
				t.Fatalf("got %v: time spent in the loop body counted as a stall", err)
			}
			got++
			if got == 2 {
				break
			}
			time.Sleep(time.Minute) // fake time: the loop body is busy for a minute
			_ = ev
		}
	})
}
