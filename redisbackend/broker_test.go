package redisbackend_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
	"github.com/ssekit/ssekit/redisbackend"
)

const wait = 5 * time.Second

func TestTwoHubsDeliverToEachOthersClients(t *testing.T) {
	url, prefix := redisURL(t), newPrefix()
	a, b := newInstance(t, url, prefix), newInstance(t, url, prefix)
	onA := connect(t, a, "topic=orders&tenant=acme", "")
	onB := connect(t, b, "topic=orders&tenant=globex", "")
	otherTopic := connect(t, b, "topic=news", "")
	ctx := context.Background()

	idA, err := a.hub.Publish(ctx, "orders", "order.created", map[string]int{"n": 1})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*client{"client on A": onA, "client on B": onB} {
		e := c.next(t, wait)
		if e.ID != idA || e.Event != "order.created" {
			t.Fatalf("%s got %+v, want id %s", name, e, idA)
		}
		env := e.envelope(t)
		if string(env.Data) != `{"n":1}` || env.Meta[core.MetaTopic] != "orders" || env.ID != idA {
			t.Fatalf("%s: envelope %+v", name, env)
		}
	}

	// A filter travels with the event and is applied where the client is.
	idB, err := b.hub.Publish(ctx, "orders", "order.shipped", 2, core.Where(core.Match{"tenant": "acme"}))
	if err != nil {
		t.Fatal(err)
	}
	if e := onA.next(t, wait); e.ID != idB {
		t.Fatalf("client on A got %+v, want %s", e, idB)
	}
	if compareIDs(idB, idA) <= 0 {
		t.Fatalf("ids do not increase: %s then %s", idA, idB)
	}

	// So does a connection id: SendTo from B reaches the connection on A.
	conns := a.hub.Conns(core.Match{"tenant": "acme"})
	if len(conns) != 1 {
		t.Fatalf("hub A holds %d acme connections", len(conns))
	}
	idC, err := b.hub.SendTo(ctx, conns[0].ID(), "direct", "hi")
	if err != nil {
		t.Fatal(err)
	}
	if e := onA.next(t, wait); e.ID != idC || e.Event != "direct" {
		t.Fatalf("client on A got %+v, want direct %s", e, idC)
	}
	onB.none(t, 200*time.Millisecond)
	otherTopic.none(t, 0)
}

func TestClientResumesOnTheOtherInstance(t *testing.T) {
	url, prefix := redisURL(t), newPrefix()
	a, b := newInstance(t, url, prefix), newInstance(t, url, prefix)
	ctx := context.Background()
	c := connect(t, a, "topic=feed", "")
	var ids []string
	publish := func(n int) string {
		t.Helper()
		id, err := a.hub.Publish(ctx, "feed", "item", n)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		return id
	}
	for n := 1; n <= 3; n++ {
		publish(n)
	}
	var last string
	for range 3 {
		last = c.next(t, wait).ID
	}
	c.cancel()
	<-c.done
	for n := 4; n <= 6; n++ {
		publish(n)
		// Another topic the client does not follow must not be replayed.
		if _, err := a.hub.Publish(ctx, "other", "noise", n); err != nil {
			t.Fatal(err)
		}
	}

	r := connect(t, b, "topic=feed", last)
	for i, want := range ids[3:] {
		e := r.next(t, wait)
		if e.ID != want || string(e.envelope(t).Data) != strconv.Itoa(i+4) {
			t.Fatalf("replayed event %d: %+v, want id %s", i+4, e, want)
		}
	}
	live := publish(7)
	if e := r.next(t, wait); e.ID != live {
		t.Fatalf("live event after replay: %+v, want %s", e, live)
	}
	r.none(t, 200*time.Millisecond)
}

func TestUnknownLastEventIDGetsReset(t *testing.T) {
	url, prefix := redisURL(t), newPrefix()
	in := newInstance(t, url, prefix, redisbackend.WithStreamLimits(10, 0))
	ctx := context.Background()
	var first, last string
	for n := range 350 {
		id, err := in.hub.Publish(ctx, "t", "e", n)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			first = id
		}
		last = id
	}
	// Wait until this instance has seen its own last event.
	if err := waitFor(wait, func() error {
		if in.broker.Stats().LastID != last {
			return fmt.Errorf("broker at %s, want %s", in.broker.Stats().LastID, last)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// A recent id is still known: nothing to replay, no reset.
	c := connect(t, in, "topic=t", last)
	c.none(t, 200*time.Millisecond)
	c.cancel()
	for name, id := range map[string]string{
		"trimmed":       first,
		"before stream": "1-0",
		"after last":    "99999999999999-0",
		"malformed":     "not-an-id",
	} {
		t.Run(name, func(t *testing.T) {
			// An id from before the stream's epoch gets the reset, then
			// every event the stream still holds; the others get the reset
			// at the stream's newest id.
			wholeStream := name == "before stream"
			c := connect(t, in, "topic=t", id)
			e := c.next(t, wait)
			if e.Event != core.ResetEvent {
				t.Fatalf("Last-Event-ID %q: got %+v, want %s", id, e, core.ResetEvent)
			}
			if wholeStream {
				c.through(t, last)
			}
			// The reset carries a position the client can resume from.
			r := connect(t, in, "topic=t", e.ID)
			if wholeStream {
				r.through(t, last)
			}
			nid, err := in.hub.Publish(ctx, "t", "e", "after reset")
			if err != nil {
				t.Fatal(err)
			}
			if got := r.next(t, wait); got.ID != nid {
				t.Fatalf("resume from reset position %s: got %+v, want %s", e.ID, got, nid)
			}
			last = nid
		})
	}
}

func TestManyConcurrentPublishersLoseNothing(t *testing.T) {
	url, prefix := redisURL(t), newPrefix()
	a := newInstance(t, url, prefix, redisbackend.WithStreamLimits(100000, 0))
	b := newInstance(t, url, prefix, redisbackend.WithStreamLimits(100000, 0))
	ca, cb := connect(t, a, "topic=load", ""), connect(t, b, "topic=load", "")
	const publishers, each = 16, 200
	var wg sync.WaitGroup
	errs := make(chan error, publishers)
	for p := range publishers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hub := a.hub
			if p%2 == 1 {
				hub = b.hub
			}
			for i := range each {
				if _, err := hub.Publish(context.Background(), "load", "n", fmt.Sprintf("%d-%d", p, i)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for name, c := range map[string]*client{"A": ca, "B": cb} {
		seen := map[string]bool{}
		prev := ""
		for range publishers * each {
			e := c.next(t, wait)
			if prev != "" && compareIDs(e.ID, prev) <= 0 {
				t.Fatalf("client on %s: id %s after %s", name, e.ID, prev)
			}
			prev = e.ID
			d := string(e.envelope(t).Data)
			if seen[d] {
				t.Fatalf("client on %s: %s twice", name, d)
			}
			seen[d] = true
		}
		c.none(t, 100*time.Millisecond)
	}
	if s := a.broker.Stats(); s.Published == 0 || s.PublishErrors != 0 {
		t.Fatalf("broker stats %+v", s)
	}
}

func TestPublisherReachesClientsOnEveryInstance(t *testing.T) {
	url, prefix := redisURL(t), newPrefix()
	a, b := newInstance(t, url, prefix), newInstance(t, url, prefix)
	ca, cb := connect(t, a, "topic=billing&user_id=7", ""), connect(t, b, "topic=billing&user_id=8", "")
	ctx := context.Background()
	p, err := redisbackend.NewPublisher(ctx, url, redisbackend.WithPrefix(prefix), redisbackend.WithProducer("billing-svc"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	id, err := p.Publish(ctx, "billing", "invoice.paid", map[string]any{"amount": 42})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*client{ca, cb} {
		e := c.next(t, wait)
		env := e.envelope(t)
		if e.ID != id || env.Meta[core.MetaProducer] != "billing-svc" || string(env.Data) != `{"amount":42}` {
			t.Fatalf("got %+v %+v", e, env)
		}
	}
	id2, err := p.PublishRaw(ctx, "billing", "note", []byte("plain text"), core.Where(core.Match{"user_id": "8"}))
	if err != nil {
		t.Fatal(err)
	}
	if e := cb.next(t, wait); e.ID != id2 || string(e.envelope(t).Data) != `"plain text"` {
		t.Fatalf("got %+v", e)
	}
	ca.none(t, 200*time.Millisecond)
	if _, err := p.Publish(ctx, "bad topic\n", "e", 1); err == nil {
		t.Fatal("invalid topic accepted")
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := p.Publish(ctx, "billing", "e", 1); !errors.Is(err, core.ErrClosed) {
		t.Fatalf("publish after Close: %v, want ErrClosed", err)
	}
}

func TestPublishWhileRedisIsDownFailsPromptly(t *testing.T) {
	srv := startRedis(t)
	b, err := redisbackend.New(context.Background(), srv.url(), redisbackend.WithPrefix(newPrefix()),
		redisbackend.WithPublishTimeout(500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Publish(context.Background(), &core.Message{Topic: "t", Event: "e", Data: []byte("1")}); err != nil {
		t.Fatal(err)
	}
	srv.kill()
	for range 3 {
		start := time.Now()
		_, err := b.Publish(context.Background(), &core.Message{Topic: "t", Event: "e", Data: []byte("1")})
		if err == nil {
			t.Fatal("publish to a dead Redis succeeded")
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("publish took %v to fail", d)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := b.Publish(context.Background(), &core.Message{Topic: "t", Event: "e"}); !errors.Is(err, core.ErrClosed) {
		t.Fatalf("publish after Close: %v", err)
	}
	if _, err := b.Subscribe(ext.HandlerFunc(func(*core.Message) {})); !errors.Is(err, core.ErrClosed) {
		t.Fatalf("subscribe after Close: %v", err)
	}
}

func TestNewFailsWhenRedisIsUnreachable(t *testing.T) {
	port := freePort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	if _, err := redisbackend.New(ctx, "redis://127.0.0.1:"+strconv.Itoa(port)+"/0"); err == nil {
		t.Fatal("New succeeded without a Redis")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("New took %v to fail", d)
	}
}

// compareIDs orders two wire ids (both valid in these tests).
func compareIDs(a, b string) int {
	ia, _ := core.ParseID(a)
	ib, _ := core.ParseID(b)
	return ia.Compare(ib)
}
