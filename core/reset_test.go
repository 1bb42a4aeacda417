package core_test

import (
	"encoding/json"
	"testing"

	"github.com/ssekit/ssekit/core"
)

func compareIDs(a, b string) int {
	ia, erra := core.ParseID(a)
	ib, errb := core.ParseID(b)
	if erra != nil || errb != nil {
		panic("compareIDs: " + a + ", " + b)
	}
	return ia.Compare(ib)
}

// resetReason returns the reason in a reset event's data.
func resetReason(t *testing.T, e sseEvent) string {
	t.Helper()
	var env struct {
		Data struct {
			Reason string `json:"reason"`
		} `json:"data"`
	}
	if e.Event != core.ResetEvent {
		t.Fatalf("got %q (id %q), want %s", e.Event, e.ID, core.ResetEvent)
	}
	if err := json.Unmarshal([]byte(e.Data), &env); err != nil {
		t.Fatal(err)
	}
	return env.Data.Reason
}

func TestBrokerResetReachesConnectedStreamsInBandFollowedByTheNewEpoch(t *testing.T) {
	broker := &laggyBroker{MemoryBroker: core.NewMemoryBroker(0, 0)}
	defer broker.Close()
	hub := newHub(t, core.WithBroker(broker), core.WithHeartbeat(0))
	srv := serve(t, hub)
	url := srv.URL + "/events?topic=t"
	c := dial(t, url, nil)
	waitUntil(t, "connection", func() bool { return hub.Count() == 1 })
	before := mustPublish(t, hub, "t", "e", 1)
	if e := c.next(); e.ID != before {
		t.Fatalf("got %q, want %q", e.ID, before)
	}

	// The broker's store restarts without its data; what is published
	// next is in the new epoch, and the broker notices later.
	broker.restart()
	epoch := []string{mustPublish(t, hub, "t", "e", 2), mustPublish(t, hub, "other", "e", 0), mustPublish(t, hub, "t", "e", 3)}
	broker.notice("broker_reset")

	e := c.next()
	if r := resetReason(t, e); r != "broker_reset" {
		t.Fatalf("reset reason %q", r)
	}
	if compareIDs(e.ID, epoch[0]) >= 0 {
		t.Fatalf("reset id %q is not before the new epoch's first event %q", e.ID, epoch[0])
	}
	resetID := e.ID
	for _, want := range []string{epoch[0], epoch[2]} {
		if e := c.next(); e.ID != want {
			t.Fatalf("after the reset got %q (%s), want %q", e.ID, e.Event, want)
		}
	}
	live := mustPublish(t, hub, "t", "e", 4)
	if e := c.next(); e.ID != live {
		t.Fatalf("got %q, want live %q", e.ID, live)
	}
	if st := hub.Stats(); st.Connects != 1 || st.Resets != 1 {
		t.Fatalf("stats connects=%d resets=%d: want the stream to live through the reset", st.Connects, st.Resets)
	}

	// A client that was away resumes with an id of the old epoch: it gets
	// one reset, then every event of the new epoch.
	r := dial(t, url, lastID(before))
	if e := r.next(); resetReason(t, e) != "unknown_last_event_id" || e.ID != resetID {
		t.Fatalf("resume from the old epoch: got %+v, want a reset with id %q", e, resetID)
	}
	for _, want := range []string{epoch[0], epoch[2], live} {
		if e := r.next(); e.ID != want {
			t.Fatalf("resume from the old epoch: got %q (%s), want %q", e.ID, e.Event, want)
		}
	}
}

func TestStreamResumedIntoTheNewEpochBeforeTheBrokerNoticedGetsNoDuplicate(t *testing.T) {
	broker := &laggyBroker{MemoryBroker: core.NewMemoryBroker(0, 0)}
	defer broker.Close()
	hub := newHub(t, core.WithBroker(broker), core.WithHeartbeat(0))
	srv := serve(t, hub)
	url := srv.URL + "/events?topic=t"
	old := mustPublish(t, hub, "t", "e", 1)

	broker.restart()
	epoch := []string{mustPublish(t, hub, "t", "e", 2), mustPublish(t, hub, "t", "e", 3)}
	// The client resumes from the new epoch's log while the broker's live
	// feed has not caught up with it.
	c := dial(t, url, lastID(old))
	if e := c.next(); resetReason(t, e) != "unknown_last_event_id" {
		t.Fatal("want a reset first")
	}
	for _, want := range epoch {
		if e := c.next(); e.ID != want {
			t.Fatalf("replay: got %q (%s), want %q", e.ID, e.Event, want)
		}
	}
	waitUntil(t, "connection", func() bool { return hub.Count() == 1 })
	// The broker notices now: the client is told again (harmless), but the
	// events the replay sent are not sent twice.
	broker.notice("broker_reset")
	if e := c.next(); resetReason(t, e) != "broker_reset" {
		t.Fatal("want the broker's reset")
	}
	live := mustPublish(t, hub, "t", "e", 4)
	if e := c.next(); e.ID != live {
		t.Fatalf("after the broker's reset got %q (%s), want live %q: an event the replay sent came twice", e.ID, e.Event, live)
	}
}
