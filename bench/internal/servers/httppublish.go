package servers

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/ssekit/ssekit/bench/internal/ctl"
)

// The HTTP publish route (bench B8, issue 17): events reach the server as
// POST /events/broadcast requests, so what is measured includes accepting
// and decoding the publish request, as a deployment publishing from another
// service sees it. ssekit's mounts serve it with core's broadcast route;
// peers and baselines get broadcastHandler, which does the same work (bearer
// token check, JSON decode, publish, a small JSON answer).

// BroadcastPath and BroadcastToken are the route and its bearer token.
const (
	BroadcastPath  = ctl.BroadcastPath
	BroadcastToken = ctl.BroadcastToken
)

// broadcastRequest is the body of a publish request (the shape of
// core.BroadcastRequest).
type broadcastRequest struct {
	Event string          `json:"event"`
	Topic string          `json:"topic"`
	Data  json.RawMessage `json:"data"`
}

// broadcastHandler is the publish route for a server without its own: it
// checks the token, decodes the request and calls publish with the data.
func broadcastHandler(publish func(topic string, payload []byte) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+BroadcastToken {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		var req broadcastRequest
		dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
		err := dec.Decode(&req)
		if err == nil && (req.Topic == "" || req.Event == "") {
			err = errors.New("topic and event are required")
		}
		if err != nil {
			http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
			return
		}
		if err := publish(req.Topic, req.Data); err != nil {
			http.Error(w, `{"error":"publish failed"}`, http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"id":""}`)
	})
}
