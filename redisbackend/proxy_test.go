package redisbackend_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/redisbackend"
)

// blackhole is a TCP proxy to Redis that can silently stop forwarding on
// the connections it holds, as a network partition or a half-dead load
// balancer does: the sockets stay open, nothing arrives.
type blackhole struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	pairs  []*pair
	wg     sync.WaitGroup
	silent atomic.Bool // new connections are frozen from the start
}

type pair struct {
	a, b   net.Conn
	frozen atomic.Bool
	sub    atomic.Bool // carried a SUBSCRIBE: the subscriber connection
}

func newBlackhole(t *testing.T, target string) *blackhole {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &blackhole{ln: ln, target: target}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *blackhole) addr() string { return p.ln.Addr().String() }

func (p *blackhole) accept() {
	defer p.wg.Done()
	for {
		a, err := p.ln.Accept()
		if err != nil {
			return
		}
		b, err := net.Dial("tcp", p.target)
		if err != nil {
			a.Close()
			continue
		}
		pr := &pair{a: a, b: b}
		pr.frozen.Store(p.silent.Load())
		p.mu.Lock()
		p.pairs = append(p.pairs, pr)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(pr, a, b, true)
		go p.pipe(pr, b, a, false)
	}
}

// pipe copies src to dst, discarding everything once the pair is frozen.
func (p *blackhole) pipe(pr *pair, dst, src net.Conn, toRedis bool) {
	defer p.wg.Done()
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if toRedis && bytes.Contains(bytes.ToLower(buf[:n]), []byte("subscribe")) {
			pr.sub.Store(true)
		}
		if n > 0 && !pr.frozen.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if err != io.EOF {
				src.Close()
			}
			return
		}
	}
}

// freeze blackholes every connection open now; new ones work.
func (p *blackhole) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pr := range p.pairs {
		pr.frozen.Store(true)
	}
}

// freezeSubscriber blackholes the subscriber connection only: commands
// still work, live events stop arriving. It waits for the subscriber to
// connect first.
func (p *blackhole) freezeSubscriber(t *testing.T) {
	t.Helper()
	err := waitFor(wait, func() error {
		p.mu.Lock()
		defer p.mu.Unlock()
		n := 0
		for _, pr := range p.pairs {
			if pr.sub.Load() {
				pr.frozen.Store(true)
				n++
			}
		}
		if n == 0 {
			return errors.New("no subscriber connection through the proxy yet")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (p *blackhole) close() {
	p.ln.Close()
	p.mu.Lock()
	for _, pr := range p.pairs {
		pr.a.Close()
		pr.b.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func TestSilentSubscriptionIsDetectedAndWhatItMissedIsRecovered(t *testing.T) {
	srv := startRedis(t)
	proxy := newBlackhole(t, srv.addr())
	prefix := newPrefix()
	in := newInstance(t, "redis://"+proxy.addr()+"/0", prefix,
		redisbackend.WithReconnect(20*time.Millisecond, 100*time.Millisecond, 200*time.Millisecond),
		redisbackend.WithPublishTimeout(300*time.Millisecond))
	c := connect(t, in, "topic=r", "")
	pub, err := redisbackend.NewPublisher(context.Background(), srv.url(), redisbackend.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	ctx := context.Background()

	first, err := pub.Publish(ctx, "r", "e", 0)
	if err != nil {
		t.Fatal(err)
	}
	if e := c.next(t, wait); e.ID != first {
		t.Fatalf("got %+v, want %s", e, first)
	}
	// The instance's connections go silent without closing.
	proxy.freezeSubscriber(t)
	proxy.freeze()
	var ids []string
	for n := 1; n <= 10; n++ {
		id, err := pub.Publish(ctx, "r", "e", n)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		if e := c.next(t, 10*time.Second); e.ID != id {
			t.Fatalf("got %+v, want %s", e, id)
		}
	}
	if s := in.broker.Stats(); s.Reconnects == 0 || s.Recovered < uint64(len(ids)) {
		t.Fatalf("broker stats %+v: want a reconnect and %d events recovered from the stream", s, len(ids))
	}
}

func TestResumeOnALaggingInstanceGetsEachEventOnce(t *testing.T) {
	srv := startRedis(t)
	proxy := newBlackhole(t, srv.addr())
	prefix := newPrefix()
	a := newInstance(t, srv.url(), prefix)
	// B reaches Redis through a proxy that will silence B's subscription:
	// it falls behind A for a second or two, until its health check
	// notices, while B's commands (and so its replay) still work.
	b := newInstance(t, "redis://"+proxy.addr()+"/0", prefix,
		redisbackend.WithReconnect(20*time.Millisecond, 100*time.Millisecond, time.Second))
	ca := connect(t, a, "topic=r", "")
	ctx := context.Background()
	publish := func(n int) string {
		t.Helper()
		id, err := a.hub.Publish(ctx, "r", "e", n)
		if err != nil {
			t.Fatal(err)
		}
		if e := ca.next(t, wait); e.ID != id {
			t.Fatalf("client on A got %+v, want %s", e, id)
		}
		return id
	}
	first := publish(1)
	proxy.freezeSubscriber(t)
	want := []string{publish(2), publish(3)}

	// The client moves to B with an id B has not delivered yet: B replays
	// from the stream at once, and the events its subscription delivers
	// later must not reach the client a second time.
	r := follow(t, b, "topic=r", first)
	for _, id := range want {
		if e := r.next(t, 10*time.Second); e.ID != id {
			t.Fatalf("got %+v, want %s", e, id)
		}
	}
	last := publish(4)
	if e := r.next(t, wait); e.ID != last {
		t.Fatalf("got %+v, want %s", e, last)
	}
	r.none(t, 300*time.Millisecond)
	if s := b.broker.Stats(); s.Reconnects == 0 {
		t.Fatalf("B's subscription was never silenced: %+v", s)
	}
}

func TestPublishToASilentRedisFailsWithinTheTimeout(t *testing.T) {
	srv := startRedis(t)
	proxy := newBlackhole(t, srv.addr())
	in := newInstance(t, "redis://"+proxy.addr()+"/0", newPrefix(), redisbackend.WithPublishTimeout(300*time.Millisecond))
	ctx := context.Background()
	if _, err := in.hub.Publish(ctx, "r", "e", 1); err != nil {
		t.Fatal(err)
	}
	// Redis stops answering, on every connection, old and new, without
	// closing any: no error comes from the network, only silence.
	proxy.silent.Store(true)
	proxy.freeze()
	for range 3 {
		start := time.Now()
		if _, err := in.hub.Publish(ctx, "r", "e", 2); !errors.Is(err, core.ErrUnavailable) {
			t.Fatalf("publish to a silent Redis: %v, want an error wrapping core.ErrUnavailable", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("publish took %v to fail (timeout 300ms)", d)
		}
	}
}
