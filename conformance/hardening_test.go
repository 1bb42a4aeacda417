package conformance_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
)

// The production-hardening guarantees (README "Guarantees and limits"), on
// every mount.

func TestClosedStreamLeavesStatsWithinOneHeartbeat(t *testing.T) {
	const interval = time.Second
	each(t, func(t *testing.T, m mount) {
		e := start(t, m, []core.HubOption{core.WithHeartbeat(interval)})
		s := e.open("/events", nil)
		if st := e.stats(); st.Connections != 1 {
			t.Fatalf("stats.connections = %d with one stream", st.Connections)
		}
		s.Close()
		closed := time.Now()
		deadline := closed.Add(interval + time.Second)
		for e.stats().Connections != 0 {
			if time.Now().After(deadline) {
				t.Fatalf("the closed stream still counts after %v (want gone within interval + 1 s)", time.Since(closed).Round(time.Millisecond))
			}
			<-time.After(20 * time.Millisecond)
		}
		t.Logf("gone from stats after %v", time.Since(closed).Round(time.Millisecond))
	})
}

// stats reads the stats route.
func (e *env) stats() core.Stats {
	e.t.Helper()
	status, _, body := e.do(http.MethodGet, "/events/stats", nil, "")
	var st core.Stats
	if err := json.Unmarshal([]byte(body), &st); status != http.StatusOK || err != nil {
		e.t.Fatalf("stats: %d %s", status, body)
	}
	return st
}

func TestEvery405CarriesAllow(t *testing.T) {
	each(t, func(t *testing.T, m mount) {
		e := start(t, m, nil, core.BroadcastAuth(core.BearerToken(token)))
		for _, tc := range []struct{ method, path, allow string }{
			{http.MethodPost, "/events", "GET"},
			{http.MethodPut, "/events", "GET"},
			{http.MethodDelete, "/events", "GET"},
			{http.MethodPost, "/events/stats", "GET, HEAD"},
			{http.MethodGet, "/events/broadcast", "POST"},
			{http.MethodPut, "/events/broadcast", "POST"},
		} {
			status, h, body := e.do(tc.method, tc.path, nil, "")
			assertJSONError(t, tc.method+" "+tc.path, status, h, body, http.StatusMethodNotAllowed)
			if got := h.Get("Allow"); got != tc.allow {
				t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.path, got, tc.allow)
			}
		}
	})
}

func TestPanickingCallbacksAreContained(t *testing.T) {
	each(t, func(t *testing.T, m mount) {
		e := start(t, m, nil, core.BroadcastAuth(core.BearerToken(token)),
			core.FilterEvents(func(env *core.Envelope) bool {
				if env.Event == "boom" {
					panic("predicate broke")
				}
				return true
			}),
			core.Authorize(func(r *http.Request) (core.Access, error) {
				if r.URL.Query().Get("panic") != "" {
					panic("authorize broke")
				}
				return core.Access{}, nil
			}))
		a, b := e.open("/events", nil), e.open("/events", nil)
		// Over HTTP, so the predicates run on the mount's request goroutine.
		e.broadcast(`{"event":"boom"}`)
		e.broadcast(`{"event":"after"}`)
		for _, s := range []*stream{a, b} {
			if ev := s.Next(); ev.Name != "after" {
				t.Errorf("stream got %q, want after", ev.Name)
			}
		}
		status, h, body := e.do(http.MethodGet, "/events?panic=1", nil, "")
		if status != http.StatusOK || h.Get("Content-Type") != "text/event-stream" || body != "retry: 3000\n" {
			t.Errorf("Authorize panicked: %d %q %q, want a stream holding only the retry hint", status, h.Get("Content-Type"), body)
		}
		if st := e.stats(); st.Panics != 3 || st.Connections != 2 {
			t.Errorf("stats: panics %d connections %d, want 3 and 2", st.Panics, st.Connections)
		}
	})
}

func TestOversizedLastEventIDIsUnknown(t *testing.T) {
	each(t, func(t *testing.T, m mount) {
		e := start(t, m, nil)
		e.publish("t", "old", 1)
		// 1 KiB: under every mount's header limit, over MaxLastEventIDLen.
		id := "1-" + strings.Repeat("0", 1<<10)
		for _, s := range []*stream{
			e.open("/events?topic=t", http.Header{"Last-Event-ID": {id}}),
			e.open("/events?topic=t&lastEventId="+id, nil),
		} {
			ev := s.Next()
			if ev.Name != core.ResetEvent || len(ev.Data) > 512 || strings.Contains(ev.Data, id) {
				t.Errorf("first event %q (%d bytes of data), want a reset that does not echo the id", ev.Name, len(ev.Data))
			}
		}
	})
}

func TestRefusedStreamClosesItsConnection(t *testing.T) {
	each(t, func(t *testing.T, m mount) {
		e := start(t, m, []core.HubOption{core.WithMaxConnections(1)})
		e.open("/events", nil)
		client := e.client
		if !e.h2 {
			// A keep-alive client, so that the server chooses to close.
			tr := &http.Transport{}
			t.Cleanup(tr.CloseIdleConnections)
			client = &http.Client{Transport: tr}
		}
		req, _ := http.NewRequest(http.MethodGet, e.url+"/events", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("over the cap: %d", resp.StatusCode)
		}
		if !e.h2 && !resp.Close {
			t.Errorf("over the cap: the 503 keeps the connection (%s)", fmt.Sprint(resp.Header["Connection"]))
		}
	})
}
