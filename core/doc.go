// Package core is ssekit's framework-agnostic Server-Sent Events hub, with
// the standard library only.
//
// A Hub routes published events to connections: topics, per-connection
// metadata and filters, a JSON envelope, spec-exact SSE framing encoded once
// per publish, one shared heartbeat ticker, bounded per-connection queues
// that never block a publisher, and a bounded replay log so clients that
// reconnect with Last-Event-ID get exactly what they missed. Events travel
// only through a Broker: the in-memory one is the default, and the
// redisbackend module replaces it to make many instances behave as one.
//
// A net/http app gets the whole HTTP contract in one line:
//
//	hub, _ := core.NewHub()
//	core.Mount(mux, "/events", hub, core.BroadcastAuth(core.BearerToken(token)))
//	...
//	hub.Publish(ctx, "orders", "order.updated", order)
//
// which registers
//
//	GET  /events            the stream: ?topic= (repeatable), other query parameters as metadata, Last-Event-ID or ?lastEventId= to resume
//	GET  /events/stats      counters as JSON
//	POST /events/broadcast  {"event", "data", "topic"?, "filter"?, "meta"?} → 202 {"id"}
//
// The wire format of a stream:
//
//	: connected
//	retry: 3000
//	id: 1732380000000-0
//	event: order.updated
//	data: {"id":"1732380000000-0","event":"order.updated","occurred_at":"…","data":{…},"meta":{"topic":"orders","producer":"ssekit","trace_id":"…"}}
//
//	: ping
//
// Comments and the retry hint are never followed by a blank line (some
// clients dispatch an empty event for each blank line); every event ends
// with one.
//
// Framework adapters (echosse, ginsse, fibersse) translate requests and
// responses only: Stream.Accept checks and registers a stream request and
// Session.Run writes it to any Writer.
package core
