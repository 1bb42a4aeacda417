package core_test

import (
	"context"

	"github.com/ssekit/ssekit/core"
)

// The README's publishing calls (compiled, not run). Every call returns the
// event id and an error.
func Example_publishing() {
	ctx := context.Background()
	hub, _ := core.NewHub()
	defer hub.Shutdown(ctx)
	order := map[string]any{"id": 42, "status": "paid"}
	o, g := order, map[string]string{"team": "home"}
	notice := map[string]string{"text": "down for maintenance at 02:00"}
	connID, msg, traceID := "c1", "hello", "trace-1"

	hub.Publish(ctx, "orders", "order.updated", order)                                 // data JSON-encoded
	hub.PublishRaw(ctx, "logs", "log.line", []byte("plain text"))                      // valid JSON as-is, else a JSON string
	hub.Publish(ctx, core.AllTopics, "maintenance", notice)                            // every connection
	hub.Publish(ctx, "scores", "goal", g, core.Where(core.Match{"channel": "sports"})) // only matching metadata
	hub.SendTo(ctx, connID, "private", msg)                                            // one connection, on any instance
	hub.Publish(ctx, "orders", "order.updated", o, core.Meta(map[string]string{"tenant": "acme"}), core.TraceID(traceID))
}
