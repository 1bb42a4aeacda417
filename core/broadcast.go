package core

import (
	"context"
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

// NewBroadcast returns the broadcast route: POST a BroadcastRequest, get
// 202 {"id": …}. It answers 403 until BroadcastAuth is given; 401/403 when
// the authorizer refuses; 400 for bad JSON or a missing or invalid event or
// topic; 413 over MaxBodyBytes; 405 for other methods.
func NewBroadcast(hub *Hub, opts ...RouteOption) http.Handler {
	return &broadcastHandler{hub: hub, cfg: newRouteConfig(opts)}
}

// errBroadcastDisabled says how to turn the route on.
var errBroadcastDisabled = Forbidden("broadcast is disabled: enable it with the route option core.BroadcastAuth(core.BearerToken(secret)) (or your own authorizer)")

func (b *broadcastHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, err := b.serve(w, r)
	if err != nil {
		WriteError(w, err)
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
	req, err := DecodeBroadcast(http.MaxBytesReader(w, r.Body, b.cfg.maxBody))
	if err != nil {
		var he *HTTPError
		if errors.As(err, &he) && he.Status == http.StatusRequestEntityTooLarge {
			b.hub.reject(limitBodySize)
		}
		return "", err
	}
	return b.hub.PublishBroadcast(r.Context(), req)
}

// DecodeBroadcast reads one BroadcastRequest from body and validates it.
// Errors are *HTTPError (400, or 413 when body is a MaxBytesReader that hit
// its limit).
func DecodeBroadcast(body io.Reader) (*BroadcastRequest, error) {
	var req BroadcastRequest
	dec := json.NewDecoder(body)
	if err := dec.Decode(&req); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &HTTPError{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("request body over %d bytes", mbe.Limit)}
		}
		return nil, &HTTPError{Status: http.StatusBadRequest, Message: "invalid JSON body: " + err.Error()}
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &HTTPError{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("request body over %d bytes", mbe.Limit)}
		}
		return nil, &HTTPError{Status: http.StatusBadRequest, Message: "invalid JSON body: trailing data after the object"}
	}
	if req.Event == "" {
		return nil, &HTTPError{Status: http.StatusBadRequest, Message: `missing "event"`}
	}
	if err := ValidateEvent(req.Event); err != nil {
		return nil, httpErrorf(http.StatusBadRequest, err)
	}
	if req.Topic != "" && req.Topic != AllTopics {
		if err := ValidateTopic(req.Topic); err != nil {
			return nil, httpErrorf(http.StatusBadRequest, err)
		}
	}
	return &req, nil
}

// PublishBroadcast publishes a decoded broadcast request and returns the
// event id.
func (h *Hub) PublishBroadcast(ctx context.Context, req *BroadcastRequest) (string, error) {
	topic := req.Topic
	if topic == "" {
		topic = AllTopics
	}
	data := []byte(req.Data)
	if len(data) == 0 {
		data = []byte("null")
	}
	return h.PublishRaw(ctx, topic, req.Event, data, Where(req.Filter), WithMeta(req.Meta))
}
