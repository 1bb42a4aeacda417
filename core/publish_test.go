package core_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
)

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

func TestTheEmptyTopicIsAnErrorOnEveryPublishPath(t *testing.T) {
	hub := newHub(t)
	ctx := context.Background()
	if _, err := hub.Publish(ctx, "", "e", 1); !errors.Is(err, core.ErrInvalidTopic) {
		t.Errorf("Publish to \"\" = %v", err)
	}
	if _, err := hub.PublishRaw(ctx, "", "e", []byte("1")); !errors.Is(err, core.ErrInvalidTopic) {
		t.Errorf("PublishRaw to \"\" = %v", err)
	}
	if _, err := ext.NewMessage("p", "", "e", []byte("1")); !errors.Is(err, core.ErrInvalidTopic) {
		t.Errorf("ext.NewMessage to \"\" = %v", err)
	}
	if _, err := hub.Publish(ctx, core.AllTopics, "e", 1); err != nil {
		t.Errorf("Publish to AllTopics: %v", err)
	}
}
