package core

import (
	"bytes"
	"encoding/json"
	"slices"
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
// may encode them with encoding/json (ID excluded, since a broker assigns
// it). A Message handed to a broker or a hub must not be modified afterwards.
type Message struct {
	// ID is assigned by the broker when the message is published.
	ID string `json:"-"`
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

	frameOnce sync.Once
	frame     []byte
	eid       EventID // ID parsed, set with frame
	eidOK     bool
	envOnce   sync.Once
	env       *Envelope
}

// Frame returns the message's SSE frame, built on first use and shared by
// every connection that receives the message. The message's ID must be set
// before the first call.
func (m *Message) Frame() []byte {
	m.frameOnce.Do(m.buildFrame)
	return m.frame
}

// buildFrame writes the frame in one buffer sized up front. The envelope is
// compact JSON, so it fits one data line; should it hold a line break (a
// broker handed over uncompacted data), it is split as the spec requires.
func (m *Message) buildFrame() {
	n := 96 + 2*len(m.ID) + 2*len(m.Event) + len(m.Topic) + len(m.Producer) + len(m.TraceID) + len(m.Data)
	for k, v := range m.Meta {
		n += len(k) + len(v) + 8
	}
	b := make([]byte, 0, n)
	if m.ID != "" {
		b = append(b, "id: "...)
		b = append(b, m.ID...)
		b = append(b, '\n')
	}
	b = append(b, "event: "...)
	b = append(b, m.Event...)
	b = append(b, "\ndata: "...)
	start := len(b)
	b = m.appendEnvelope(b)
	if bytes.ContainsAny(b[start:], "\r\n") {
		env := bytes.Clone(b[start:])
		b = appendData(b[:start-len("data: ")], env)
	} else {
		b = append(b, '\n')
	}
	m.frame = append(b, '\n')
	m.eid, m.eidOK = parseIDOK(m.ID)
}

// eventID returns the parsed ID (ok false for an empty or foreign id). It
// is valid once Frame has been called.
func (m *Message) eventID() (EventID, bool) { return m.eid, m.eidOK }

func parseIDOK(s string) (EventID, bool) {
	if s == "" {
		return EventID{}, false
	}
	id, err := ParseID(s)
	return id, err == nil
}

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
		m.env = &Envelope{ID: m.ID, Event: m.Event, OccurredAt: m.OccurredAt, Data: m.Data, Meta: meta}
	})
	return m.env
}

func (m *Message) traceID() string {
	if m.TraceID != "" {
		return m.TraceID
	}
	return m.ID
}

// appendEnvelope writes the envelope JSON with reserved meta keys first and
// caller keys sorted, so the same message always has the same bytes.
func (m *Message) appendEnvelope(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, m.ID)
	b = append(b, `,"event":`...)
	b = appendJSONString(b, m.Event)
	b = append(b, `,"occurred_at":"`...)
	b = m.OccurredAt.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","data":`...)
	if len(m.Data) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, m.Data...)
	}
	b = append(b, `,"meta":{"topic":`...)
	b = appendJSONString(b, m.Topic)
	b = append(b, `,"producer":`...)
	b = appendJSONString(b, m.Producer)
	b = append(b, `,"trace_id":`...)
	b = appendJSONString(b, m.traceID())
	if len(m.Meta) > 0 {
		keys := make([]string, 0, len(m.Meta))
		for k := range m.Meta {
			if !reservedMeta(k) {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			b = append(b, ',')
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSONString(b, m.Meta[k])
		}
	}
	return append(b, "}}"...)
}

// NewMessage builds a message as Hub.Publish does, for brokers and
// publishers that have no hub (see redisbackend.Publisher): it validates
// the topic (AllTopics allowed) and the event name, turns raw into envelope
// data (valid JSON compacted, anything else a JSON string) and applies the
// options. It does not check a size limit: the caller does.
func NewMessage(topic, event string, raw []byte, opts ...PublishOption) (*Message, error) {
	if err := ValidateEvent(event); err != nil {
		return nil, err
	}
	return buildMessage(topic, event, rawData(raw), DefaultProducer, opts)
}

// buildMessage validates the topic and assembles a message around data
// that is already envelope data (compact JSON).
func buildMessage(topic, event string, data json.RawMessage, producer string, opts []PublishOption) (*Message, error) {
	if topic == "" {
		topic = AllTopics
	}
	if topic != AllTopics {
		if err := ValidateTopic(topic); err != nil {
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
