package promsse_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/promsse"
)

// The exporter is the hub's observer and a collector on the app's
// registry; /metrics serves the Prometheus text format.
func Example() {
	exp, err := promsse.New(promsse.Topics("orders"))
	if err != nil {
		panic(err)
	}
	hub, err := core.NewHub(core.WithObserver(exp))
	if err != nil {
		panic(err)
	}
	defer hub.Shutdown(context.Background())
	if err := exp.Watch(hub); err != nil {
		panic(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(exp)

	mux := http.NewServeMux()
	if err := core.Mount(mux, "/events", hub); err != nil {
		panic(err)
	}
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.Handle("/healthz", core.NewLive())
	mux.Handle("/readyz", core.NewReady(hub))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	hub.Publish(context.Background(), "orders", "order.created", map[string]int{"id": 1})
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "ssekit_events_published_total") || strings.HasPrefix(line, "ssekit_topic_connections") {
			fmt.Println(line)
		}
	}
	// Output:
	// ssekit_events_published_total 1
	// ssekit_topic_connections{topic="orders"} 0
}
