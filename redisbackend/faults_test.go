package redisbackend_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
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
		if seq <= prevSeq || (prevID != "" && compareIDs(e.ID, prevID) <= 0) {
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

func TestRedisThatLostItsDataResetsStreamsInBand(t *testing.T) {
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
	epoch := in.broker.Stats().Epoch
	srv.restart(t)
	// Publishes fail with ErrUnavailable until the client has reconnected.
	var after []string
	deadline := time.Now().Add(10 * time.Second)
	for n := 0; len(after) < 3; n++ {
		id, err := in.hub.Publish(ctx, "r", "e", "after")
		switch {
		case err == nil:
			after = append(after, id)
		case !errors.Is(err, core.ErrUnavailable):
			t.Fatalf("publish after the restart: %v, want success or core.ErrUnavailable", err)
		case time.Now().After(deadline):
			t.Fatalf("publishes still fail 10 s after the restart: %v", err)
		}
	}
	// The connected stream gets one reset, then everything published since
	// the restart, without reconnecting.
	e := c.next(t, 10*time.Second)
	if e.Event != core.ResetEvent || !strings.Contains(e.Data, `"reason":"redis_data_lost"`) || compareIDs(e.ID, after[0]) >= 0 {
		t.Fatalf("after Redis lost its data: got %+v, want %s (redis_data_lost) before %s", e, core.ResetEvent, after[0])
	}
	if got := c.through(t, after[len(after)-1]); len(got) != len(after) {
		t.Fatalf("after the reset got %+v, want %v", got, after)
	}
	if s := in.broker.Stats(); s.Gaps != 1 || s.Epoch == epoch {
		t.Fatalf("broker stats %+v: want one gap and a new epoch (was %s)", s, epoch)
	}
	if st := in.hub.Stats(); st.Connects != 1 {
		t.Fatalf("hub connects = %d: the stream was reopened", st.Connects)
	}
	// A client that was away resumes with an id of the old epoch: one
	// reset, then every event of the new one.
	r := connect(t, in, "topic=r", last)
	if e := r.next(t, wait); e.Event != core.ResetEvent {
		t.Fatalf("resume from the old epoch: got %+v, want %s", e, core.ResetEvent)
	}
	if got := r.through(t, after[len(after)-1]); len(got) != len(after) {
		t.Fatalf("resume from the old epoch got %+v, want %v", got, after)
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
	waitSubscribed(t, admin, prefix)
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

func TestIdleSubscriptionIsPingedNotReconnected(t *testing.T) {
	in := newInstance(t, redisURL(t), newPrefix(), redisbackend.WithReconnect(20*time.Millisecond, 100*time.Millisecond, 250*time.Millisecond))
	c := connect(t, in, "topic=r", "")
	<-time.After(2 * time.Second) // eight health-check intervals without an event
	if s := in.broker.Stats(); s.Reconnects != 0 {
		t.Fatalf("an idle, healthy subscription reconnected: %+v", s)
	}
	id, err := in.hub.Publish(context.Background(), "r", "e", 1)
	if err != nil {
		t.Fatal(err)
	}
	if e := c.next(t, wait); e.ID != id {
		t.Fatalf("got %+v, want %s", e, id)
	}
}

func TestSubscriberCutOffByOutputBufferLimitLosesNothing(t *testing.T) {
	// A tiny pub/sub output buffer limit: Redis disconnects a subscriber
	// that falls 64 kB behind, the way production Redis does at 32 MB.
	srv := startRedis(t, "--client-output-buffer-limit", "pubsub", "64kb", "32kb", "1")
	prefix := newPrefix()
	b, err := redisbackend.New(context.Background(), srv.url(), append(fastReconnect, redisbackend.WithPrefix(prefix), redisbackend.WithStreamLimits(100000, 0))...)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	gate := make(chan struct{})
	var once sync.Once
	got := make(chan string, 20000)
	unsub, err := b.Subscribe(ext.HandlerFunc(func(m *core.Message) {
		once.Do(func() { <-gate }) // a stalled consumer: the socket is not read
		got <- m.ID()
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer unsub()

	waitSubscribed(t, b.Client(), prefix)
	pub, err := redisbackend.NewPublisher(context.Background(), srv.url(), redisbackend.WithPrefix(prefix), redisbackend.WithStreamLimits(100000, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	payload := make([]byte, 2048)
	for i := range payload {
		payload[i] = 'x'
	}
	const n = 5000
	ids := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				id, err := pub.PublishRaw(context.Background(), "r", "e", payload)
				if err != nil {
					errs <- err
					return
				}
				ids[i] = id
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	admin := b.Client()
	if err := waitFor(10*time.Second, func() error {
		list, err := admin.ClientList(context.Background()).Result()
		if err != nil {
			return err
		}
		if strings.Contains(list, "sub=1") {
			return fmt.Errorf("subscriber still connected")
		}
		return nil
	}); err != nil {
		t.Fatalf("Redis did not cut off the stalled subscriber: %v", err)
	}
	close(gate)

	sort.Slice(ids, func(i, j int) bool { return compareIDs(ids[i], ids[j]) < 0 })
	for i, want := range ids {
		select {
		case id := <-got:
			if id != want {
				t.Fatalf("event %d: got %s, want %s", i, id, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d of %d events arrived; broker %+v", i, n, b.Stats())
		}
	}
	s := b.Stats()
	t.Logf("broker %+v", s)
	if s.Reconnects == 0 || s.Recovered == 0 || s.Gaps != 0 {
		t.Fatalf("broker stats %+v: want a reconnect, events recovered from the stream, no gap", s)
	}
}

// waitSubscribed waits until the prefix's channel has one subscriber: the
// broker subscribes in the background after New returns.
func waitSubscribed(t *testing.T, c redis.UniversalClient, prefix string) {
	t.Helper()
	channel := "{" + prefix + "}:events"
	if err := waitFor(wait, func() error {
		n, err := c.PubSubNumSub(context.Background(), channel).Result()
		if err == nil && n[channel] != 1 {
			err = fmt.Errorf("%s has %d subscribers", channel, n[channel])
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
