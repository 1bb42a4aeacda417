package core

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"time"
)

// PublishOption narrows or annotates one publish. Publish options are
// named for what they set, without a prefix: Where, Meta, TraceID, ToConn.
type PublishOption func(*Message)

// Where delivers the event only to connections whose metadata matches m.
func Where(m Match) PublishOption {
	return func(msg *Message) {
		if len(m) > 0 {
			msg.Filter = maps.Clone(m)
		}
	}
}

// Meta merges caller metadata into the envelope's meta. The reserved keys
// topic, producer and trace_id are ignored.
func Meta(meta map[string]string) PublishOption {
	return func(msg *Message) {
		for k, v := range meta {
			if reservedMeta(k) {
				continue
			}
			if msg.Meta == nil {
				msg.Meta = make(map[string]string, len(meta))
			}
			msg.Meta[k] = v
		}
	}
}

// TraceID sets meta.trace_id (by default the event id).
func TraceID(id string) PublishOption {
	return func(msg *Message) { msg.TraceID = id }
}

// ToConn delivers the event only to the connection with that id (on
// whichever instance holds it, with a networked broker).
func ToConn(id string) PublishOption {
	return func(msg *Message) { msg.ConnID = id }
}

// Publish sends data, JSON-encoded, as event on topic to every connection
// subscribed to it (or to every connection when topic is AllTopics), and
// returns the event id. It never blocks on a slow client. An empty topic
// is an error (ErrInvalidTopic).
func (h *Hub) Publish(ctx context.Context, topic, event string, data any, opts ...PublishOption) (string, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return "", fmt.Errorf("core: publish %q: encode data: %w", event, err)
	}
	// json.Marshal output is compact JSON already: no second pass over it.
	return h.publish(ctx, topic, event, raw, true, opts)
}

// PublishRaw is Publish with the data given as bytes: valid JSON is used
// as-is (compacted), anything else is sent as a JSON string.
func (h *Hub) PublishRaw(ctx context.Context, topic, event string, raw []byte, opts ...PublishOption) (string, error) {
	return h.publish(ctx, topic, event, raw, false, opts)
}

// SendTo publishes to the single connection id; it is Publish with
// ToConn(id) and topic AllTopics.
func (h *Hub) SendTo(ctx context.Context, connID, event string, data any, opts ...PublishOption) (string, error) {
	// Clipped, so the append never writes into the caller's array.
	return h.Publish(ctx, AllTopics, event, data, append(opts[:len(opts):len(opts)], ToConn(connID))...)
}

func (h *Hub) publish(ctx context.Context, topic, event string, raw []byte, compact bool, opts []PublishOption) (string, error) {
	m, err := h.message(topic, event, raw, compact, opts)
	if err != nil {
		return "", err
	}
	if m.TraceID == "" && h.cfg.traceIDFrom != nil && ctx != nil {
		m.TraceID = h.cfg.traceIDFrom(ctx)
	}
	var start time.Time
	if h.obs != nil {
		start = time.Now()
	}
	// The read lock spans the broker's Publish: Shutdown takes the write
	// lock before it ends any stream, so a publish either is refused or
	// completes (in memory: is queued for every open stream) first.
	h.pubMu.RLock()
	if h.pubClosed {
		h.pubMu.RUnlock()
		return "", fmt.Errorf("core: publish %q to %q: %w", event, topic, ErrClosed)
	}
	id, err := h.broker.Publish(ctx, m)
	h.pubMu.RUnlock()
	if h.cfg.detached {
		_ = h.detach.yieldIfBehind()
	}
	if h.obs != nil {
		h.obs.Published(ctx, m, time.Since(start), err)
	}
	if err != nil {
		return "", fmt.Errorf("core: publish %q to %q: %w", event, topic, err)
	}
	h.stats.published.Add(1)
	return id, nil
}

// message builds a message with the hub's size limit and producer; compact
// says raw is already compact JSON (from json.Marshal).
func (h *Hub) message(topic, event string, raw []byte, compact bool, opts []PublishOption) (*Message, error) {
	if len(raw) > h.cfg.maxEventSize {
		h.reject(limitEventSize)
		return nil, fmt.Errorf("%w: %d bytes (max %d)", ErrTooLarge, len(raw), h.cfg.maxEventSize)
	}
	data := json.RawMessage(raw)
	if !compact {
		data = rawData(raw)
	}
	return newMessage(h.cfg.producer, topic, event, data, opts)
}
