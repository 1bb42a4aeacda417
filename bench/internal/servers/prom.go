package servers

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/promsse"
)

// The "ssekit" entry with the Prometheus exporter on (B7 rows): the same
// hub and options plus promsse as the hub's observer and /metrics, to show
// what the exporter costs at saturation.
func init() {
	register("ssekit-prom", "ssekit hub with the promsse Prometheus exporter as its observer (+ /metrics), net/http stream handler",
		func(o Options) (Server, error) { return newSSEKitProm(o) })
}

func newSSEKitProm(o Options) (*ssekit, error) {
	exp, err := promsse.New()
	if err != nil {
		return nil, err
	}
	hub, err := core.NewHub(append(hubOptions(o), core.WithObserver(exp))...)
	if err != nil {
		return nil, err
	}
	if err := exp.Watch(hub); err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(exp)
	mux := http.NewServeMux()
	if err := core.Mount(mux, "/events", hub, routeOptions()...); err != nil {
		return nil, err
	}
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return &ssekit{hub: hub, http: &http.Server{Handler: mux}}, nil
}
