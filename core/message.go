package core

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// Envelope is the JSON document carried in the data of every event frame:
//
//	{"id":"…","event":"order.updated","occurred_at":"2026-02-28T22:00:00Z",
//	 "data":{"id":42},"meta":{"topic":"orders","producer":"my_app","trace_id":"…","tenant":"acme"}}
//
// The meta keys "topic", "producer" and "trace_id" are reserved: the library
// always sets them and caller metadata never overrides them.
type Envelope struct {
	ID         string            `json:"id"`
	Event      string            `json:"event"`
	OccurredAt time.Time         `json:"occurred_at"`
	Data       json.RawMessage   `json:"data"`
	Meta       map[string]string `json:"meta"`
}

// Decode unmarshals the envelope's data into v.
func (e *Envelope) Decode(v any) error { return json.Unmarshal(e.Data, v) }

// Reserved meta keys, always set by the library.
const (
	MetaTopic    = "topic"
	MetaProducer = "producer"
	MetaTraceID  = "trace_id"
)

func reservedMeta(k string) bool { return k == MetaTopic || k == MetaProducer || k == MetaTraceID }

// Message is an event on its way from a publisher to the hubs: the envelope's
// fields plus where it should go. Brokers carry Messages between hubs; they
// may encode them with encoding/json (the id is not encoded: a broker
// assigns it with SetID). A Message handed to a broker must not be modified
// afterwards, apart from SetID by the broker.
type Message struct {
	// Topic the message is published to, or AllTopics.
	Topic string `json:"topic"`
	// Event is the SSE event name.
	Event string `json:"event"`
	// Data is the envelope's data: valid, compact JSON.
	Data json.RawMessage `json:"data"`
	// OccurredAt is when the publish call was made.
	OccurredAt time.Time `json:"occurred_at"`
	// Producer names the publishing application.
	Producer string `json:"producer,omitempty"`
	// TraceID, when empty, defaults to the message id in the envelope.
	TraceID string `json:"trace_id,omitempty"`
	// Meta is caller metadata, merged into the envelope's meta under the
	// reserved keys.
	Meta map[string]string `json:"meta,omitempty"`
	// Filter, when set, narrows delivery to connections whose metadata
	// matches every pair.
	Filter Match `json:"filter,omitempty"`
	// ConnID, when set, narrows delivery to the one connection with that id.
	ConnID string `json:"conn_id,omitempty"`

	reset     bool    // a ResetEvent queued by the hub (BrokerHandler.Reset)
	id        string  // set once by the broker (SetID)
	eid       EventID // id, parsed
	hasEID    bool
	frameOnce sync.Once
	frame     []byte
	envOnce   sync.Once
	env       *Envelope
}

// SetID gives the message its id. The broker calls it once, in Publish (or
// when it receives the message from another instance), before the message
// reaches any hub; the id is parsed here and nowhere else.
func (m *Message) SetID(id EventID) {
	m.id, m.eid, m.hasEID = id.String(), id, true
}

// ID returns the id the broker assigned ("" before SetID).
func (m *Message) ID() string { return m.id }

// EventID returns the parsed id; ok is false before SetID.
func (m *Message) EventID() (id EventID, ok bool) { return m.eid, m.hasEID }

// Envelope returns the parsed envelope, built on first use and shared: it
// must not be modified.
func (m *Message) Envelope() *Envelope {
	m.envOnce.Do(func() {
		meta := make(map[string]string, len(m.Meta)+3)
		for k, v := range m.Meta {
			meta[k] = v
		}
		meta[MetaTopic] = m.Topic
		meta[MetaProducer] = m.Producer
		meta[MetaTraceID] = m.traceID()
		m.env = &Envelope{ID: m.id, Event: m.Event, OccurredAt: m.OccurredAt, Data: m.Data, Meta: meta}
	})
	return m.env
}

func (m *Message) traceID() string {
	if m.TraceID != "" {
		return m.TraceID
	}
	return m.id
}

// newMessage is the one constructor of a message, for Hub.Publish and
// for publishers without a hub (ext.NewMessage): it validates the topic
// (AllTopics allowed, "" refused) and the event name, takes data as
// envelope data (compact JSON) and applies the options.
func newMessage(producer, topic, event string, data json.RawMessage, opts []PublishOption) (*Message, error) {
	if err := ValidateEvent(event); err != nil {
		return nil, err
	}
	if topic != AllTopics {
		if err := ValidateTopic(topic); err != nil {
			if topic == "" {
				return nil, fmt.Errorf("%w: empty (use core.AllTopics to reach every connection)", ErrInvalidTopic)
			}
			return nil, err
		}
	}
	m := &Message{Topic: topic, Event: event, Data: data, OccurredAt: time.Now(), Producer: producer}
	for _, o := range opts {
		o(m)
	}
	return m, nil
}

// rawData turns publish input into envelope data: valid JSON is compacted
// and used as-is; anything else becomes a JSON string (invalid UTF-8 bytes
// become U+FFFD).
func rawData(raw []byte) json.RawMessage {
	if json.Valid(raw) {
		var buf bytes.Buffer
		buf.Grow(len(raw))
		if err := json.Compact(&buf, raw); err == nil {
			return buf.Bytes()
		}
	}
	return appendJSONString(make([]byte, 0, len(raw)+2), string(raw))
}
