// Package promsse exports an ssekit hub's figures as Prometheus metrics,
// through the official client library (github.com/prometheus/client_golang).
//
// An Exporter is both a core.Observer (give it to the hub with
// core.WithObserver, for the latency histograms) and a
// prometheus.Collector that reads the hub's counters (Hub.Stats) and, with
// a networked broker such as redisbackend, the broker's own figures
// (Hub.BrokerStats) at each scrape:
//
//	exp, err := promsse.New(promsse.Topics("orders"))
//	hub, err := core.NewHub(core.WithObserver(exp))
//	exp.Watch(hub)
//	reg := prometheus.NewRegistry()
//	reg.MustRegister(exp)
//	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
//
// The metrics (every name starts with ssekit_; the list with one line each
// is in the repository's README, "Operating ssekit"):
//
//	ssekit_connections, ssekit_connections_limit, ssekit_topic_connections{topic}
//	ssekit_connections_opened_total, ssekit_connections_closed_total
//	ssekit_connections_dropped_total{reason}
//	ssekit_events_published_total, ssekit_events_delivered_total, ssekit_events_replayed_total
//	ssekit_heartbeats_total, ssekit_resets_total{reason}, ssekit_rejected_total{reason}, ssekit_panics_total
//	ssekit_publish_errors_total
//	ssekit_publish_duration_seconds, ssekit_fanout_latency_seconds, ssekit_queue_wait_seconds (histograms)
//	ssekit_broker_up, ssekit_broker_lag_seconds, ssekit_broker_*_total (networked brokers only)
//
// Labels stay bounded: reason takes a fixed set of values, and topics
// appear only when named in the Topics allow-list, because topic names may
// come from users. The hub calls the exporter's Observer methods once per
// publish, once per message fanned out and once per flushed batch, never
// per delivery; each is a few atomic adds and allocates nothing.
package promsse
