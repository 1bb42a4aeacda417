package otelsse

import (
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/ssekit/ssekit/core"
)

// observables are the instruments read from the hub at each collection.
type observables struct {
	connections, limit, topic metric.Int64ObservableUpDownCounter
	opened, closed, dropped   metric.Int64ObservableCounter
	published, delivered      metric.Int64ObservableCounter
	replayed, heartbeats      metric.Int64ObservableCounter
	resets, rejected, panics  metric.Int64ObservableCounter

	brokerUp                             metric.Int64ObservableGauge
	brokerLag                            metric.Float64ObservableGauge
	brokerPublished, brokerPublishErrors metric.Int64ObservableCounter
	brokerReceived, brokerRecovered      metric.Int64ObservableCounter
	brokerSkipped, brokerGaps            metric.Int64ObservableCounter
	brokerReconnects, brokerDecodeErrors metric.Int64ObservableCounter
}

func (o *observables) create(m metric.Meter) error {
	var errs error
	updown := func(name, unit, desc string) metric.Int64ObservableUpDownCounter {
		i, err := m.Int64ObservableUpDownCounter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = errors.Join(errs, err)
		return i
	}
	counter := func(name, unit, desc string) metric.Int64ObservableCounter {
		i, err := m.Int64ObservableCounter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = errors.Join(errs, err)
		return i
	}
	o.connections = updown("ssekit.connections", "{connection}", "Open SSE streams on this instance.")
	o.limit = updown("ssekit.connections.limit", "{connection}", "The hub's cap on open streams (absent when uncapped).")
	o.topic = updown("ssekit.topic.connections", "{connection}", "Streams subscribed to a topic of the allow-list.")
	o.opened = counter("ssekit.connections.opened", "{connection}", "Streams opened.")
	o.closed = counter("ssekit.connections.closed", "{connection}", "Streams ended, for any reason.")
	o.dropped = counter("ssekit.connections.dropped", "{connection}", "Streams ended because the client fell behind (queue full).")
	o.published = counter("ssekit.events.published", "{event}", "Events published through this hub.")
	o.delivered = counter("ssekit.events.delivered", "{event}", "Event frames written to clients, live and replayed.")
	o.replayed = counter("ssekit.events.replayed", "{event}", "Events sent from the replay log to resuming clients.")
	o.heartbeats = counter("ssekit.heartbeats", "{heartbeat}", "Heartbeats queued to idle streams.")
	o.resets = counter("ssekit.resets", "{reset}", "Reset events sent for unknown Last-Event-IDs.")
	o.rejected = counter("ssekit.rejected", "{request}", "Stream requests and publishes refused by a limit or an auth hook.")
	o.panics = counter("ssekit.panics", "{panic}", "Panics in user hooks that the hub recovered.")

	var err error
	o.brokerUp, err = m.Int64ObservableGauge("ssekit.broker.up", metric.WithUnit("1"), metric.WithDescription("1 while the broker's live subscription is up, else 0."))
	errs = errors.Join(errs, err)
	o.brokerLag, err = m.Float64ObservableGauge("ssekit.broker.lag", metric.WithUnit("s"), metric.WithDescription("How long the last received event took from the broker accepting it to this instance."))
	errs = errors.Join(errs, err)
	o.brokerPublished = counter("ssekit.broker.published", "{event}", "Events the broker accepted from this instance.")
	o.brokerPublishErrors = counter("ssekit.broker.publish.errors", "{error}", "Publishes the broker failed.")
	o.brokerReceived = counter("ssekit.broker.received", "{event}", "Events the broker handed to this instance's hub.")
	o.brokerRecovered = counter("ssekit.broker.recovered", "{event}", "Events live delivery lost and the broker read back from its log.")
	o.brokerSkipped = counter("ssekit.broker.skipped", "{event}", "Events not handed on: id at or below the last delivered one.")
	o.brokerGaps = counter("ssekit.broker.gaps", "{gap}", "Times events were lost for good between the broker and this instance.")
	o.brokerReconnects = counter("ssekit.broker.reconnects", "{reconnect}", "Reconnects of the broker's subscription.")
	o.brokerDecodeErrors = counter("ssekit.broker.decode.errors", "{error}", "Events received that were not valid messages.")
	return errs
}

func (o *observables) instruments() []metric.Observable {
	return []metric.Observable{
		o.connections, o.limit, o.topic, o.opened, o.closed, o.dropped,
		o.published, o.delivered, o.replayed, o.heartbeats, o.resets, o.rejected, o.panics,
		o.brokerUp, o.brokerLag, o.brokerPublished, o.brokerPublishErrors, o.brokerReceived,
		o.brokerRecovered, o.brokerSkipped, o.brokerGaps, o.brokerReconnects, o.brokerDecodeErrors,
	}
}

func reason(r string) metric.ObserveOption {
	return metric.WithAttributes(attribute.String("ssekit.reason", r))
}

// observe reports hub's figures (no I/O).
func (o *observables) observe(ob metric.Observer, hub *core.Hub, topics []string) {
	i64 := func(v uint64) int64 { return int64(min(v, 1<<63-1)) }
	st := hub.Stats()
	ob.ObserveInt64(o.connections, int64(st.Connections))
	if n := hub.MaxConnections(); n > 0 {
		ob.ObserveInt64(o.limit, int64(n))
	}
	for _, t := range topics {
		ob.ObserveInt64(o.topic, int64(st.Topics[t]), metric.WithAttributes(attribute.String("ssekit.topic", t)))
	}
	ob.ObserveInt64(o.opened, i64(st.Connects))
	ob.ObserveInt64(o.closed, i64(st.Disconnects))
	ob.ObserveInt64(o.dropped, i64(st.Dropped), reason("queue_full"))
	ob.ObserveInt64(o.published, i64(st.Published))
	ob.ObserveInt64(o.delivered, i64(st.Delivered))
	ob.ObserveInt64(o.replayed, i64(st.Replayed))
	ob.ObserveInt64(o.heartbeats, i64(st.Heartbeats))
	ob.ObserveInt64(o.resets, i64(st.Resets), reason("unknown_id"))
	for r, n := range st.RejectedBy {
		ob.ObserveInt64(o.rejected, i64(n), reason(r))
	}
	ob.ObserveInt64(o.panics, i64(st.Panics))

	bs, ok := hub.BrokerStats()
	if !ok {
		return
	}
	up := int64(0)
	if bs.Subscribed {
		up = 1
	}
	ob.ObserveInt64(o.brokerUp, up)
	ob.ObserveFloat64(o.brokerLag, bs.Lag.Seconds())
	ob.ObserveInt64(o.brokerPublished, i64(bs.Published))
	ob.ObserveInt64(o.brokerPublishErrors, i64(bs.PublishErrors))
	ob.ObserveInt64(o.brokerReceived, i64(bs.Received))
	ob.ObserveInt64(o.brokerRecovered, i64(bs.Recovered))
	ob.ObserveInt64(o.brokerSkipped, i64(bs.Skipped))
	ob.ObserveInt64(o.brokerGaps, i64(bs.Gaps))
	ob.ObserveInt64(o.brokerReconnects, i64(bs.Reconnects))
	ob.ObserveInt64(o.brokerDecodeErrors, i64(bs.DecodeErrors))
}
