package core

import (
	"encoding/json"
	"net/http"
)

type statsHandler struct {
	hub *Hub
	cfg *routeConfig
}

// NewStats returns the stats route: GET answers the hub's Stats as JSON.
// It is public unless StatsAuth is given.
func NewStats(hub *Hub, opts ...RouteOption) http.Handler {
	return &statsHandler{hub: hub, cfg: newRouteConfig(opts)}
}

func (s *statsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		WriteError(w, &HTTPError{Status: http.StatusMethodNotAllowed, Message: "stats requires GET"})
		return
	}
	if s.cfg.statsAuth != nil {
		if err := s.cfg.statsAuth(r); err != nil {
			s.hub.reject(limitUnauthorized)
			WriteError(w, rejection(err))
			return
		}
	}
	body, err := json.Marshal(s.hub.Stats())
	if err != nil {
		WriteError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, body)
}
