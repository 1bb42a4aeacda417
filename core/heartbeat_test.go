package core_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
)

// runSession starts an in-process stream whose output lands in w; the
// returned channel receives Run's result and when it returned.
func runSession(t *testing.T, hub *core.Hub, query string, w *bufWriter) (*ext.Session, chan time.Time) {
	t.Helper()
	sess, err := ext.Accept(mustStream(t, hub), httptest.NewRequest("GET", "/events?"+query, nil))
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	ended := make(chan time.Time, 1)
	go func() {
		if err := sess.Run(context.Background(), w); err != nil {
			t.Errorf("Run: %v", err)
		}
		ended <- time.Now()
	}()
	return sess, ended
}

func TestHeartbeatGoesOnlyToIdleConnections(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hub, err := core.NewHub(core.WithHeartbeat(10 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		idle, busy := &bufWriter{}, &bufWriter{}
		runSession(t, hub, "topic=quiet", idle)
		runSession(t, hub, "topic=chatty", busy)
		for i := 0; i < 20; i++ { // 60 s, an event every 3 s to the busy one
			time.Sleep(3 * time.Second)
			if _, err := hub.Publish(context.Background(), "chatty", "tick", i); err != nil {
				t.Fatal(err)
			}
			synctest.Wait()
		}
		pings := bytes.Count(idle.Bytes(), []byte(": ping\n"))
		if pings < 4 || pings > 6 {
			t.Errorf("idle connection got %d pings in 60 s with a 10 s heartbeat, want 4-6", pings)
		}
		if n := bytes.Count(busy.Bytes(), []byte(": ping")); n != 0 {
			t.Errorf("busy connection got %d pings, want none", n)
		}
		if bytes.Contains(idle.Bytes(), []byte(": ping\n\n")) {
			t.Errorf("a ping is followed by a blank line: %q", idle.Bytes())
		}
		if got := hub.Stats().Heartbeats; got != uint64(pings) {
			t.Errorf("stats heartbeats = %d, want %d", got, pings)
		}
		hub.Shutdown(context.Background())
	})
}

func TestNoHeartbeatWhenDisabled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hub, _ := core.NewHub(core.WithHeartbeat(0))
		w := &bufWriter{}
		runSession(t, hub, "topic=quiet", w)
		time.Sleep(time.Hour)
		synctest.Wait()
		if bytes.Contains(w.Bytes(), []byte(": ping")) {
			t.Errorf("ping with heartbeat disabled: %q", w.Bytes())
		}
		hub.Shutdown(context.Background())
	})
}

func TestMaxLifetimeEndsStreamsWithJitterAndARetryHint(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hub, _ := core.NewHub(core.WithHeartbeat(0), core.WithMaxLifetime(100*time.Second))
		start := time.Now()
		const n = 20
		ends := make([]chan time.Time, n)
		writers := make([]*bufWriter, n)
		for i := range ends {
			writers[i] = &bufWriter{}
			_, ends[i] = runSession(t, hub, "topic=t", writers[i])
		}
		time.Sleep(79 * time.Second)
		synctest.Wait()
		if c := hub.Count(); c != n {
			t.Fatalf("%d streams alive at 79 s, want %d", c, n)
		}
		time.Sleep(22 * time.Second)
		synctest.Wait()
		distinct := map[time.Duration]bool{}
		for i, ch := range ends {
			select {
			case at := <-ch:
				age := at.Sub(start)
				if age < 80*time.Second || age > 101*time.Second {
					t.Errorf("stream %d ended at %v, want 80-101 s", i, age)
				}
				distinct[age.Truncate(time.Second)] = true
			default:
				t.Fatalf("stream %d still open at 101 s", i)
			}
			if !bytes.HasSuffix(writers[i].Bytes(), []byte("retry: 3000\n")) {
				t.Errorf("stream %d did not end with a retry hint: %q", i, writers[i].Bytes())
			}
		}
		if len(distinct) < 3 {
			t.Errorf("lifetimes are not jittered: %v", distinct)
		}
		hub.Shutdown(context.Background())
	})
}

func TestHeartbeatCanBeANamedEventForNativeWatchdogs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hub, err := core.NewHub(core.WithHeartbeat(10*time.Second), core.WithHeartbeatEvent("ssekit.ping"))
		if err != nil {
			t.Fatal(err)
		}
		w := &bufWriter{}
		runSession(t, hub, "topic=quiet", w)
		time.Sleep(25 * time.Second)
		synctest.Wait()
		events, p := parseAll(w.Bytes())
		if len(events) < 1 || events[0].Event != "ssekit.ping" || events[0].Data != "" || events[0].ID != "" {
			t.Fatalf("want ssekit.ping events with empty data and no id, got %+v from %q", events, w.Bytes())
		}
		if len(p.Comments) != 1 { // only ": connected"
			t.Fatalf("comments %q: heartbeats must not also be comments", p.Comments)
		}
		if d := hub.Stats().Delivered; d != 0 {
			t.Fatalf("heartbeats counted as %d delivered events", d)
		}
		hub.Shutdown(context.Background())
	})
	if _, err := core.NewHub(core.WithHeartbeatEvent("bad\nname")); err == nil {
		t.Fatal("an invalid heartbeat event name was accepted")
	}
}
