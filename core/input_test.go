package core_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ssekit/ssekit/core"
)

// Hostile input is bounded: an oversized Last-Event-ID, invalid UTF-8 in
// published JSON, a stream request with the wrong method, and sockets
// refused over the connection cap.

func TestOversizedLastEventIDIsUnknownAndNotEchoed(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(0))
	srv := serve(t, hub)
	mustPublish(t, hub, "t", "old", 1)
	// A valid id followed by padding: its first MaxLastEventIDLen bytes
	// would parse, the whole is still unknown.
	huge := "1-" + strings.Repeat("0", 900<<10)
	for name, c := range map[string]*client{
		"header": dial(t, srv.URL+"/events?topic=t", http.Header{"Last-Event-ID": {huge}}),
		"query":  dial(t, srv.URL+"/events?topic=t&lastEventId="+url.QueryEscape(huge), nil),
	} {
		e := c.next()
		if e.Event != core.ResetEvent {
			t.Fatalf("%s: first event %q, want the reset", name, e.Event)
		}
		if len(e.Data) > 1024 {
			t.Errorf("%s: reset data is %d bytes, want the id not echoed in full", name, len(e.Data))
		}
		var env core.Envelope
		var data struct{ Reason, LastEventID string }
		if err := json.Unmarshal([]byte(e.Data), &env); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(env.Data, &data); err != nil {
			t.Fatal(err)
		}
		if data.Reason != "unknown_last_event_id" || len(data.LastEventID) > core.MaxLastEventIDLen {
			t.Errorf("%s: reset data %+v", name, data)
		}
	}
}

func TestInvalidUTF8InPublishedJSONNeverReachesTheWire(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(0))
	srv := serve(t, hub, core.BroadcastAuth(core.BearerToken("tok")))
	c := dial(t, srv.URL+"/events?topic=t", nil)
	waitUntil(t, "stream", func() bool { return hub.Count() == 1 })
	if _, err := hub.PublishRaw(context.Background(), "t", "raw", []byte("{\"s\":\"a\xff\xfeb\"}")); err != nil {
		t.Fatal(err)
	}
	if _, err := hub.Publish(context.Background(), "t", "marshalled", json.RawMessage("[\"\xff\"]")); err != nil {
		t.Fatal(err)
	}
	if st, body := post(t, srv.URL+"/events/broadcast", "tok", "{\"event\":\"http\",\"topic\":\"t\",\"data\":{\"s\":\"\xff\xfe\"}}"); st != http.StatusAccepted {
		t.Fatalf("broadcast: %d %v", st, body)
	}
	want := map[string]string{"raw": `{"s":"a` + "\uFFFD\uFFFD" + `b"}`, "marshalled": `["` + "\uFFFD" + `"]`, "http": `{"s":"` + "\uFFFD\uFFFD" + `"}`}
	for range 3 {
		_, env := c.nextEnvelope()
		if string(env.Data) != want[env.Event] {
			t.Errorf("%s: data %q, want %q", env.Event, env.Data, want[env.Event])
		}
	}
	if raw := c.rawString(); !utf8.ValidString(raw) {
		t.Errorf("the wire holds invalid UTF-8: %q", raw)
	}
}

func TestStreamRouteAnswers405WithAllow(t *testing.T) {
	hub := newHub(t)
	srv := serve(t, hub)
	resp, err := http.Post(srv.URL+"/events", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET" {
		t.Fatalf("POST /events: %d Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

func TestStreamRefusedOverTheCapClosesItsSocket(t *testing.T) {
	hub := newHub(t, core.WithMaxConnections(1), core.WithHeartbeat(0))
	srv := serve(t, hub)
	dial(t, srv.URL+"/events", nil)
	waitUntil(t, "stream", func() bool { return hub.Count() == 1 })
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(waitFor))
	// A keep-alive request: without Connection: close the server would
	// hold the refused socket open for the next request.
	io.WriteString(conn, "GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !resp.Close {
		t.Fatalf("over the cap: %d close=%v, want 503 with Connection: close", resp.StatusCode, resp.Close)
	}
	if n, err := r.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("after the 503: read %d, %v; want the server to close the socket", n, err)
	}
}
