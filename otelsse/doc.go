// Package otelsse connects an ssekit hub to OpenTelemetry: metrics through
// the go.opentelemetry.io/otel/metric API, and traces that run from the
// request that published an event, through the broker (Redis included),
// to the instance that delivers it.
//
//	exp, err := otelsse.New(otel.GetMeterProvider(), otelsse.Topics("orders"))
//	hub, err := core.NewHub(core.WithObserver(exp), core.WithTraceIDFrom(otelsse.TraceID))
//	err = exp.Watch(hub)
//
// Metrics follow the semantic-convention style: dotted names under
// "ssekit.", UCUM units ("s", "{connection}", "{event}"), and bounded
// attributes: ssekit.reason takes a fixed set of values, and ssekit.topic
// appears only for the topics of the Topics allow-list. Counters and gauges
// are observed from Hub.Stats and Hub.BrokerStats at each collection; three
// histograms (ssekit.publish.duration, ssekit.fanout.duration,
// ssekit.queue.duration) are recorded by the hub's Observer calls, which
// come once per publish, per message fanned out and per flushed batch,
// never per delivery.
//
// Traces: TraceID, given to core.WithTraceIDFrom, puts the trace id of the
// span in Publish's context into the envelope's meta.trace_id, which the
// Redis backend carries to every instance; a client (or a consumer of the
// envelope) can join the trace by it. The exporter adds one span event,
// "ssekit.publish", to that span per publish, never per delivery.
package otelsse
