package core

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// readyTimeout bounds the broker check of one readiness probe.
const readyTimeout = 2 * time.Second

// Ready reports whether the hub should get new streams: nil while it runs
// and its broker can publish, ErrClosed once Shutdown was called, and the
// broker's error when it implements HealthChecker and is unhealthy (for
// example, Redis is unreachable). It may do I/O bounded by ctx.
func (h *Hub) Ready(ctx context.Context) error {
	if h.Closing() {
		return ErrClosed
	}
	if hc, ok := h.broker.(HealthChecker); ok {
		if err := hc.Healthy(ctx); err != nil {
			return fmt.Errorf("core: broker unhealthy: %w", err)
		}
	}
	return nil
}

// BrokerStats returns the broker's own counters, and false when the broker
// keeps none (the in-memory broker).
func (h *Hub) BrokerStats() (BrokerStats, bool) {
	bs, ok := h.broker.(BrokerStatser)
	if !ok {
		return BrokerStats{}, false
	}
	return bs.BrokerStats(), true
}

// NewReady returns a readiness route for load balancers and orchestrators
// (mount it at /readyz): GET answers 200 {"status":"ready"} while
// Hub.Ready is nil, and 503 {"error": …} while the hub is shutting down
// or its broker cannot publish, so that no new streams are routed to a
// sick instance. Each probe checks the broker within 2 seconds.
func NewReady(hub *Hub) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !probeMethod(w, r) {
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := hub.Ready(ctx); err != nil {
			writeError(w, &HTTPError{Status: http.StatusServiceUnavailable, Message: "not ready: " + err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, []byte(`{"status":"ready"}`))
	})
}

// NewLive returns a liveness route (mount it at /healthz): GET answers 200
// {"status":"ok"} for as long as the process serves HTTP, whatever the
// broker's state, so that an orchestrator does not restart an instance
// that only waits for Redis to come back.
func NewLive() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if probeMethod(w, r) {
			writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
		}
	})
}

func probeMethod(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	writeError(w, &HTTPError{Status: http.StatusMethodNotAllowed, Message: "probe requires GET"})
	return false
}
