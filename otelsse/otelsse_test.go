package otelsse_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/otelsse"
	"github.com/ssekit/ssekit/ssetest"
)

// collect reads every metric the exporter reported, by name.
func collect(t *testing.T, r *sdkmetric.ManualReader) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != otelsse.ScopeName {
			t.Errorf("scope %q", sm.Scope.Name)
		}
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// sum returns the value of an int64 sum or gauge for the given attribute
// ("" for none), or the count of a histogram.
func sum(t *testing.T, ms map[string]metricdata.Metrics, name string, attr ...attribute.KeyValue) int64 {
	t.Helper()
	m, ok := ms[name]
	if !ok {
		t.Fatalf("metric %s not reported", name)
	}
	want := attribute.NewSet(attr...)
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, p := range d.DataPoints {
			if p.Attributes.Equals(&want) {
				return p.Value
			}
		}
	case metricdata.Gauge[int64]:
		for _, p := range d.DataPoints {
			return p.Value
		}
	case metricdata.Histogram[float64]:
		for _, p := range d.DataPoints {
			return int64(p.Count)
		}
	}
	t.Fatalf("%s: no data point with %v in %T", name, attr, m.Data)
	return 0
}

func TestMetricsAndTraceOfAPublish(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer tp.Shutdown(context.Background())

	exp, err := otelsse.New(mp, otelsse.Topics("orders"))
	if err != nil {
		t.Fatal(err)
	}
	hub, err := core.NewHub(core.WithObserver(exp), core.WithTraceIDFrom(otelsse.TraceID), core.WithHeartbeat(0), core.WithMaxConnections(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := exp.Watch(hub); err != nil {
		t.Fatal(err)
	}
	defer exp.Close()
	if err := exp.Watch(hub); err == nil {
		t.Fatal("a second Watch was accepted")
	}
	mux := http.NewServeMux()
	if err := core.Mount(mux, "/events", hub); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer hub.Shutdown(context.Background())
	s := ssetest.Open(t, srv.URL+"/events?topic=orders", nil)

	ctx, span := tp.Tracer("test").Start(context.Background(), "POST /orders")
	for i := range 3 {
		if _, err := hub.Publish(ctx, "orders", "order.created", i); err != nil {
			t.Fatal(err)
		}
	}
	span.End()
	for range 3 {
		ev := s.Next()
		var env core.Envelope
		if err := json.Unmarshal([]byte(ev.Data), &env); err != nil {
			t.Fatal(err)
		}
		if got, want := env.Meta[core.MetaTraceID], span.SpanContext().TraceID().String(); got != want {
			t.Fatalf("trace_id %q, want the publishing span's %q", got, want)
		}
	}
	ended := spans.Ended()
	if len(ended) != 1 || len(ended[0].Events()) != 3 || ended[0].Events()[0].Name != "ssekit.publish" {
		t.Fatalf("want one span with 3 ssekit.publish events, got %d spans", len(ended))
	}

	// Delivered is counted after the flush: wait for it.
	deadline := time.Now().Add(5 * time.Second)
	for hub.Stats().Delivered < 3 && time.Now().Before(deadline) {
		<-time.After(5 * time.Millisecond)
	}
	ms := collect(t, reader)
	for name, want := range map[string]int64{
		"ssekit.connections":        1,
		"ssekit.connections.limit":  100,
		"ssekit.connections.opened": 1,
		"ssekit.events.published":   3,
		"ssekit.events.delivered":   3,
		"ssekit.publish.duration":   3,
		"ssekit.fanout.duration":    3,
	} {
		if got := sum(t, ms, name); got != want {
			t.Errorf("%s = %d, want %d", name, got, want)
		}
	}
	if got := sum(t, ms, "ssekit.topic.connections", attribute.String("ssekit.topic", "orders")); got != 1 {
		t.Errorf("topic connections %d", got)
	}
	if got := sum(t, ms, "ssekit.rejected", attribute.String("ssekit.reason", "connections")); got != 0 {
		t.Errorf("rejected %d", got)
	}
	if ms["ssekit.publish.duration"].Unit != "s" || ms["ssekit.connections"].Unit != "{connection}" {
		t.Errorf("units %q %q", ms["ssekit.publish.duration"].Unit, ms["ssekit.connections"].Unit)
	}
	if _, ok := ms["ssekit.broker.up"]; ok {
		t.Error("broker metrics reported for the in-memory broker")
	}
}

func TestTraceIDWithoutSpan(t *testing.T) {
	if id := otelsse.TraceID(context.Background()); id != "" {
		t.Fatalf("TraceID without a span = %q", id)
	}
	if _, err := otelsse.New(nil); err == nil {
		t.Fatal("New(nil) accepted")
	}
}
