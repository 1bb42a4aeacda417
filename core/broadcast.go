package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// BroadcastRequest is the JSON body of the broadcast route.
type BroadcastRequest struct {
	// Event is the event name (required).
	Event string `json:"event"`
	// Data is any JSON value (null when absent).
	Data json.RawMessage `json:"data"`
	// Topic to publish to; absent or empty means every connection.
	Topic string `json:"topic,omitempty"`
	// Filter narrows delivery to connections whose metadata matches.
	Filter Match `json:"filter,omitempty"`
	// Meta is merged into the envelope's meta (reserved keys ignored).
	Meta map[string]string `json:"meta,omitempty"`
}

type broadcastHandler struct {
	hub *Hub
	cfg *routeConfig
}

// NewBroadcast returns the broadcast route alone: POST a BroadcastRequest,
// get 202 {"id": …}. It answers 403 until BroadcastAuth is given; 401/403
// when the authorizer refuses; 400 for bad JSON or a missing or invalid
// event or topic; 413 over MaxBodyBytes; 405 for other methods.
func NewBroadcast(hub *Hub, opts ...RouteOption) (http.Handler, error) {
	return newBroadcast(hub, true, opts)
}

func newBroadcast(hub *Hub, single bool, opts []RouteOption) (http.Handler, error) {
	cfg, err := newRouteConfig(hub, broadcastRoute, single, opts)
	if err != nil {
		return nil, err
	}
	return &broadcastHandler{hub: hub, cfg: cfg}, nil
}

// errBroadcastDisabled says how to turn the route on.
var errBroadcastDisabled = Forbidden("broadcast is disabled: enable it with the route option core.BroadcastAuth(core.BearerToken(secret)) (or your own authorizer)")

func (b *broadcastHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, err := b.serve(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	body, _ := json.Marshal(struct {
		ID string `json:"id"`
	}{id})
	writeJSON(w, http.StatusAccepted, body)
}

func (b *broadcastHandler) serve(w http.ResponseWriter, r *http.Request) (string, error) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return "", &HTTPError{Status: http.StatusMethodNotAllowed, Message: "broadcast requires POST"}
	}
	if b.cfg.broadcastAuth == nil {
		return "", errBroadcastDisabled
	}
	if err := b.cfg.broadcastAuth(r); err != nil {
		b.hub.reject(limitUnauthorized)
		return "", rejection(err)
	}
	req, err := decodeBroadcast(http.MaxBytesReader(w, r.Body, b.cfg.maxBody))
	if err != nil {
		var he *HTTPError
		if errors.As(err, &he) && he.Status == http.StatusRequestEntityTooLarge {
			b.hub.reject(limitBodySize)
		}
		return "", err
	}
	data := []byte(req.Data)
	if len(data) == 0 {
		data = []byte("null")
	}
	// Data decoded from the body is valid JSON: it is only compacted.
	id, err := b.hub.PublishRaw(r.Context(), req.topic(), req.Event, data, Where(req.Filter), Meta(req.Meta))
	return id, err
}

// decodeBroadcast reads one BroadcastRequest from body. Errors are
// *HTTPError (400, or 413 when body is a MaxBytesReader that hit its
// limit). The event and topic are validated once, by the publish.
func decodeBroadcast(body io.Reader) (*BroadcastRequest, error) {
	var req BroadcastRequest
	dec := json.NewDecoder(body)
	if err := dec.Decode(&req); err != nil {
		return nil, bodyError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("trailing data after the object")
		}
		return nil, bodyError(err)
	}
	if req.Event == "" {
		return nil, &HTTPError{Status: http.StatusBadRequest, Message: `missing "event"`}
	}
	return &req, nil
}

func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &HTTPError{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("request body over %d bytes", mbe.Limit)}
	}
	return &HTTPError{Status: http.StatusBadRequest, Message: "invalid JSON body: " + err.Error()}
}

// topic is the request's topic: an absent or empty "topic" reaches every
// connection (the HTTP contract's one rule; in Go, "" is an error and
// AllTopics is explicit).
func (r *BroadcastRequest) topic() string {
	if r.Topic == "" {
		return AllTopics
	}
	return r.Topic
}
