package core_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sort"
	"testing"

	"github.com/ssekit/ssekit/core"
)

func TestStreamOpensWithHeadersAndFlushedPreamble(t *testing.T) {
	hub := newHub(t)
	srv := serve(t, hub)
	c := dial(t, srv.URL+"/events?topic=news", nil)
	h := c.resp.Header
	for k, want := range map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no", "Connection": "keep-alive"} {
		if got := h.Get(k); got != want {
			t.Errorf("header %s: got %q, want %q", k, got, want)
		}
	}
	// Nothing is published: the preamble must arrive on its own (flushed).
	c.waitRaw(": connected\nretry: 3000\n")
}

func TestTopicsAndMetadataFiltersChooseWhoReceives(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(0))
	srv := serve(t, hub)
	sports := dial(t, srv.URL+"/events?topic=scores&channel=sports", nil)
	news := dial(t, srv.URL+"/events?topic=scores&channel=news", nil)
	other := dial(t, srv.URL+"/events?topic=weather", nil)
	waitUntil(t, "3 connections", func() bool { return hub.Count() == 3 })
	ctx := context.Background()

	mustPublish(t, hub, "scores", "goal", map[string]int{"home": 1}, core.Where(core.Match{"channel": "sports"}))
	mustPublish(t, hub, "scores", "final", "2-1")
	mustPublish(t, hub, core.AllTopics, "alert", "all of you")
	mustPublish(t, hub, core.AllTopics, "alert.news", "news only", core.Where(core.Match{"channel": "news"}))
	if _, err := hub.Publish(ctx, "weather", "rain", nil); err != nil {
		t.Fatal(err)
	}

	mustPublish(t, hub, core.AllTopics, "marker", 0)
	wantEvents(t, sports, "goal", "final", "alert", "marker")
	wantEvents(t, news, "final", "alert", "alert.news", "marker")
	wantEvents(t, other, "alert", "rain", "marker")
}

func mustPublish(t testing.TB, hub *core.Hub, topic, event string, data any, opts ...core.PublishOption) string {
	t.Helper()
	id, err := hub.Publish(context.Background(), topic, event, data, opts...)
	if err != nil {
		t.Fatalf("Publish(%q, %q): %v", topic, event, err)
	}
	return id
}

// wantEvents reads len(names) events and checks their names in order; a
// marker event published to everyone afterwards proves nothing else came.
func wantEvents(t testing.TB, c *client, names ...string) {
	t.Helper()
	for _, n := range names {
		if e := c.next(); e.Event != n {
			t.Fatalf("got event %q, want %q (sequence %v)", e.Event, n, names)
		}
	}
}

func TestAuthorizeRejectsSetsTrustedMetaAndRestrictsTopics(t *testing.T) {
	hub := newHub(t)
	srv := serve(t, hub, core.Authorize(func(r *http.Request) (core.Access, error) {
		switch r.Header.Get("Authorization") {
		case "":
			return core.Access{}, core.Unauthorized("login first")
		case "Bearer alice":
			return core.Access{Identity: "alice", Meta: map[string]string{"user_id": "1"}, Topics: []string{"user:1", "news"}}, nil
		case "Bearer broken":
			return core.Access{}, errors.New("database down: secret detail")
		}
		return core.Access{}, core.Forbidden("no")
	}))
	bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }
	if _, st := tryDial(t, srv.URL+"/events", nil); st != http.StatusUnauthorized {
		t.Errorf("no credentials: status %d, want 401", st)
	}
	if _, st := tryDial(t, srv.URL+"/events", bearer("mallory")); st != http.StatusForbidden {
		t.Errorf("bad credentials: status %d, want 403", st)
	}
	if _, st := tryDial(t, srv.URL+"/events", bearer("broken")); st != http.StatusForbidden {
		t.Errorf("hook error: status %d, want 403", st)
	}
	if _, st := tryDial(t, srv.URL+"/events?topic=user:2", bearer("alice")); st != http.StatusForbidden {
		t.Errorf("topic outside the grant: status %d, want 403", st)
	}
	// A query parameter cannot override trusted metadata.
	c := dial(t, srv.URL+"/events?user_id=2&theme=dark", bearer("alice"))
	waitUntil(t, "connection", func() bool { return hub.Count() == 1 })
	conn := hub.Conns(nil)[0]
	if conn.Get("user_id") != "1" || conn.Get("theme") != "dark" || conn.Identity() != "alice" {
		t.Fatalf("meta %v identity %q", conn.Meta(), conn.Identity())
	}
	topics := conn.Topics()
	sort.Strings(topics)
	if !slices.Equal(topics, []string{"news", "user:1"}) {
		t.Fatalf("topics %v, want the granted ones", topics)
	}
	mustPublish(t, hub, core.AllTopics, "for.user.2", 1, core.Where(core.Match{"user_id": "2"}))
	mustPublish(t, hub, "user:1", "for.user.1", 1)
	wantEvents(t, c, "for.user.1")
	if n := hub.CountWhere(core.Match{"user_id": "1"}); n != 1 {
		t.Fatalf("CountWhere(user_id=1) = %d", n)
	}
}

func TestStreamRulesFilterEventsBeforeQueueing(t *testing.T) {
	hub := newHub(t)
	srv := serve(t, hub,
		core.Topics("orders"),
		core.AllowEvents("order.updated", "order.cancelled"),
		core.FilterEvents(func(e *core.Envelope) bool {
			var d struct{ Tenant string }
			return e.Decode(&d) == nil && d.Tenant == "acme"
		}))
	c := dial(t, srv.URL+"/events", nil)
	waitUntil(t, "connection", func() bool { return hub.Count() == 1 })
	mustPublish(t, hub, "orders", "order.created", map[string]string{"tenant": "acme"})
	mustPublish(t, hub, "orders", "order.updated", map[string]string{"tenant": "globex"})
	mustPublish(t, hub, "orders", "order.updated", map[string]string{"tenant": "acme"})
	mustPublish(t, hub, "orders", "order.cancelled", map[string]string{"tenant": "acme"})
	mustPublish(t, hub, "orders", "order.updated", map[string]string{"tenant": "acme", "last": "yes"})
	wantEvents(t, c, "order.updated", "order.cancelled", "order.updated")
	waitUntil(t, "3 delivered", func() bool { return hub.Stats().Delivered >= 3 })
	if d := hub.Stats().Delivered; d != 3 {
		t.Fatalf("delivered = %d, want 3 (rules apply before queueing)", d)
	}
}
