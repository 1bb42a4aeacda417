package conformance_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/ssetest"
)

// each runs fn against every mount.
func each(t *testing.T, fn func(t *testing.T, m mount)) {
	for _, m := range mounts {
		t.Run(m.name, func(t *testing.T) { fn(t, m) })
	}
}

var bearer = http.Header{"Authorization": {"Bearer " + token}}

// wantWire is the normalised transcript of TestSameBytesOnTheWire.
const wantWire = `: connected
retry: 3000
id: <id>
event: greeting
data: {"id":"<id>","event":"greeting","occurred_at":"<ts>","data":{"hello":"world"},"meta":{"topic":"t1","producer":"conformance","trace_id":"<id>"}}

id: <id>
event: raw
data: {"id":"<id>","event":"raw","occurred_at":"<ts>","data":"not json\nline 2","meta":{"topic":"t1","producer":"conformance","trace_id":"<id>"}}

id: <id>
event: annotated
data: {"id":"<id>","event":"annotated","occurred_at":"<ts>","data":42,"meta":{"topic":"t1","producer":"conformance","trace_id":"trace-1","tenant":"acme"}}

id: <id>
event: over.http
data: {"id":"<id>","event":"over.http","occurred_at":"<ts>","data":{"a":[1,2]},"meta":{"topic":"t1","producer":"conformance","trace_id":"<id>"}}

id: <id>
event: everyone
data: {"id":"<id>","event":"everyone","occurred_at":"<ts>","data":null,"meta":{"topic":"*","producer":"conformance","trace_id":"<id>"}}

`

func TestSameBytesOnTheWire(t *testing.T) {
	each(t, func(t *testing.T, m mount) {
		e := start(t, m, nil, core.BroadcastAuth(core.BearerToken(token)))
		s := e.open("/events?topic=t1", nil)
		e.publish("t1", "greeting", map[string]string{"hello": "world"})
		e.publish("t2", "elsewhere", 1)
		if _, err := e.hub.PublishRaw(context.Background(), "t1", "raw", []byte("not json\nline 2")); err != nil {
			t.Fatal(err)
		}
		e.publish("t1", "annotated", 42, core.Meta(map[string]string{"tenant": "acme", "topic": "spoofed"}), core.TraceID("trace-1"))
		e.broadcast(`{"event":"over.http","topic":"t1","data":{"a":[1,2]}}`)
		e.publish(core.AllTopics, "everyone", nil)
		got := ": connected\n" + s.until(func(b string) bool { return strings.Count(b, "\n\n") == 5 })
		if n := normalise(got); n != wantWire {
			t.Errorf("wire:\n%s\nwant:\n%s", n, wantWire)
		}
	})
}

func TestStreamHeaders(t *testing.T) {
	each(t, func(t *testing.T, m mount) {
		e := start(t, m, nil)
		connection := "" // HTTP/2 has no Connection header
		if !e.h2 {
			// A keep-alive client: with "Connection: close" the server
			// answers close and the client drops the header.
			tr := &http.Transport{}
			t.Cleanup(tr.CloseIdleConnections)
			e.client = &http.Client{Transport: tr}
			connection = "keep-alive"
		}
		s := e.open("/events", nil)
		if want := 1 + b2i(e.h2); s.Response().ProtoMajor != want {
			t.Errorf("HTTP/%d, want HTTP/%d", s.Response().ProtoMajor, want)
		}
		want := map[string]string{
			"Content-Type":      "text/event-stream",
			"Cache-Control":     "no-cache",
			"X-Accel-Buffering": "no",
			"Connection":        connection,
			"Content-Encoding":  "",
			"Content-Length":    "",
		}
		for k, v := range want {
			if got := s.Response().Header.Get(k); got != v {
				t.Errorf("%s: %q, want %q", k, got, v)
			}
		}
		if s.Response().ContentLength != -1 {
			t.Errorf("content length %d, want unknown (-1)", s.Response().ContentLength)
		}
	})
}

func TestStreamRejectionsAreJSON(t *testing.T) {
	each(t, func(t *testing.T, m mount) {
		e := start(t, m, nil, core.AllowTopics("open"))
		for _, tc := range []struct {
			method, path string
			status       int
		}{
			{http.MethodPost, "/events", http.StatusMethodNotAllowed},
			{http.MethodGet, "/events?topic=secret", http.StatusForbidden},
			{http.MethodGet, "/events?topic=" + strings.Repeat("x", core.MaxNameLen+1), http.StatusBadRequest},
		} {
			status, h, body := e.do(tc.method, tc.path, nil, "")
			assertJSONError(t, tc.method+" "+tc.path, status, h, body, tc.status)
		}
		if n := e.hub.Count(); n != 0 {
			t.Errorf("hub.Count() = %d after rejections", n)
		}
	})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func assertJSONError(t *testing.T, what string, status int, h http.Header, body string, want int) {
	t.Helper()
	if status != want {
		t.Errorf("%s: status %d, want %d (%s)", what, status, want, body)
		return
	}
	if ct := h.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	var v struct{ Error string }
	if err := json.Unmarshal([]byte(body), &v); err != nil || v.Error == "" {
		t.Errorf("%s: body %q is not a JSON error", what, body)
	}
}

func TestQueryMetadataFiltersBroadcasts(t *testing.T) {
	each(t, func(t *testing.T, m mount) {
		e := start(t, m, nil, core.BroadcastAuth(core.BearerToken(token)))
		sports := e.open("/events?channel=sports", nil)
		news := e.open("/events?channel=news", nil)
		e.broadcast(`{"event":"goal","filter":{"channel":"sports"}}`)
		e.broadcast(`{"event":"election","filter":{"channel":"news"}}`)
		e.broadcast(`{"event":"both","filter":{"channel":"sports","lang":"fr"}}`)
		e.broadcast(`{"event":"weather"}`)
		if got, want := sports.names(2), []string{"goal", "weather"}; !slices.Equal(got, want) {
			t.Errorf("channel=sports got %v, want %v", got, want)
		}
		if got, want := news.names(2), []string{"election", "weather"}; !slices.Equal(got, want) {
			t.Errorf("channel=news got %v, want %v", got, want)
		}
	})
}

func TestTopics(t *testing.T) {
	each(t, func(t *testing.T, m mount) {
		e := start(t, m, nil, core.Topics("default"))
		ab := e.open("/events?topic=a&topic=b", nil)
		def := e.open("/events", nil)
		for _, p := range [][2]string{{"c", "c1"}, {"a", "a1"}, {"default", "d1"}, {"b", "b1"}, {core.AllTopics, "all"}} {
			e.publish(p[0], p[1], nil)
		}
		if got, want := ab.names(3), []string{"a1", "b1", "all"}; !slices.Equal(got, want) {
			t.Errorf("?topic=a&topic=b got %v, want %v", got, want)
		}
		if got, want := def.names(2), []string{"d1", "all"}; !slices.Equal(got, want) {
			t.Errorf("default topic got %v, want %v", got, want)
		}
	})
}

func TestStatsJSON(t *testing.T) {
	each(t, func(t *testing.T, m mount) {
		e := start(t, m, nil)
		s1, s2 := e.open("/events?topic=s", nil), e.open("/events?topic=s&topic=t", nil)
		e.publish("s", "one", nil)
		s1.Next()
		s2.Next()
		status, h, body := e.do(http.MethodGet, "/events/stats", nil, "")
		if status != http.StatusOK || h.Get("Content-Type") != "application/json" {
			t.Fatalf("stats: %d %q %s", status, h.Get("Content-Type"), body)
		}
		var st struct {
			Connections int            `json:"connections"`
			Topics      map[string]int `json:"topics"`
			Published   *uint64        `json:"published"`
			Delivered   *uint64        `json:"delivered"`
			Dropped     *uint64        `json:"dropped"`
		}
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			t.Fatalf("stats %s: %v", body, err)
		}
		if st.Connections != 2 || st.Topics["s"] != 2 || st.Topics["t"] != 1 {
			t.Errorf("stats connections/topics: %s", body)
		}
		if st.Published == nil || *st.Published != 1 || st.Delivered == nil || *st.Delivered != 2 || st.Dropped == nil || *st.Dropped != 0 {
			t.Errorf("stats counters: %s", body)
		}
		status, h, body = e.do(http.MethodPost, "/events/stats", nil, "")
		assertJSONError(t, "POST stats", status, h, body, http.StatusMethodNotAllowed)
	})
}

func TestBroadcastStatuses(t *testing.T) {
	each(t, func(t *testing.T, m mount) {
		e := start(t, m, nil, core.BroadcastAuth(core.BearerToken(token)), core.MaxBodyBytes(256))
		wrong := http.Header{"Authorization": {"Bearer nope"}}
		for _, tc := range []struct {
			name, method string
			header       http.Header
			body         string
			status       int
		}{
			{"accepted", http.MethodPost, bearer, `{"event":"ok","data":{"n":1}}`, http.StatusAccepted},
			{"bad JSON", http.MethodPost, bearer, `{"event":`, http.StatusBadRequest},
			{"missing event", http.MethodPost, bearer, `{"data":1}`, http.StatusBadRequest},
			{"invalid event", http.MethodPost, bearer, `{"event":"a\nb"}`, http.StatusBadRequest},
			{"no token", http.MethodPost, nil, `{"event":"ok"}`, http.StatusUnauthorized},
			{"wrong token", http.MethodPost, wrong, `{"event":"ok"}`, http.StatusForbidden},
			{"GET", http.MethodGet, bearer, "", http.StatusMethodNotAllowed},
			{"too large", http.MethodPost, bearer, `{"event":"big","data":"` + strings.Repeat("x", 300) + `"}`, http.StatusRequestEntityTooLarge},
		} {
			status, h, body := e.do(tc.method, "/events/broadcast", tc.header, tc.body)
			if tc.status == http.StatusAccepted {
				var r struct{ ID string }
				if status != tc.status || json.Unmarshal([]byte(body), &r) != nil || r.ID == "" {
					t.Errorf("%s: %d %s", tc.name, status, body)
				}
				continue
			}
			assertJSONError(t, tc.name, status, h, body, tc.status)
			if tc.status == http.StatusUnauthorized && h.Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("%s: WWW-Authenticate %q", tc.name, h.Get("WWW-Authenticate"))
			}
			if tc.status == http.StatusMethodNotAllowed && h.Get("Allow") != http.MethodPost {
				t.Errorf("%s: Allow %q", tc.name, h.Get("Allow"))
			}
		}
		if p := e.hub.Stats().Published; p != 1 {
			t.Errorf("published %d, want only the accepted one", p)
		}

		disabled := start(t, m, nil)
		status, h, body := disabled.do(http.MethodPost, "/events/broadcast", bearer, `{"event":"ok"}`)
		assertJSONError(t, "disabled", status, h, body, http.StatusForbidden)
		if !strings.Contains(body, "BroadcastAuth") {
			t.Errorf("disabled: %s does not say how to enable it", body)
		}
	})
}

func TestReplayWithLastEventID(t *testing.T) {
	each(t, func(t *testing.T, m mount) {
		e := start(t, m, nil)
		ids := []string{e.publish("r", "r1", nil), e.publish("other", "x", nil), e.publish("r", "r2", nil), e.publish("r", "r3", nil)}

		byHeader := e.open("/events?topic=r", http.Header{"Last-Event-Id": {ids[0]}})
		byQuery := e.open("/events?topic=r&lastEventId="+ids[2], nil)
		r4 := e.publish("r", "r4", nil)
		for _, c := range []struct {
			s    *stream
			want []event
		}{
			{byHeader, []event{{ID: ids[2], Name: "r2"}, {ID: ids[3], Name: "r3"}, {ID: r4, Name: "r4"}}},
			{byQuery, []event{{ID: ids[3], Name: "r3"}, {ID: r4, Name: "r4"}}},
		} {
			for _, want := range c.want {
				if got := c.s.Next(); got.ID != want.ID || got.Name != want.Name {
					t.Errorf("replay: got %s %s, want %s %s", got.ID, got.Name, want.ID, want.Name)
				}
			}
		}

		// An id newer than the log: a reset at the log's newest id.
		unknown := e.open("/events?topic=r", http.Header{"Last-Event-Id": {"99999999999999-0"}})
		if ev := unknown.Next(); ev.Name != core.ResetEvent || ev.ID != r4 {
			t.Errorf("unknown id: got %s %s, want %s %s", ev.ID, ev.Name, r4, core.ResetEvent)
		}
		// An id from before the log's epoch (a previous process): a reset,
		// then every event of this epoch the stream would have received.
		older := e.open("/events?topic=r", http.Header{"Last-Event-Id": {"1-0"}})
		if ev := older.Next(); ev.Name != core.ResetEvent || ev.ID == "" || ev.ID >= ids[0] {
			t.Errorf("id from an older epoch: got %s %s, want %s with an id before %s", ev.ID, ev.Name, core.ResetEvent, ids[0])
		}
		for _, want := range []event{{ID: ids[0], Name: "r1"}, {ID: ids[2], Name: "r2"}, {ID: ids[3], Name: "r3"}, {ID: r4, Name: "r4"}} {
			if got := older.Next(); got.ID != want.ID || got.Name != want.Name {
				t.Errorf("after the reset: got %s %s, want %s %s", got.ID, got.Name, want.ID, want.Name)
			}
		}
	})
}

func TestHeartbeats(t *testing.T) {
	each(t, func(t *testing.T, m mount) {
		e := start(t, m, []core.HubOption{core.WithHeartbeat(20 * time.Millisecond)})
		s := e.open("/events", nil)
		s.until(func(b string) bool { return strings.Count(b, ": ping\n") >= 2 })
	})
}

func TestCleanupAfterDisconnect(t *testing.T) {
	each(t, func(t *testing.T, m mount) {
		e := start(t, m, []core.HubOption{core.WithHeartbeat(20 * time.Millisecond)})
		e.do(http.MethodGet, "/events/stats", nil, "") // warm the server up
		baseline := ssetest.Goroutines()
		var streams []*stream
		for range 3 {
			streams = append(streams, e.open("/events?topic=x", nil))
		}
		if n := e.hub.Count(); n != 3 {
			t.Fatalf("hub.Count() = %d with 3 streams", n)
		}
		for _, s := range streams {
			s.Close()
		}
		eventually(t, "hub.Count() back to 0", func() bool { return e.hub.Count() == 0 })
		eventually(t, "goroutines back to baseline", func() bool { return ssetest.Goroutines() <= baseline })
		if st := e.hub.Stats(); st.Disconnects != 3 || st.Topics["x"] != 0 {
			t.Errorf("after disconnect: %+v", st)
		}
	})
}

func TestHubShutdownEndsStreamsWithRetryHint(t *testing.T) {
	each(t, func(t *testing.T, m mount) {
		e := start(t, m, nil)
		s := e.open("/events", nil)
		s.Line() // retry: 3000
		done := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			done <- e.hub.Shutdown(ctx)
		}()
		if rest := s.Rest(); rest != "retry: 3000\n" {
			t.Errorf("after shutdown the stream got %q, want the final retry hint", rest)
		}
		if err := <-done; err != nil {
			t.Errorf("hub.Shutdown: %v", err)
		}
		status, h, body := e.do(http.MethodGet, "/events", nil, "")
		assertJSONError(t, "stream after shutdown", status, h, body, http.StatusServiceUnavailable)
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		e.client.CloseIdleConnections()
		if err := e.stop(ctx); err != nil {
			t.Errorf("server stop after hub shutdown: %v", err)
		}
	})
}

func TestServerShutdownEndsStreams(t *testing.T) {
	each(t, func(t *testing.T, m mount) {
		if !m.stopEndsStreams {
			t.Skip("stopping this server does not end streams (net/http's Shutdown waits for them; a detached stream is not the server's): the app shuts the hub down first (exampleapp.Shutdown)")
		}
		e := start(t, m, []core.HubOption{core.WithHeartbeat(20 * time.Millisecond)})
		s := e.open("/events", nil)
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := e.stop(ctx); err != nil {
			t.Errorf("server stop with an open stream: %v", err)
		}
		s.Rest()
		eventually(t, "hub.Count() back to 0", func() bool { return e.hub.Count() == 0 })
	})
}
