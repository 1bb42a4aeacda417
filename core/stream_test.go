package core_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strings"
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

func TestEnvelopeReservedMetaCannotBeOverridden(t *testing.T) {
	hub := newHub(t, core.WithProducer("shop"))
	srv := serve(t, hub)
	c := dial(t, srv.URL+"/events?topic=orders", nil)
	waitUntil(t, "connection", func() bool { return hub.Count() == 1 })
	id := mustPublish(t, hub, "orders", "order.updated", map[string]any{"id": 42},
		core.Meta(map[string]string{"tenant": "acme", "topic": "evil", "producer": "evil", "trace_id": "evil"}))
	e, env := c.nextEnvelope()
	if e.ID != id || env.ID != id || env.Event != "order.updated" || env.OccurredAt.IsZero() {
		t.Fatalf("envelope %+v, frame id %q, want id %q", env, e.ID, id)
	}
	want := map[string]string{"topic": "orders", "producer": "shop", "trace_id": id, "tenant": "acme"}
	for k, v := range want {
		if env.Meta[k] != v {
			t.Errorf("meta[%s] = %q, want %q", k, env.Meta[k], v)
		}
	}
	var data struct{ ID int }
	if err := env.Decode(&data); err != nil || data.ID != 42 {
		t.Fatalf("data: %+v %v", data, err)
	}
	mustPublish(t, hub, "orders", "traced", 1, core.TraceID("req-7"))
	if _, env := c.nextEnvelope(); env.Meta["trace_id"] != "req-7" {
		t.Fatalf("trace_id = %q", env.Meta["trace_id"])
	}
}

func TestPublishRawKeepsJSONAndQuotesText(t *testing.T) {
	hub := newHub(t)
	srv := serve(t, hub)
	c := dial(t, srv.URL+"/events?topic=logs", nil)
	waitUntil(t, "connection", func() bool { return hub.Count() == 1 })
	ctx := context.Background()
	hub.PublishRaw(ctx, "logs", "json", []byte(`{"a": [1, 2]}`))
	hub.PublishRaw(ctx, "logs", "text", []byte("plain text payload"))
	if _, env := c.nextEnvelope(); string(env.Data) != `{"a":[1,2]}` {
		t.Fatalf("json data = %s", env.Data)
	}
	if _, env := c.nextEnvelope(); string(env.Data) != `"plain text payload"` {
		t.Fatalf("text data = %s", env.Data)
	}
}

func TestSendToOneConnectionAndOnConnectWelcome(t *testing.T) {
	hub := newHub(t)
	srv := serve(t, hub, core.OnConnect(func(c *core.Conn, r *http.Request) error {
		c.SetMeta("joined", "yes")
		return c.Send("welcome", map[string]string{"conn": c.ID()})
	}))
	a := dial(t, srv.URL+"/events", nil)
	b := dial(t, srv.URL+"/events", nil)
	ea := a.next()
	eb := b.next()
	if ea.Event != "welcome" || eb.Event != "welcome" {
		t.Fatalf("want welcome events, got %q %q", ea.Event, eb.Event)
	}
	if ea.ID != "" {
		t.Fatalf("a direct send must not carry an SSE id, got %q", ea.ID)
	}
	conns := hub.Conns(core.Match{"joined": "yes"})
	if len(conns) != 2 {
		t.Fatalf("Conns(joined=yes) = %d", len(conns))
	}
	target := conns[0].ID()
	if !strings.Contains(ea.Data, target) {
		target = conns[1].ID()
	}
	if _, err := hub.SendTo(context.Background(), target, "private", "for a only"); err != nil {
		t.Fatal(err)
	}
	mustPublish(t, hub, core.AllTopics, "marker", 1)
	wantEvents(t, a, "private", "marker")
	wantEvents(t, b, "marker")
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

func TestConnectionsCanBeListedCountedMovedAndDisconnected(t *testing.T) {
	hub := newHub(t)
	srv := serve(t, hub)
	c := dial(t, srv.URL+"/events?topic=a&user_id=7", nil)
	dial(t, srv.URL+"/events?topic=a&topic=b&user_id=8", nil)
	waitUntil(t, "2 connections", func() bool { return hub.Count() == 2 })
	if hub.CountTopic("a") != 2 || hub.CountTopic("b") != 1 || hub.CountWhere(core.Match{"user_id": "7"}) != 1 {
		t.Fatalf("counts: a=%d b=%d user7=%d", hub.CountTopic("a"), hub.CountTopic("b"), hub.CountWhere(core.Match{"user_id": "7"}))
	}
	id := hub.Conns(core.Match{"user_id": "7"})[0].ID()
	if hub.Conn(id) == nil || hub.Conn("nope") != nil {
		t.Fatal("Conn lookup")
	}
	if err := hub.Subscribe(id, "c"); err != nil {
		t.Fatal(err)
	}
	if err := hub.Unsubscribe(id, "a"); err != nil {
		t.Fatal(err)
	}
	if err := hub.Subscribe("nope", "c"); !errors.Is(err, core.ErrNoConnection) {
		t.Fatalf("Subscribe unknown: %v", err)
	}
	if err := hub.Subscribe(id, core.AllTopics); !errors.Is(err, core.ErrInvalidTopic) {
		t.Fatalf("Subscribe(*): %v", err)
	}
	mustPublish(t, hub, "a", "on.a", 1)
	mustPublish(t, hub, "c", "on.c", 1)
	wantEvents(t, c, "on.c")
	st := hub.Stats()
	if st.Topics["a"] != 1 || st.Topics["c"] != 1 || st.Connections != 2 {
		t.Fatalf("stats topics %v connections %d", st.Topics, st.Connections)
	}
	if !hub.Disconnect(id) {
		t.Fatal("Disconnect reported no connection")
	}
	c.waitEnd()
	waitUntil(t, "1 connection", func() bool { return hub.Count() == 1 })
	if hub.Disconnect(id) {
		t.Fatal("second Disconnect reported a connection")
	}
}

func TestStatsRouteServesCounters(t *testing.T) {
	hub := newHub(t)
	srv := serve(t, hub)
	c := dial(t, srv.URL+"/events?topic=x", nil)
	waitUntil(t, "connection", func() bool { return hub.Count() == 1 })
	mustPublish(t, hub, "x", "e", 1)
	c.next()
	resp, err := http.Get(srv.URL + "/events/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st core.Stats
	if err := jsonDecode(resp.Body, &st); err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("Content-Type") != "application/json" || st.Connections != 1 || st.Topics["x"] != 1 || st.Published != 1 || st.Delivered != 1 {
		t.Fatalf("stats %+v", st)
	}
	protected := serve(t, newHub(t), core.StatsAuth(core.BearerToken("s3cret")))
	r2, _ := http.Get(protected.URL + "/events/stats")
	r2.Body.Close()
	if r2.StatusCode != http.StatusUnauthorized {
		t.Fatalf("protected stats without token: %d", r2.StatusCode)
	}
}

func TestSendToLeavesTheCallersOptionsAlone(t *testing.T) {
	hub := newHub(t)
	opts := make([]core.PublishOption, 1, 4)
	opts[0] = core.Meta(map[string]string{"k": "v"})
	spare := opts[:2]
	spare[1] = core.TraceID("mine")
	if _, err := hub.SendTo(context.Background(), "nobody", "e", 1, opts...); err != nil {
		t.Fatal(err)
	}
	m := &core.Message{}
	spare[1](m)
	if m.TraceID != "mine" || m.ConnID != "" {
		t.Fatalf("SendTo wrote into the caller's slice: the option there now sets trace_id %q, conn %q", m.TraceID, m.ConnID)
	}
}
