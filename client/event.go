package client

import (
	"bytes"
	"encoding/json"
	"time"
)

// ResetEvent is the event name ssekit servers send to a resuming client
// whose Last-Event-ID they could not resume from (see ResetError).
const ResetEvent = "ssekit.reset"

// Event is one event of a stream.
type Event struct {
	// ID is the stream's last event ID after this event: the event's own
	// id, or the one before it when the event carried none.
	ID string
	// Name is the event type, "message" when the server named none.
	Name string
	// Data is the event's data, its lines joined with LF.
	Data []byte
	// Envelope is the ssekit envelope the data carries; nil in raw mode
	// (WithRaw) or when the data is not an envelope.
	Envelope *Envelope
}

// Envelope is the JSON document ssekit servers put in the data of every
// event.
type Envelope struct {
	ID         string            `json:"id"`
	Event      string            `json:"event"`
	OccurredAt time.Time         `json:"occurred_at"`
	Data       json.RawMessage   `json:"data"`
	Meta       map[string]string `json:"meta"`
}

// Decode unmarshals the event's payload into v: the envelope's data when
// the event has an envelope, the raw data otherwise.
func (e *Event) Decode(v any) error {
	if e.Envelope != nil {
		return json.Unmarshal(e.Envelope.Data, v)
	}
	return json.Unmarshal(e.Data, v)
}

// parseEnvelope returns the envelope in data, or nil when data is not an
// ssekit envelope for an event of that name.
func parseEnvelope(name string, data []byte) *Envelope {
	if len(data) == 0 || data[0] != '{' || !bytes.Contains(data, []byte(`"meta"`)) {
		return nil
	}
	var env Envelope
	if err := json.Unmarshal(data, &env); err != nil || env.Event != name || env.Meta == nil {
		return nil
	}
	return &env
}
