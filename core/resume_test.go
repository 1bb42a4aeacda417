package core_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
)

func lastID(id string) http.Header { return http.Header{"Last-Event-ID": {id}} }

func TestResumeReplaysExactlyWhatTheClientWouldHaveReceived(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(0))
	srv := serve(t, hub, core.AllowEvents("goal", "alert", "live", "shown"))
	url := srv.URL + "/events?topic=scores&channel=sports"
	c := dial(t, url, nil)
	waitUntil(t, "connection", func() bool { return hub.Count() == 1 })
	seen := mustPublish(t, hub, "scores", "shown", 0)
	c.next()
	c.close()
	waitUntil(t, "disconnect", func() bool { return hub.Count() == 0 })

	want := []string{
		mustPublish(t, hub, "scores", "goal", 1, core.Where(core.Match{"channel": "sports"})),
		mustPublish(t, hub, core.AllTopics, "alert", 2),
	}
	mustPublish(t, hub, "scores", "goal", 3, core.Where(core.Match{"channel": "news"})) // other channel
	mustPublish(t, hub, "weather", "goal", 4)                                           // other topic
	mustPublish(t, hub, "scores", "hidden", 5)                                          // not allowed
	want = append(want, mustPublish(t, hub, "scores", "goal", 6))

	r := dial(t, url, lastID(seen))
	for i, id := range want {
		if e := r.next(); e.ID != id {
			t.Fatalf("replayed event %d: id %q (%s), want %q", i, e.ID, e.Event, id)
		}
	}
	waitUntil(t, "reconnect", func() bool { return hub.Count() == 1 })
	live := mustPublish(t, hub, "scores", "live", 7)
	if e := r.next(); e.ID != live {
		t.Fatalf("after replay got %q, want the live event %q", e.ID, live)
	}
	if st := hub.Stats(); st.Replayed != 3 || st.Resets != 0 {
		t.Fatalf("stats replayed=%d resets=%d", st.Replayed, st.Resets)
	}
	// The query parameter works as the header does.
	q := dial(t, url+"&lastEventId="+want[1], nil)
	if e := q.next(); e.ID != want[2] {
		t.Fatalf("?lastEventId resume: got %q, want %q", e.ID, want[2])
	}
}

func TestResumeUnderConcurrentPublishingHasNoGapAndNoDuplicate(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(0), core.WithReplayLimits(1<<16, 0), core.WithQueueSize(1<<16))
	srv := serve(t, hub)
	url := srv.URL + "/events?topic=seq"

	var wg sync.WaitGroup
	stop := make(chan struct{})
	total := make(chan int, 1)
	wg.Add(1)
	go func() { // publishes as fast as it can, the whole time
		defer wg.Done()
		n := 0
		for {
			select {
			case <-stop:
				total <- n
				return
			default:
			}
			if _, err := hub.Publish(context.Background(), "seq", "n", n); err != nil {
				t.Errorf("publish: %v", err)
				total <- n
				return
			}
			n++
		}
	}()

	next, last := 0, ""
	read := func(c *client, k int) {
		for i := 0; i < k; i++ {
			e := c.next()
			var env struct{ Data int }
			if err := json.Unmarshal([]byte(e.Data), &env); err != nil {
				t.Fatalf("%v: event %+v", err, e)
			}
			if env.Data != next {
				t.Fatalf("got %d after %d: gap or duplicate (id %s, last id %s)", env.Data, next-1, e.ID, last)
			}
			next++
			last = e.ID
		}
	}
	// The first connection starts at whatever is live.
	c := dial(t, url, nil)
	first := c.next()
	var env struct{ Data int }
	json.Unmarshal([]byte(first.Data), &env)
	next, last = env.Data+1, first.ID
	for round := 0; round < 15; round++ {
		read(c, 300)
		c.close()
		c = dial(t, url, lastID(last))
	}
	close(stop)
	n := <-total
	wg.Wait()
	read(c, n-next)
	if hub.Stats().Resets != 0 {
		t.Fatal("unexpected reset")
	}
	t.Logf("%d events over 16 connections, replayed %d", n, hub.Stats().Replayed)
}

func TestTrimmedOrMalformedLastEventIDGetsOneResetEvent(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(0), core.WithReplayLimits(3, 0))
	srv := serve(t, hub)
	url := srv.URL + "/events?topic=t"
	old := mustPublish(t, hub, "t", "e", 0)
	for i := 1; i <= 5; i++ {
		mustPublish(t, hub, "t", "e", i) // trims old out of a 3-event log
	}
	head := mustPublish(t, hub, "t", "e", 6)

	for _, id := range []string{old, "garbage", "99999999999999-0"} { // trimmed; malformed; newer than the log
		c := dial(t, url, lastID(id))
		e, env := c.nextEnvelope()
		if e.Event != core.ResetEvent || e.ID != head {
			t.Fatalf("last id %q: got %q id %q, want %s with id %q", id, e.Event, e.ID, core.ResetEvent, head)
		}
		var data struct{ Reason, LastEventID string }
		json.Unmarshal(env.Data, &struct {
			Reason      *string `json:"reason"`
			LastEventID *string `json:"last_event_id"`
		}{&data.Reason, &data.LastEventID})
		if data.Reason != "unknown_last_event_id" || data.LastEventID != id {
			t.Fatalf("reset data %s", env.Data)
		}
		waitUntil(t, "connection", func() bool { return hub.Count() == 1 })
		live := mustPublish(t, hub, "t", "live", 7)
		if e := c.next(); e.ID != live {
			t.Fatalf("after reset got %q, want live %q", e.ID, live)
		}
		c.close()
		waitUntil(t, "disconnect", func() bool { return hub.Count() == 0 })
		head = live
	}
	// The reset's id is a valid place to resume from.
	c := dial(t, url, lastID(head))
	next := mustPublish(t, hub, "t", "after", 8)
	if e := c.next(); e.ID != next || e.Event != "after" {
		t.Fatalf("resume from reset id: got %+v", e)
	}
	if r := hub.Stats().Resets; r != 3 {
		t.Fatalf("resets = %d, want 3", r)
	}
}

func TestLastEventIDFromAnotherEpochGetsAResetThenEveryEventOfThisOne(t *testing.T) {
	for _, id := range []string{"1-0", "1000-7"} { // from before this log
		t.Run(id, func(t *testing.T) {
			hub := newHub(t, core.WithHeartbeat(0))
			srv := serve(t, hub)
			var want []string
			for i := range 3 {
				want = append(want, mustPublish(t, hub, "t", "e", i))
			}
			c := dial(t, srv.URL+"/events?topic=t", lastID(id))
			e := c.next()
			if e.Event != core.ResetEvent || compareIDs(e.ID, want[0]) >= 0 {
				t.Fatalf("got %q id %q, want %s with an id before the epoch's first event %s", e.Event, e.ID, core.ResetEvent, want[0])
			}
			for _, w := range want {
				if e := c.next(); e.ID != w {
					t.Fatalf("after the reset got %q (%s), want %q", e.ID, e.Event, w)
				}
			}
			waitUntil(t, "connection", func() bool { return hub.Count() == 1 })
			live := mustPublish(t, hub, "t", "live", 3)
			if e := c.next(); e.ID != live {
				t.Fatalf("after the catch-up got %q, want live %q", e.ID, live)
			}
			if st := hub.Stats(); st.Resets != 1 || st.Replayed != 3 {
				t.Fatalf("stats resets=%d replayed=%d, want 1 and 3", st.Resets, st.Replayed)
			}
		})
	}
}

func TestDroppedSlowClientLosesNothingStillInTheLog(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(0), core.WithQueueSize(4), core.WithWriteTimeout(200*time.Millisecond))
	srv := serveSmallBuffers(t, hub)
	slow := rawStream(t, srv.Listener.Addr().String(), "/events?topic=t")
	waitUntil(t, "connection", func() bool { return hub.Count() == 1 })
	// The client reads one whole event, then stops reading: it always has
	// an id to resume from.
	ids := []string{mustPublish(t, hub, "t", "first", 0)}
	resp, err := http.ReadResponse(bufio.NewReader(slow), nil)
	if err != nil {
		t.Fatal(err)
	}
	body := bufio.NewReader(resp.Body)
	from := ""
	for line := ""; line != "\n" || from == ""; {
		if line, err = body.ReadString('\n'); err != nil {
			t.Fatalf("reading the first event: %v", err)
		}
		if id, ok := strings.CutPrefix(line, "id: "); ok {
			from = strings.TrimSuffix(id, "\n")
		}
	}
	if from != ids[0] {
		t.Fatalf("first event id %q, want %q", from, ids[0])
	}
	payload := make([]byte, 8<<10)
	for i := range payload {
		payload[i] = 'a'
	}
	for i := 0; hub.Stats().Dropped == 0; i++ {
		if i > 5000 {
			t.Fatal("the stalled client was never dropped")
		}
		id, err := hub.PublishRaw(context.Background(), "t", "e"+strconv.Itoa(i), payload)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for i := 0; i < 10; i++ { // published after the drop
		ids = append(ids, mustPublish(t, hub, "t", "after", i))
	}
	// Read whatever else reached the client before the drop.
	raw, _ := io.ReadAll(body) // ends with the drop
	rest, _ := parseAll(raw)
	got := 1 + len(rest)
	if got == len(ids) {
		t.Fatal("the client received everything: it was not really dropped")
	}
	if len(rest) > 0 {
		from = rest[len(rest)-1].ID
	}
	c := dial(t, srv.URL+"/events?topic=t", lastID(from))
	for _, id := range ids[got:] {
		if e := c.next(); e.ID != id {
			t.Fatalf("resumed stream: got %q, want %q", e.ID, id)
		}
	}
}

func TestResetReachesAStreamWhoseRulesWouldRejectIt(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(0))
	srv := serve(t, hub, core.AllowEvents("only.this"), core.FilterEvents(func(*core.Envelope) bool { return false }))
	c := dial(t, srv.URL+"/events?topic=t", lastID("1-0"))
	if e := c.next(); e.Event != core.ResetEvent {
		t.Fatalf("got %q, want %s despite the stream's rules", e.Event, core.ResetEvent)
	}
}
