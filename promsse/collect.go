package promsse

import (
	"github.com/prometheus/client_golang/prometheus"
)

// descs are the metrics read from the hub at each scrape.
type descs struct {
	connections, limit, topic                   *prometheus.Desc
	opened, closed, dropped                     *prometheus.Desc
	published, delivered, replayed, heartbeats  *prometheus.Desc
	resets, rejected, panics                    *prometheus.Desc
	brokerUp, brokerLag                         *prometheus.Desc
	brokerPublished, brokerPublishErrors        *prometheus.Desc
	brokerReceived, brokerRecovered, brokerSkip *prometheus.Desc
	brokerGaps, brokerReconnects, brokerDecode  *prometheus.Desc
}

func newDescs() descs {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return descs{
		connections: d("ssekit_connections", "Open SSE streams on this instance."),
		limit:       d("ssekit_connections_limit", "The hub's cap on open streams (absent when uncapped)."),
		topic:       d("ssekit_topic_connections", "Streams subscribed to a topic, for the topics of the exporter's allow-list.", "topic"),
		opened:      d("ssekit_connections_opened_total", "Streams opened."),
		closed:      d("ssekit_connections_closed_total", "Streams ended, for any reason."),
		dropped:     d("ssekit_connections_dropped_total", "Streams the hub ended because the client fell behind (its queue was full); the client resumes from the replay log.", "reason"),
		published:   d("ssekit_events_published_total", "Events published through this hub."),
		delivered:   d("ssekit_events_delivered_total", "Event frames written to clients, live and replayed (heartbeats not counted)."),
		replayed:    d("ssekit_events_replayed_total", "Events sent from the replay log to resuming clients."),
		heartbeats:  d("ssekit_heartbeats_total", "Heartbeats queued to idle streams."),
		resets:      d("ssekit_resets_total", "Reset events sent to clients that resumed from an id the replay log no longer knows.", "reason"),
		rejected:    d("ssekit_rejected_total", "Stream requests and publishes refused by a limit or an auth hook.", "reason"),
		panics:      d("ssekit_panics_total", "Panics in user hooks that the hub recovered."),

		brokerUp:            d("ssekit_broker_up", "1 while the broker's live subscription is up, else 0."),
		brokerLag:           d("ssekit_broker_lag_seconds", "How long the last received event took from the broker accepting it to this instance."),
		brokerPublished:     d("ssekit_broker_published_total", "Events the broker accepted from this instance."),
		brokerPublishErrors: d("ssekit_broker_publish_errors_total", "Publishes the broker failed."),
		brokerReceived:      d("ssekit_broker_received_total", "Events the broker handed to this instance's hub."),
		brokerRecovered:     d("ssekit_broker_recovered_total", "Events live delivery (pub/sub) lost, by a disconnect or an output-buffer overrun, and the broker read back from its log."),
		brokerSkip:          d("ssekit_broker_skipped_total", "Events not handed on because their id was at or below the last one delivered."),
		brokerGaps:          d("ssekit_broker_gaps_total", "Times events were lost for good between the broker and this instance; streams were ended so clients resume or reset."),
		brokerReconnects:    d("ssekit_broker_reconnects_total", "Reconnects of the broker's subscription."),
		brokerDecode:        d("ssekit_broker_decode_errors_total", "Events received that were not valid messages."),
	}
}

func (d *descs) all() []*prometheus.Desc {
	return []*prometheus.Desc{
		d.connections, d.limit, d.topic, d.opened, d.closed, d.dropped,
		d.published, d.delivered, d.replayed, d.heartbeats, d.resets, d.rejected, d.panics,
		d.brokerUp, d.brokerLag, d.brokerPublished, d.brokerPublishErrors, d.brokerReceived,
		d.brokerRecovered, d.brokerSkip, d.brokerGaps, d.brokerReconnects, d.brokerDecode,
	}
}

// Describe implements prometheus.Collector.
func (e *Exporter) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range e.descs.all() {
		ch <- d
	}
	e.publishErrors.Describe(ch)
	ch <- e.publish.desc
	ch <- e.fanout.desc
	ch <- e.queueWait.desc
}

// Collect implements prometheus.Collector: it reads the hub's counters
// (no I/O) and the histograms.
func (e *Exporter) Collect(ch chan<- prometheus.Metric) {
	e.publishErrors.Collect(ch)
	ch <- e.publish.metric()
	ch <- e.fanout.metric()
	ch <- e.queueWait.metric()
	hub := e.hub.Load()
	if hub == nil {
		return
	}
	d := &e.descs
	gauge := func(desc *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, labels...)
	}
	counter := func(desc *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.CounterValue, float64(v), labels...)
	}
	st := hub.Stats()
	gauge(d.connections, float64(st.Connections))
	if n := hub.MaxConnections(); n > 0 {
		gauge(d.limit, float64(n))
	}
	for _, t := range e.topics {
		gauge(d.topic, float64(st.Topics[t]), t)
	}
	counter(d.opened, st.Connects)
	counter(d.closed, st.Disconnects)
	counter(d.dropped, st.Dropped, "queue_full")
	counter(d.published, st.Published)
	counter(d.delivered, st.Delivered)
	counter(d.replayed, st.Replayed)
	counter(d.heartbeats, st.Heartbeats)
	counter(d.resets, st.Resets, "unknown_id")
	// The hub fills RejectedBy with its fixed set of limits, zeros
	// included, so rate() sees every series from the start.
	for r, n := range st.RejectedBy {
		counter(d.rejected, n, r)
	}
	counter(d.panics, st.Panics)

	bs, ok := hub.BrokerStats()
	if !ok {
		return
	}
	up := 0.0
	if bs.Subscribed {
		up = 1
	}
	gauge(d.brokerUp, up)
	gauge(d.brokerLag, bs.Lag.Seconds())
	counter(d.brokerPublished, bs.Published)
	counter(d.brokerPublishErrors, bs.PublishErrors)
	counter(d.brokerReceived, bs.Received)
	counter(d.brokerRecovered, bs.Recovered)
	counter(d.brokerSkip, bs.Skipped)
	counter(d.brokerGaps, bs.Gaps)
	counter(d.brokerReconnects, bs.Reconnects)
	counter(d.brokerDecode, bs.DecodeErrors)
}
