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
//	hub, err := core.NewHub()
//	...
//	err = core.Mount(mux, "/events", hub, core.BroadcastAuth(core.BearerToken(token)))
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
// Options follow one naming rule: hub options start with With
// (WithHeartbeat), publish options are bare words (Where, Meta, TraceID,
// ToConn), and route options name what they set (Topics, Authorize,
// MaxBodyBytes). Invalid option values are errors from NewHub, Mount and
// the route constructors, never silently ignored.
//
// Operations: NewReady and NewLive are readiness and liveness routes
// (readiness fails while the broker cannot publish or the hub shuts down);
// WithObserver hands an exporter (the promsse and otelsse modules) three
// timings, once per publish, per message and per flushed batch, never per
// delivery; WithTraceIDFrom derives meta.trace_id from Publish's context.
//
// Framework adapters (echosse, ginsse, fibersse) translate requests and
// responses only, through package core/ext, which holds the extension API
// for adapter and broker authors so that this package shows an app author
// only what an app uses. The broker contract (Broker, ReplayLog,
// BrokerHandler, Message) is here, beside the hub that uses it. The
// design, with the path of one event from Publish to the socket, is in the
// repository's docs/ARCHITECTURE.md.
//
// What ssekit guarantees (ordering, resume without gaps or duplicates, what
// happens to slow clients) and where its limits are (event size, queue and
// replay bounds) is stated once, in the README's [Guarantees and limits].
//
// [Guarantees and limits]: https://github.com/ssekit/ssekit#guarantees-and-limits
package core
