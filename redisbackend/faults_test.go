package redisbackend_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/redisbackend"
)

var fastReconnect = []redisbackend.Option{
	redisbackend.WithReconnect(20*time.Millisecond, 200*time.Millisecond, 300*time.Millisecond),
	redisbackend.WithPublishTimeout(500 * time.Millisecond),
}

// outcome is what a publisher learned about one publish.
type outcome struct {
	id       string
	accepted bool
}

func TestEveryAcceptedEventArrivesOnceInOrderAcrossARedisRestart(t *testing.T) {
	// AOF with fsync on every write: what Redis acknowledged survives the
	// kill, so "accepted" means durable and every accepted event is owed.
	srv := startRedis(t, "--appendonly", "yes", "--appendfsync", "always")
	prefix := newPrefix()
	in := newInstance(t, srv.url(), prefix, fastReconnect...)
	c := connect(t, in, "topic=r", "")
	// A separate program publishes throughout, as a service would.
	pub, err := redisbackend.NewPublisher(context.Background(), srv.url(), append(fastReconnect, redisbackend.WithPrefix(prefix))...)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()

	var (
		mu        sync.Mutex
		outcomes  []outcome // by sequence number
		accepted  int
		failed    int
		slowest   time.Duration
		stop      = make(chan struct{})
		stopped   = make(chan struct{})
		progress  = make(chan struct{}, 1)
		published = func() (int, int) { mu.Lock(); defer mu.Unlock(); return accepted, failed }
	)
	go func() {
		defer close(stopped)
		for seq := 0; ; seq++ {
			select {
			case <-stop:
				return
			default:
			}
			start := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			id, err := pub.Publish(ctx, "r", "seq", seq)
			cancel()
			mu.Lock()
			outcomes = append(outcomes, outcome{id: id, accepted: err == nil})
			if err == nil {
				accepted++
			} else {
				failed++
				slowest = max(slowest, time.Since(start))
			}
			mu.Unlock()
			select {
			case progress <- struct{}{}:
			default:
			}
		}
	}()
	defer func() { close(stop); <-stopped }()
	until := func(what string, cond func(acc, fail int) bool) {
		t.Helper()
		deadline := time.After(20 * time.Second)
		for {
			if cond(published()) {
				return
			}
			select {
			case <-progress:
			case <-deadline:
				acc, fail := published()
				t.Fatalf("waiting for %s: %d accepted, %d failed", what, acc, fail)
			}
		}
	}

	until("events before the kill", func(acc, _ int) bool { return acc >= 50 })
	srv.kill()
	acc0, fail0 := published()
	until("publishes to fail while Redis is down", func(_, fail int) bool { return fail >= fail0+3 })
	srv.restart(t)
	until("events after the restart", func(acc, _ int) bool { return acc >= acc0+100 })
	close(stop)
	<-stopped
	stop = make(chan struct{}) // for the deferred close

	mu.Lock()
	got := append([]outcome(nil), outcomes...)
	if slowest > 2*time.Second {
		t.Errorf("a publish took %v to fail while Redis was down", slowest)
	}
	mu.Unlock()
	owed := map[int]bool{}
	for seq, o := range got {
		if o.accepted {
			owed[seq] = true
		}
	}
	prevSeq, prevID := -1, ""
	for len(owed) > 0 {
		e := c.next(t, 10*time.Second)
		seq, err := strconv.Atoi(string(e.envelope(t).Data))
		if err != nil || seq >= len(got) {
			t.Fatalf("unexpected event %+v", e)
		}
		if seq <= prevSeq || (prevID != "" && core.CompareIDs(e.ID, prevID) <= 0) {
			t.Fatalf("event %d (%s) after %d (%s): out of order or twice", seq, e.ID, prevSeq, prevID)
		}
		if got[seq].accepted && got[seq].id != e.ID {
			t.Fatalf("event %d arrived as %s, was accepted as %s", seq, e.ID, got[seq].id)
		}
		// A publish that failed may still have been applied (its reply
		// was lost): it may arrive, at most once, but is not owed.
		if !got[seq].accepted && !skipped(got, prevSeq, seq) {
			t.Logf("event %d arrived although its publish failed", seq)
		}
		delete(owed, seq)
		prevSeq, prevID = seq, e.ID
	}
	s := in.broker.Stats()
	t.Logf("published %d accepted, %d failed; broker %+v", len(got)-countFailed(got), countFailed(got), s)
	if s.Reconnects == 0 || s.Gaps != 0 {
		t.Fatalf("broker stats %+v: want a reconnect and no gap", s)
	}
}

func skipped(got []outcome, from, to int) bool {
	for i := from + 1; i < to; i++ {
		if got[i].accepted {
			return true
		}
	}
	return false
}

func countFailed(got []outcome) int {
	n := 0
	for _, o := range got {
		if !o.accepted {
			n++
		}
	}
	return n
}

func TestRedisThatLostItsDataSendsClientsAReset(t *testing.T) {
	srv := startRedis(t) // no persistence: a restart loses the stream
	in := newInstance(t, srv.url(), newPrefix(), fastReconnect...)
	c := connect(t, in, "topic=r", "")
	ctx := context.Background()
	var last string
	for n := range 3 {
		id, err := in.hub.Publish(ctx, "r", "e", n)
		if err != nil {
			t.Fatal(err)
		}
		if e := c.next(t, wait); e.ID != id {
			t.Fatalf("got %+v, want %s", e, id)
		}
		last = id
	}
	srv.restart(t)
	// Events after the client's last id may have been lost with the data:
	// the instance ends the stream rather than go on as if nothing
	// happened...
	c.ended(t, 10*time.Second)
	if s := in.broker.Stats(); s.Gaps != 1 {
		t.Fatalf("broker stats %+v: want one gap", s)
	}
	// ...and the client, resuming, is told to refetch its state.
	r := connect(t, in, "topic=r", last)
	if e := r.next(t, wait); e.Event != core.ResetEvent {
		t.Fatalf("resume after data loss: got %+v, want %s", e, core.ResetEvent)
	}
	id, err := in.hub.Publish(ctx, "r", "e", "after")
	if err != nil {
		t.Fatal(err)
	}
	if e := r.next(t, wait); e.ID != id {
		t.Fatalf("live after reset: got %+v, want %s", e, id)
	}
}

func TestEventsPublishedWhileTheSubscriptionIsDownAreRecovered(t *testing.T) {
	srv := startRedis(t)
	prefix := newPrefix()
	// A slow first reconnect leaves a wide window in which pub/sub has
	// nobody to deliver to.
	in := newInstance(t, srv.url(), prefix, redisbackend.WithReconnect(time.Second, 2*time.Second, time.Second))
	c := connect(t, in, "topic=r", "")
	pub, err := redisbackend.NewPublisher(context.Background(), srv.url(), redisbackend.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	ctx := context.Background()
	admin := in.broker.Client()
	if n, err := admin.ClientKillByFilter(ctx, "TYPE", "pubsub").Result(); err != nil || n != 1 {
		t.Fatalf("CLIENT KILL TYPE pubsub: %d, %v", n, err)
	}
	var ids []string
	for n := range 20 {
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
	if s := in.broker.Stats(); s.Recovered == 0 || s.Reconnects == 0 {
		t.Fatalf("broker stats %+v: want events recovered from the stream after a reconnect", s)
	}
}
