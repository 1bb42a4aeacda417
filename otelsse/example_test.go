package otelsse_test

import (
	"context"
	"fmt"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/otelsse"
)

// The exporter observes the hub, and TraceID stamps each envelope with the
// publishing span's trace id. In an app, mp and tp are the global
// providers (otel.GetMeterProvider(), otel.Tracer(...)).
func Example() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	tp := sdktrace.NewTracerProvider()

	exp, err := otelsse.New(mp)
	if err != nil {
		panic(err)
	}
	hub, err := core.NewHub(core.WithObserver(exp), core.WithTraceIDFrom(otelsse.TraceID))
	if err != nil {
		panic(err)
	}
	defer hub.Shutdown(context.Background())
	if err := exp.Watch(hub); err != nil {
		panic(err)
	}

	ctx, span := tp.Tracer("shop").Start(context.Background(), "POST /orders")
	hub.Publish(ctx, "orders", "order.created", map[string]int{"id": 1})
	span.End()

	var rm metricdata.ResourceMetrics
	reader.Collect(context.Background(), &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if m.Name == "ssekit.events.published" {
			fmt.Println(m.Name, m.Data.(metricdata.Sum[int64]).DataPoints[0].Value)
		}
	}
	// Output:
	// ssekit.events.published 1
}
