package fibersse_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/fibersse"
)

// With fibersse.ErrorHandler, the errors fasthttp and Fiber make before a
// handler runs are JSON too.
func TestErrorHandlerAnswersPreHandlerErrorsAsJSON(t *testing.T) {
	hub := newHub(t)
	app := newApp(fiber.Config{ErrorHandler: fibersse.ErrorHandler, BodyLimit: 1 << 10})
	if err := fibersse.SSE(app, "/events", hub, core.BroadcastAuth(core.BearerToken("tok"))); err != nil {
		t.Fatal(err)
	}
	base := serve(t, hub, app)
	for _, tc := range []struct {
		what, method, url, body string
		status                  int
	}{
		{"body over BodyLimit", http.MethodPost, base + "/events/broadcast", `{"event":"x","data":"` + strings.Repeat("x", 4<<10) + `"}`, http.StatusRequestEntityTooLarge},
		{"query over ReadBufferSize", http.MethodGet, base + "/events?x=" + strings.Repeat("q", 16<<10), "", http.StatusRequestHeaderFieldsTooLarge},
		{"unknown path", http.MethodGet, base + "/nope", "", http.StatusNotFound},
		{"route error", http.MethodPost, base + "/events", "", http.StatusMethodNotAllowed},
	} {
		req, _ := http.NewRequest(tc.method, tc.url, strings.NewReader(tc.body))
		req.Header.Set("Authorization", "Bearer tok")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("%s: %v", tc.what, err)
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var v struct{ Error string }
		if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != "application/json" || json.Unmarshal(b, &v) != nil || v.Error == "" {
			t.Errorf("%s: %d %q %q, want %d with a JSON error", tc.what, resp.StatusCode, resp.Header.Get("Content-Type"), b, tc.status)
		}
	}
}
