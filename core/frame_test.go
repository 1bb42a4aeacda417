package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
)

// bufWriter is an in-memory stream body.
type bufWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *bufWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}
func (w *bufWriter) Flush() error { return nil }
func (w *bufWriter) Bytes() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return bytes.Clone(w.buf.Bytes())
}

// capture runs one in-process stream for the query, calls publish, then
// ends the stream and returns every byte it wrote.
func capture(t testing.TB, hub *core.Hub, query string, publish func()) []byte {
	t.Helper()
	sess, err := ext.Accept(mustStream(t, hub), httptest.NewRequest("GET", "/events?"+query, nil))
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	w := &bufWriter{}
	ran := make(chan error, 1)
	go func() { ran <- sess.Run(context.Background(), w) }()
	publish()
	hub.Disconnect(sess.Conn().ID())
	if err := <-ran; err != nil {
		t.Fatalf("Run: %v", err)
	}
	return w.Bytes()
}

// wantData is what a client must find in envelope.data for raw given to
// PublishRaw: the JSON itself when raw is JSON, else raw as a JSON string.
func wantData(raw []byte) any {
	if json.Valid(raw) {
		return decodeJSON(raw)
	}
	b, _ := json.Marshal(string(raw)) // invalid UTF-8 becomes U+FFFD, byte by byte
	return decodeJSON(b)
}

// decodeJSON decodes keeping numbers as written, so that huge or precise
// numbers compare exactly.
func decodeJSON(b []byte) any {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	return v
}

// checkRoundTrip publishes raw as event and checks that a WHATWG parser
// reads back exactly one event with that name, id and data.
func checkRoundTrip(t testing.TB, hub *core.Hub, event string, raw []byte) {
	t.Helper()
	var id string
	var perr error
	out := capture(t, hub, "topic=t", func() {
		id, perr = hub.PublishRaw(context.Background(), "t", event, raw)
	})
	if core.ValidateEvent(event) != nil {
		if !errors.Is(perr, core.ErrInvalidEvent) {
			t.Fatalf("event %q: want ErrInvalidEvent, got %v", event, perr)
		}
		if events, _ := parseAll(out); len(events) != 0 {
			t.Fatalf("event %q was refused but %d events were written:\n%q", event, len(events), out)
		}
		return
	}
	if perr != nil {
		t.Fatalf("PublishRaw(%q, %q): %v", event, raw, perr)
	}
	events, p := parseAll(out)
	if len(events) != 1 {
		t.Fatalf("want 1 event, parsed %d from:\n%q", len(events), out)
	}
	e := events[0]
	if e.Event != event || e.ID != id {
		t.Fatalf("parsed event %q id %q, published %q id %q", e.Event, e.ID, event, id)
	}
	var env struct {
		ID    string            `json:"id"`
		Event string            `json:"event"`
		Data  json.RawMessage   `json:"data"`
		Meta  map[string]string `json:"meta"`
	}
	if err := json.Unmarshal([]byte(e.Data), &env); err != nil {
		t.Fatalf("data is not JSON: %v\n%q", err, e.Data)
	}
	if env.ID != id || env.Event != event || env.Meta["topic"] != "t" {
		t.Fatalf("envelope %+v does not match id %q event %q topic t", env, id, event)
	}
	if got, want := decodeJSON(env.Data), wantData(raw); !reflect.DeepEqual(got, want) {
		t.Fatalf("data round-trip: published %q, client got %#v, want %#v", raw, got, want)
	}
	if p.Retry != 3000 {
		t.Fatalf("retry hint: got %d, want 3000", p.Retry)
	}
}

func TestFramesRoundTripThroughAWHATWGParser(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(0))
	cases := []struct {
		name, event string
		raw         []byte
	}{
		{"empty data", "e", []byte("")},
		{"unicode", "ünïcode.☃", []byte(`{"msg":"héllo ☃ 🎉 \u2028 end"}`)},
		{"long line", "long", []byte(`"` + strings.Repeat("x", 200_000) + `"`)},
		{"JSON with newlines", "pretty", []byte("{\n  \"a\": 1,\r\n  \"b\": [1,\r 2]\n}\n")},
		{"text with newlines", "text", []byte("line1\nline2\r\nline3\rline4\n")},
		{"leading space", " spaced", []byte("  leading space")},
		{"field lookalikes", "inject", []byte("data: fake\n\nevent: injected\nid: 1\n\n")},
		{"NUL and controls", "ctl", []byte("a\x00b\x01c\x7f")},
		{"invalid UTF-8", "bad", []byte("\xff\xfeok\xc3")},
		{"colon in name", "a:b", []byte(`[1, 2 ,3]`)},
		{"JSON string", "s", []byte(`"already a string"`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkRoundTrip(t, hub, tc.event, tc.raw) })
	}
}

func TestEventNamesThatWouldInjectFieldsAreRefusedBeforeAnyByteIsWritten(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(0))
	for _, ev := range []string{"", "a\nb", "a\rb", "a\r\nid: 9", "nul\x00", "tab\tname", "\xff", strings.Repeat("n", core.MaxNameLen+1)} {
		out := capture(t, hub, "topic=t", func() {
			if _, err := hub.Publish(context.Background(), "t", ev, 1); !errors.Is(err, core.ErrInvalidEvent) {
				t.Errorf("Publish(event %q): want ErrInvalidEvent, got %v", ev, err)
			}
		})
		if want := ": connected\nretry: 3000\n"; string(out) != want {
			t.Errorf("event %q: stream got %q, want only the preamble %q", ev, out, want)
		}
	}
	for _, topic := range []string{"", "a\nb", "x\x00"} {
		if _, err := hub.Publish(context.Background(), topic, "ok", 1); !errors.Is(err, core.ErrInvalidTopic) {
			t.Errorf("Publish(topic %q): want ErrInvalidTopic, got %v", topic, err)
		}
	}
	// The id a client sends back is never echoed raw into an id field.
	sess, err := ext.Accept(mustStream(t, hub), httptest.NewRequest("GET", "/events?lastEventId=1%0Aevent:%20x", nil))
	if err != nil {
		t.Fatal(err)
	}
	w := &bufWriter{}
	done := make(chan error, 1)
	go func() { done <- sess.Run(context.Background(), w) }()
	hub.Disconnect(sess.Conn().ID())
	<-done
	events, _ := parseAll(w.Bytes())
	if len(events) != 1 || events[0].Event != core.ResetEvent {
		t.Fatalf("want one reset event for a malformed id, got %+v from %q", events, w.Bytes())
	}
}

func TestRetryHintIsDigitsOnlyAndCommentsHaveNoBlankLine(t *testing.T) {
	hub := newHub(t, core.WithRetry(2500), core.WithHeartbeat(0))
	out := capture(t, hub, "topic=t", func() {})
	if want := ": connected\nretry: 0\n"; string(out) != want {
		// 2500ns rounds down to 0ms: the line must still be digits only.
		t.Fatalf("got %q, want %q", out, want)
	}
	hub2 := newHub(t, core.WithRetry(1500*1e6), core.WithHeartbeat(0))
	out = capture(t, hub2, "topic=t", func() { hub2.Publish(context.Background(), "t", "x", 1) })
	if !bytes.HasPrefix(out, []byte(": connected\nretry: 1500\nid: ")) {
		t.Fatalf("preamble: %q", out)
	}
	if bytes.Contains(out, []byte(": connected\n\n")) || bytes.Contains(out, []byte("retry: 1500\n\n")) {
		t.Fatalf("a comment or retry hint is followed by a blank line: %q", out)
	}
}

func FuzzPublishRoundTrip(f *testing.F) {
	f.Add("order.updated", []byte(`{"id":42}`))
	f.Add("e", []byte(""))
	f.Add("multi", []byte("a\r\nb\rc\nd"))
	f.Add("bad\nname", []byte("x"))
	f.Add(" sp", []byte(" lead"))
	f.Add("nul\x00", []byte("\x00"))
	f.Add("u", []byte("\xff\xfe\xfd"))
	f.Add("j", []byte("{\n\"a\":\n[1,\n2]}"))
	f.Add("data", []byte("data: x\n\n"))
	hub, err := core.NewHub(core.WithHeartbeat(0), core.WithReplayLimits(-1, 0))
	if err != nil {
		f.Fatal(err)
	}
	defer hub.Shutdown(context.Background())
	f.Fuzz(func(t *testing.T, event string, raw []byte) {
		if len(raw) > 8<<10 {
			return
		}
		checkRoundTrip(t, hub, event, raw)
	})
}
