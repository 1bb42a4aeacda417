package core

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// Stats is a snapshot of a hub's counters, served as JSON by the stats
// endpoint.
type Stats struct {
	// Connections is the number of open streams.
	Connections int `json:"connections"`
	// Topics maps each topic with subscribers to their number.
	Topics map[string]int `json:"topics"`
	// Published counts events published through this hub.
	Published uint64 `json:"published"`
	// Delivered counts event frames written to clients (live and replayed).
	Delivered uint64 `json:"delivered"`
	// Dropped counts streams disconnected because their queue was full.
	Dropped uint64 `json:"dropped"`
	// Heartbeats counts heartbeat comments queued.
	Heartbeats uint64 `json:"heartbeats"`
	// Replayed counts events sent from the replay log to resuming clients.
	Replayed uint64 `json:"replayed"`
	// Resets counts reset events sent for unknown Last-Event-IDs.
	Resets uint64 `json:"resets"`
	// Connects and Disconnects count streams opened and ended.
	Connects    uint64 `json:"connects"`
	Disconnects uint64 `json:"disconnects"`
	// Rejected counts requests and publishes refused by a limit, in all.
	Rejected uint64 `json:"rejected"`
	// RejectedBy splits Rejected by limit: "connections" (hub cap),
	// "identity" (per-identity cap), "topics" (per-connection cap),
	// "event_size" (publish over the maximum event size), "body_size"
	// (broadcast body over its limit), "unauthorized" (refused by an
	// Authorize, BroadcastAuth or StatsAuth hook).
	RejectedBy map[string]uint64 `json:"rejected_by"`
	// Cluster holds cluster-wide figures. Hub.Stats leaves it nil (it
	// reads local counters only); the stats route fills it from
	// Hub.ClusterStats when the broker knows them.
	Cluster *ClusterStats `json:"cluster,omitempty"`
}

// ClusterStats are cluster-wide figures from a networked broker.
type ClusterStats struct {
	// Connections is the number of open streams on every live node.
	Connections int `json:"connections"`
	// Nodes is the number of live nodes.
	Nodes int `json:"nodes"`
	// Topics maps topics to their subscribers on every live node.
	Topics map[string]int `json:"topics,omitempty"`
}

// Stats returns a snapshot of the hub's own counters. It does no I/O; see
// ClusterStats for the figures of every instance.
func (h *Hub) Stats() Stats {
	h.mu.RLock()
	s := Stats{Connections: len(h.conns), Topics: make(map[string]int, len(h.topics))}
	for t, set := range h.topics {
		s.Topics[t] = len(set.list)
	}
	h.mu.RUnlock()
	s.Published = h.stats.published.Load()
	s.Delivered = h.stats.delivered.Load()
	s.Dropped = h.stats.dropped.Load()
	s.Heartbeats = h.stats.heartbeats.Load()
	s.Replayed = h.stats.replayed.Load()
	s.Resets = h.stats.resets.Load()
	s.Connects = h.stats.connects.Load()
	s.Disconnects = h.stats.disconnects.Load()
	s.RejectedBy = make(map[string]uint64, numLimits)
	for i := range h.stats.rejected {
		n := h.stats.rejected[i].Load()
		s.RejectedBy[limitNames[i]] = n
		s.Rejected += n
	}
	return s
}

// ClusterStats returns the broker's cluster-wide figures, or nil when the
// broker has none (the in-memory broker). It may do I/O bounded by ctx.
func (h *Hub) ClusterStats(ctx context.Context) (*ClusterStats, error) {
	cs, ok := h.broker.(ClusterStatser)
	if !ok {
		return nil, nil
	}
	c, err := cs.ClusterStats(ctx)
	if err != nil {
		return nil, fmt.Errorf("core: cluster stats: %w", err)
	}
	return c, nil
}

// The limits counted in Stats.RejectedBy.
const (
	limitConnections = iota
	limitIdentity
	limitTopics
	limitEventSize
	limitBodySize
	limitUnauthorized
	numLimits
)

var limitNames = [numLimits]string{"connections", "identity", "topics", "event_size", "body_size", "unauthorized"}

func (h *Hub) reject(limit int) { h.stats.rejected[limit].Add(1) }

type statsHandler struct {
	hub *Hub
	cfg *routeConfig
}

// NewStats returns the stats route alone: GET answers the hub's Stats as
// JSON, with the broker's cluster figures when it has them. It is public
// unless StatsAuth is given.
func NewStats(hub *Hub, opts ...RouteOption) (http.Handler, error) {
	return newStats(hub, true, opts)
}

func newStats(hub *Hub, single bool, opts []RouteOption) (http.Handler, error) {
	cfg, err := newRouteConfig(hub, statsRoute, single, opts)
	if err != nil {
		return nil, err
	}
	return &statsHandler{hub: hub, cfg: cfg}, nil
}

func (s *statsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, &HTTPError{Status: http.StatusMethodNotAllowed, Message: "stats requires GET"})
		return
	}
	if s.cfg.statsAuth != nil {
		if err := s.cfg.statsAuth(r); err != nil {
			s.hub.reject(limitUnauthorized)
			writeError(w, rejection(err))
			return
		}
	}
	st := s.hub.Stats()
	if cs, err := s.hub.ClusterStats(r.Context()); err != nil {
		s.hub.log.Warn("ssekit: cluster stats unavailable", "err", err)
	} else {
		st.Cluster = cs
	}
	body, err := json.Marshal(st)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, body)
}
