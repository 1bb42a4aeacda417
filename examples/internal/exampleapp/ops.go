package exampleapp

import (
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/promsse"
)

// OpsPaths are the operations routes every example serves: Prometheus
// metrics, liveness and readiness.
var OpsPaths = []string{"/metrics", "/healthz", "/readyz"}

// registries holds each example hub's Prometheus registry (NewHub fills
// it), so that OpsHandler finds it from the hub alone.
var registries sync.Map // *core.Hub → *prometheus.Registry

// newExporter returns the Prometheus exporter NewHub gives the hub, and
// the registry it will be served from.
func newExporter() (*promsse.Exporter, *prometheus.Registry, error) {
	exp, err := promsse.New(promsse.Topics("demo"))
	if err != nil {
		return nil, nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(exp, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return exp, reg, nil
}

// OpsHandler serves OpsPaths for a hub made by NewHub: /metrics in the
// Prometheus text format (the hub's, the broker's and the Go runtime's
// figures), /healthz (200 while the process serves) and /readyz (503 while
// the broker cannot publish or the hub shuts down).
func OpsHandler(hub *core.Hub) http.Handler {
	mux := http.NewServeMux()
	if reg, ok := registries.Load(hub); ok {
		mux.Handle("GET /metrics", promhttp.HandlerFor(reg.(*prometheus.Registry), promhttp.HandlerOpts{}))
	}
	mux.Handle("/healthz", core.NewLive())
	mux.Handle("/readyz", core.NewReady(hub))
	return mux
}

// Ops registers OpsHandler's routes on a net/http mux.
func Ops(mux *http.ServeMux, hub *core.Hub) {
	h := OpsHandler(hub)
	for _, p := range OpsPaths {
		mux.Handle(p, h)
	}
}
