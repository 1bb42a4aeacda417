package promsse_test

import (
	"context"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/promsse"
)

// The README's "Operating ssekit" setup (compiled, not run).
func Example_readme() {
	mux := http.NewServeMux()
	exp, _ := promsse.New(promsse.Topics("orders")) // topic labels only for listed topics
	hub, _ := core.NewHub(core.WithObserver(exp))
	exp.Watch(hub)
	reg := prometheus.NewRegistry()
	reg.MustRegister(exp)
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.Handle("/healthz", core.NewLive())    // 200 while the process serves
	mux.Handle("/readyz", core.NewReady(hub)) // 503 while the broker cannot publish or the hub shuts down
	defer hub.Shutdown(context.Background())
}
