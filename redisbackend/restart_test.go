package redisbackend_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/redisbackend"
)

// The probe of issue 11: a private Redis, two instances on it, a subscriber
// on A, 50 publishes/s over HTTP on B; Redis is killed with SIGKILL and
// started again after an outage. Every publish that got 202 must reach the
// subscriber exactly once and in order, or be covered by a reset the
// subscriber got before it (an event Redis lost with its data); every
// publish refused meanwhile gets 503 with Retry-After.

func TestRedisRestartLosesNothingAcceptedAfterIt(t *testing.T) {
	cases := []struct {
		name    string
		outage  time.Duration
		args    []string
		durable bool
		opts    []redisbackend.Option
	}{
		{"no persistence, 3s outage", 3 * time.Second, nil, false, fastReconnect},
		{"appendfsync always, 3s outage", 3 * time.Second, []string{"--appendonly", "yes", "--appendfsync", "always"}, true, fastReconnect},
		// Default reconnect backoff (up to 5 s) and publish timeout.
		{"no persistence, 20s outage", 20 * time.Second, nil, false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.outage > 10*time.Second && testing.Short() {
				t.Skip("skipped with -short: a 20 s Redis outage (the 3 s cases cover the same path)")
			}
			t.Parallel()
			probeRestart(t, tc.outage, tc.args, tc.durable, tc.opts)
		})
	}
}

// publishResult is what the publisher learned about one POST.
type publishResult struct {
	seq        int
	status     int
	id         string
	retryAfter string
	body       string
}

func probeRestart(t *testing.T, outage time.Duration, args []string, durable bool, opts []redisbackend.Option) {
	srv := startRedis(t, args...)
	prefix := newPrefix()
	const token = "probe"
	auth := core.BroadcastAuth(core.BearerToken(token))
	newNode := func() *instance {
		b, err := redisbackend.New(context.Background(), srv.url(), append([]redisbackend.Option{redisbackend.WithPrefix(prefix)}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return serve(t, b, auth)
	}
	a, b := newNode(), newNode()
	sub := follow(t, a, "topic=r", "")
	channel := "{" + prefix + "}:events"
	if err := waitFor(wait, func() error {
		n, err := a.broker.Client().PubSubNumSub(context.Background(), channel).Result()
		if err == nil && (n[channel] != 2 || a.hub.Count() != 1) {
			err = fmt.Errorf("%d brokers subscribed, %d streams on A", n[channel], a.hub.Count())
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}

	// The publisher: 50 POSTs a second to B, one after the other.
	var (
		mu      sync.Mutex
		results []publishResult
		stop    = make(chan struct{})
		stopped = make(chan struct{})
		tick    = make(chan struct{}, 1)
	)
	httpc := &http.Client{Timeout: 10 * time.Second}
	go func() {
		defer close(stopped)
		every := time.NewTicker(20 * time.Millisecond)
		defer every.Stop()
		for seq := 0; ; seq++ {
			select {
			case <-stop:
				return
			case <-every.C:
			}
			r := publishResult{seq: seq}
			body := fmt.Sprintf(`{"event":"seq","topic":"r","data":%d}`, seq)
			req, _ := http.NewRequest(http.MethodPost, b.srv.URL+"/events/broadcast", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			if resp, err := httpc.Do(req); err == nil {
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				r.status, r.retryAfter, r.body = resp.StatusCode, resp.Header.Get("Retry-After"), string(raw)
				var ok struct{ ID string }
				if resp.StatusCode == http.StatusAccepted && json.Unmarshal(raw, &ok) == nil {
					r.id = ok.ID
				}
			} else {
				r.body = err.Error()
			}
			mu.Lock()
			results = append(results, r)
			mu.Unlock()
			select {
			case tick <- struct{}{}:
			default:
			}
		}
	}()
	stopPublishing := sync.OnceFunc(func() { close(stop); <-stopped })
	defer stopPublishing()
	accepted := func() int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, r := range results {
			if r.status == http.StatusAccepted {
				n++
			}
		}
		return n
	}
	until := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for !cond() {
			select {
			case <-tick:
			case <-deadline:
				t.Fatalf("waiting for %s: %d accepted", what, accepted())
			}
		}
	}

	until("50 publishes before the kill", func() bool { return accepted() >= 50 })
	srv.kill()
	mu.Lock()
	killedAt := len(results)
	mu.Unlock()
	outageOver := time.After(outage) // the outage is the scenario, not a synchronisation
	<-outageOver
	if err := srv.start(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	restartedAt := len(results)
	mu.Unlock()
	before := accepted()
	until("100 publishes after the restart", func() bool { return accepted() >= before+100 })
	stopPublishing()

	// What the publisher saw.
	var owed []publishResult
	refused, afterRestart := 0, 0
	for _, r := range results {
		switch {
		case r.status == http.StatusAccepted:
			owed = append(owed, r)
			if r.seq >= restartedAt {
				afterRestart++
			}
		case r.status == http.StatusServiceUnavailable && r.retryAfter != "" && strings.Contains(r.body, "unavailable"):
			refused++
		default:
			t.Errorf("publish %d while Redis was down or back: status %d, Retry-After %q, body %q; want 202, or 503 with Retry-After and an \"unavailable\" error",
				r.seq, r.status, r.retryAfter, r.body)
		}
	}
	if refused == 0 {
		t.Errorf("no publish was refused during a %v outage", outage)
	}

	// What the subscriber on A got: read until the last accepted event.
	lastOwed := owed[len(owed)-1].id
	var got []event
	for done := false; !done; {
		e := sub.next(t, 20*time.Second)
		got = append(got, e)
		done = e.ID == lastOwed
	}
	sub.none(t, 200*time.Millisecond)

	// Check: ids strictly increase (resets included), each accepted event
	// arrives once, or is covered by a reset the subscriber got earlier in
	// the stream whose id is at or above its own.
	seen := map[string]int{}
	var resets []string
	prev, prevSeq := "", -1
	for _, e := range got {
		if prev != "" && compareIDs(e.ID, prev) <= 0 {
			t.Fatalf("event %+v after id %s: out of order or twice", e, prev)
		}
		prev = e.ID
		if e.Event == core.ResetEvent {
			resets = append(resets, e.ID)
			continue
		}
		seq, err := strconv.Atoi(string(e.envelope(t).Data))
		if err != nil || seq <= prevSeq {
			t.Fatalf("event %+v after seq %d", e, prevSeq)
		}
		prevSeq = seq
		seen[e.ID]++
	}
	delivered, covered, lost := 0, 0, 0
	for _, r := range owed {
		switch {
		case seen[r.id] == 1:
			delivered++
		case seen[r.id] > 1:
			t.Errorf("publish %d (%s) delivered %d times", r.seq, r.id, seen[r.id])
		case len(resets) > 0 && compareIDs(resets[len(resets)-1], r.id) >= 0:
			covered++
		default:
			lost++
			t.Errorf("publish %d (%s) got 202 (%s Redis's restart) and never reached A, and no reset covers it",
				r.seq, r.id, map[bool]string{true: "after", false: "before"}[r.seq >= restartedAt])
		}
	}
	sa := a.broker.Stats()
	t.Logf("outage %v: %d publishes before the kill, %d refused with 503 + Retry-After, %d accepted after the restart; "+
		"A got %d of %d accepted events (once each, in order), %d resets, %d accepted events covered by a reset (lost with Redis's data), %d lost; "+
		"A reconnected %d times, gaps %d, stream connects on A %d",
		outage, killedAt, refused, afterRestart, delivered, len(owed), len(resets), covered, lost,
		sa.Reconnects, sa.Gaps, a.hub.Stats().Connects)
	if st := a.hub.Stats(); st.Connects != 1 {
		t.Errorf("A's stream was opened %d times: the restart made the client reconnect", st.Connects)
	}
	if durable {
		if len(resets) != 0 || covered != 0 {
			t.Errorf("with appendfsync always nothing is lost, yet %d resets covered %d events", len(resets), covered)
		}
		return
	}
	if len(resets) != 1 {
		t.Errorf("%d resets, want one for Redis's new epoch", len(resets))
	}

	// A client that was away since before the kill resumes with an id of
	// the old epoch: one reset, then every event of the new one.
	var oldID string
	for _, r := range owed {
		if compareIDs(r.id, resets[0]) < 0 {
			oldID = r.id
		}
	}
	late := connect(t, a, "topic=r", oldID)
	if e := late.next(t, wait); e.Event != core.ResetEvent || e.ID != resets[0] {
		t.Fatalf("resume with the old epoch's %s: got %+v, want a reset with id %s", oldID, e, resets[0])
	}
	n := 0
	for _, r := range owed {
		if compareIDs(r.id, resets[0]) > 0 {
			if e := late.next(t, wait); e.ID != r.id {
				t.Fatalf("resume with the old epoch's id: got %+v, want publish %d (%s)", e, r.seq, r.id)
			}
			n++
		}
	}
	t.Logf("a client resuming with the old epoch's id got one reset and all %d events of the new epoch", n)
}
