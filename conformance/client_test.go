package conformance_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ssekit/ssekit/client"
	"github.com/ssekit/ssekit/core"
)

// The Go client's suite: every scenario runs against every mount, and the
// ones that need nothing ssekit-specific also against go-sse's server in
// raw mode (clientgosse_test.go).

// target is a server the client scenarios run against: event i is named
// "n" and carries the JSON number i on topic "t".
type target struct {
	url     string // the stream of topic t, reached through proxy
	client  *http.Client
	proxy   *cutProxy
	raw     bool
	publish func(t *testing.T, i int) string // returns the event id
	big     func(t *testing.T, data string)  // publishes a string event
	retry   func(t *testing.T, d time.Duration)
}

func ssekitTarget(t *testing.T, m mount, hubOpts ...core.HubOption) (*env, *target) {
	e := start(t, m, append([]core.HubOption{core.WithRetry(5 * time.Millisecond)}, hubOpts...))
	p := newCutProxy(t, e.url)
	tg := &target{url: p.url + "/events?topic=t", client: e.client, proxy: p}
	tg.publish = func(t *testing.T, i int) string { return e.publish("t", "n", i) }
	tg.big = func(t *testing.T, data string) { e.publish("t", "big", data) }
	return e, tg
}

// clientOf returns a client of the target with fast reconnects.
func (tg *target) clientOf(t *testing.T, opts ...client.Option) *client.Client {
	t.Helper()
	base := []client.Option{client.WithRetry(5 * time.Millisecond), client.WithMaxDelay(20 * time.Millisecond)}
	if tg.client != nil {
		base = append(base, client.WithHTTPClient(tg.client))
	}
	if tg.raw {
		base = append(base, client.WithRaw())
	}
	c, err := client.New(tg.url, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// loop ranges over c.Events in a goroutine; it stops at the end of the test.
func loop(t *testing.T, c *client.Client) <-chan clientItem {
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan clientItem)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		for ev, err := range c.Events(ctx) {
			select {
			case out <- clientItem{ev, err}:
			case <-ctx.Done():
				return
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return out
}

type clientItem struct {
	ev  *client.Event
	err error
}

func nextItem(t *testing.T, ch <-chan clientItem) clientItem {
	t.Helper()
	select {
	case it, ok := <-ch:
		if !ok {
			t.Fatal("the Events loop ended")
		}
		return it
	case <-time.After(wait):
		t.Fatal("nothing from the client within", wait)
	}
	return clientItem{}
}

// numbers reads events until it has the numbers from..to-1, skipping
// reconnect notices; any other error, gap or duplicate fails.
func numbers(t *testing.T, ch <-chan clientItem, from, to int) (reconnects int) {
	t.Helper()
	for want := from; want < to; {
		it := nextItem(t, ch)
		if it.err != nil {
			var re *client.ReconnectError
			if !errors.As(it.err, &re) {
				t.Fatalf("at %d: %v", want, it.err)
			}
			reconnects++
			continue
		}
		var n int
		if err := it.ev.Decode(&n); err != nil || it.ev.Name != "n" {
			t.Fatalf("event %q %q: %v", it.ev.Name, it.ev.Data, err)
		}
		if n != want {
			t.Fatalf("got event %d, want %d: a gap or a duplicate", n, want)
		}
		want++
	}
	return reconnects
}

// clientScenarios are the scenarios any SSE server with replay passes.
var clientScenarios = []struct {
	name string
	run  func(t *testing.T, tg *target)
}{
	{"events", func(t *testing.T, tg *target) {
		first := tg.publish(t, -1)
		ch := loop(t, tg.clientOf(t, client.WithLastEventID(first)))
		for i := range 3 {
			tg.publish(t, i)
		}
		numbers(t, ch, 0, 3)
	}},
	{"killed mid-event: resume with no gap and no duplicate under concurrent publishing", func(t *testing.T, tg *target) {
		first := tg.publish(t, -1)
		tg.proxy.cut(8) // the next 8 connections die at a random byte
		ch := loop(t, tg.clientOf(t, client.WithLastEventID(first)))
		const n = 1000
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := range n {
				tg.publish(t, i)
			}
		}()
		if r := numbers(t, ch, 0, n); r < 8 {
			t.Errorf("%d reconnects, want at least 8", r)
		}
		<-done
	}},
	{"server-closed or dropped streams resume", func(t *testing.T, tg *target) {
		first := tg.publish(t, -1)
		ch := loop(t, tg.clientOf(t, client.WithLastEventID(first)))
		for round := range 3 {
			tg.publish(t, round)
			numbers(t, ch, round, round+1)
			tg.proxy.dropAll()
		}
		tg.publish(t, 3)
		if r := numbers(t, ch, 3, 4); r != 1 {
			t.Errorf("%d reconnects after the last drop, want 1", r)
		}
	}},
	{"retry hint", func(t *testing.T, tg *target) {
		first := tg.publish(t, -1)
		ch := loop(t, tg.clientOf(t, client.WithLastEventID(first)))
		tg.retry(t, 60*time.Millisecond)
		tg.publish(t, 0)
		numbers(t, ch, 0, 1)
		tg.proxy.dropAll()
		var re *client.ReconnectError
		if it := nextItem(t, ch); !errors.As(it.err, &re) || re.Wait < 60*time.Millisecond || re.Wait > 120*time.Millisecond {
			t.Fatalf("got %v, want a wait in [60ms, 120ms]", it.err)
		}
	}},
	{"1 MiB event", func(t *testing.T, tg *target) {
		first := tg.publish(t, -1)
		ch := loop(t, tg.clientOf(t, client.WithLastEventID(first)))
		big := strings.Repeat("z", core.DefaultMaxEventSize-2)
		tg.big(t, big)
		var got string
		if it := nextItem(t, ch); it.err != nil || it.ev.Decode(&got) != nil || got != big {
			t.Fatalf("a 1 MiB event: %d bytes, %v", len(got), it.err)
		}
	}},
}

func TestClient(t *testing.T) {
	each(t, func(t *testing.T, m mount) {
		for _, sc := range clientScenarios {
			t.Run(sc.name, func(t *testing.T) {
				var opts []core.HubOption
				if sc.name == "retry hint" {
					opts = append(opts, core.WithRetry(60*time.Millisecond)) // sent as each stream opens
				}
				_, tg := ssekitTarget(t, m, opts...)
				tg.retry = func(*testing.T, time.Duration) {}
				sc.run(t, tg)
			})
		}
	})
}

func connIDs(hub *core.Hub) []string {
	var ids []string
	for _, c := range hub.Conns(core.Match{}) {
		ids = append(ids, c.ID())
	}
	return ids
}

func TestClientSSEKit(t *testing.T) {
	each(t, func(t *testing.T, m mount) {
		t.Run("envelope", func(t *testing.T) {
			_, tg := ssekitTarget(t, m)
			first := tg.publish(t, -1)
			ch := loop(t, tg.clientOf(t, client.WithLastEventID(first)))
			id := tg.publish(t, 7)
			it := nextItem(t, ch)
			if it.err != nil || it.ev.Envelope == nil || it.ev.ID != id || it.ev.Envelope.ID != id || it.ev.Envelope.Meta["topic"] != "t" || it.ev.Envelope.Meta["producer"] != "conformance" {
				t.Fatalf("got %+v, %v", it.ev, it.err)
			}
		})
		t.Run("server-closed stream: Disconnect", func(t *testing.T) {
			e, tg := ssekitTarget(t, m)
			first := tg.publish(t, -1)
			ch := loop(t, tg.clientOf(t, client.WithLastEventID(first)))
			tg.publish(t, 0)
			numbers(t, ch, 0, 1)
			e.hub.Disconnect(connIDs(e.hub)[0])
			tg.publish(t, 1)
			var re *client.ReconnectError
			if it := nextItem(t, ch); !errors.As(it.err, &re) || !errors.Is(it.err, client.ErrStreamEnded) {
				t.Fatalf("got %v, want a reconnect after a clean end", it.err)
			}
			numbers(t, ch, 1, 2)
		})
		t.Run("reset", func(t *testing.T) {
			_, tg := ssekitTarget(t, m)
			ch := loop(t, tg.clientOf(t, client.WithLastEventID("nope")))
			var re *client.ResetError
			if it := nextItem(t, ch); !errors.As(it.err, &re) || re.Reason != "unknown_last_event_id" || re.LastEventID != "nope" {
				t.Fatalf("got %v, want a reset", it.err)
			}
			tg.publish(t, 0)
			numbers(t, ch, 0, 1)
		})
		t.Run("stall", func(t *testing.T) {
			// No heartbeat (the suite's hubs send none) and a silent stream.
			_, tg := ssekitTarget(t, m)
			ch := loop(t, tg.clientOf(t, client.WithStallTimeout(150*time.Millisecond)))
			if it := nextItem(t, ch); !errors.Is(it.err, client.ErrStalled) {
				t.Fatalf("got %v, want a stall", it.err)
			}
		})
		t.Run("heartbeats keep a stream alive", func(t *testing.T) {
			_, tg := ssekitTarget(t, m, core.WithHeartbeat(20*time.Millisecond))
			first := tg.publish(t, -1)
			ch := loop(t, tg.clientOf(t, client.WithLastEventID(first), client.WithStallTimeout(500*time.Millisecond)))
			// Ten events 100 ms apart: 1 s in all, twice the stall timeout.
			for i := range 10 {
				<-time.After(100 * time.Millisecond) // paces the publisher, not a synchronisation
				tg.publish(t, i)
			}
			if r := numbers(t, ch, 0, 10); r != 0 {
				t.Fatalf("%d reconnects on a stream with heartbeats", r)
			}
		})
	})
}
