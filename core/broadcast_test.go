package core_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ssekit/ssekit/core"
)

func TestBroadcastIsOffUntilAnAuthorizerIsConfigured(t *testing.T) {
	hub := newHub(t)
	srv := serve(t, hub)
	st, body := post(t, srv.URL+"/events/broadcast", "anything", `{"event":"x"}`)
	msg, _ := body["error"].(string)
	if st != http.StatusForbidden || !strings.Contains(msg, "core.BroadcastAuth") {
		t.Fatalf("status %d error %q: want 403 saying how to enable it", st, msg)
	}
	if hub.Stats().Published != 0 {
		t.Fatal("a refused broadcast was published")
	}
}

func TestBroadcastStatuses(t *testing.T) {
	hub := newHub(t)
	srv := serve(t, hub, core.BroadcastAuth(core.BearerToken("s3cret")), core.MaxBodyBytes(1024))
	url := srv.URL + "/events/broadcast"
	c := dial(t, srv.URL+"/events?topic=news&channel=sports", nil)
	waitUntil(t, "connection", func() bool { return hub.Count() == 1 })

	cases := []struct {
		name, token, body string
		status            int
		errHas            string
	}{
		{"no token", "", `{"event":"x"}`, 401, "missing bearer token"},
		{"wrong token", "nope", `{"event":"x"}`, 403, "invalid bearer token"},
		{"bad JSON", "s3cret", `{"event":`, 400, "invalid JSON"},
		{"not an object", "s3cret", `[1,2]`, 400, "invalid JSON"},
		{"trailing data", "s3cret", `{"event":"x"} {}`, 400, "trailing"},
		{"missing event", "s3cret", `{"data":1}`, 400, `missing "event"`},
		{"event with newline", "s3cret", `{"event":"a\nid: 5"}`, 400, "invalid event name"},
		{"event with NUL", "s3cret", `{"event":"a\u0000"}`, 400, "invalid event name"},
		{"bad topic", "s3cret", `{"event":"x","topic":"a\rb"}`, 400, "invalid topic"},
		{"too large", "s3cret", `{"event":"x","data":"` + strings.Repeat("a", 2000) + `"}`, 413, "request body over 1024 bytes"},
		{"filter not strings", "s3cret", `{"event":"x","filter":{"a":1}}`, 400, "invalid JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, body := post(t, url, tc.token, tc.body)
			msg, _ := body["error"].(string)
			if st != tc.status || !strings.Contains(msg, tc.errHas) {
				t.Fatalf("status %d error %q, want %d containing %q", st, msg, tc.status, tc.errHas)
			}
		})
	}
	resp, _ := http.Get(url)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET broadcast: %d, want 405", resp.StatusCode)
	}
	if hub.Stats().Published != 0 {
		t.Fatal("a refused broadcast was published")
	}
	if by := hub.Stats().RejectedBy; by["unauthorized"] != 2 || by["body_size"] != 1 {
		t.Fatalf("rejected_by %v, want 2 unauthorized and 1 body_size", by)
	}

	// Accepted broadcasts: topic, filter and meta behave as documented.
	st, body := post(t, url, "s3cret", `{"event":"goal","data":{"score":"1-0"},"topic":"news","filter":{"channel":"sports"},"meta":{"tenant":"acme","topic":"evil"}}`)
	id, _ := body["id"].(string)
	if st != http.StatusAccepted || id == "" {
		t.Fatalf("status %d body %v, want 202 with an id", st, body)
	}
	post(t, url, "s3cret", `{"event":"skip","filter":{"channel":"news"}}`)
	post(t, url, "s3cret", `{"event":"everyone"}`)
	e, env := c.nextEnvelope()
	if e.ID != id || env.Event != "goal" || string(env.Data) != `{"score":"1-0"}` || env.Meta["tenant"] != "acme" || env.Meta["topic"] != "news" {
		t.Fatalf("got %+v %+v", e, env)
	}
	e, env = c.nextEnvelope()
	if env.Event != "everyone" || string(env.Data) != "null" || env.Meta["topic"] != core.AllTopics {
		t.Fatalf("got %+v", env)
	}
}

// FuzzBroadcastBody feeds arbitrary bodies (malformed, truncated, deeply
// nested) to the broadcast route: the answer is always 202, 400 or 413
// with a JSON error, and the hub keeps working.
func FuzzBroadcastBody(f *testing.F) {
	f.Add(`{"event":"x","data":1}`)
	f.Add(`{"event":"x","data":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`)
	f.Add(`{"event":"x","data":{"a":`)
	f.Add(`{"event":"\u0000"}`)
	f.Add(`{"event":"x","topic":"*","filter":{"k":"v"},"meta":{"trace_id":"t"}}`)
	f.Add("\xff\xfe")
	f.Add(`{"event":"x","data":"` + strings.Repeat("z", 70000) + `"}`)
	hub, err := core.NewHub(core.WithHeartbeat(0), core.WithReplayLimits(64, 0))
	if err != nil {
		f.Fatal(err)
	}
	defer hub.Shutdown(context.Background())
	h, err := core.NewBroadcast(hub, core.BroadcastAuth(core.BearerToken("t")))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/events/broadcast", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer t")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusAccepted, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		if !bytes.HasPrefix(rec.Body.Bytes(), []byte(`{"`)) {
			t.Fatalf("body is not a JSON object: %q", rec.Body)
		}
	})
}
