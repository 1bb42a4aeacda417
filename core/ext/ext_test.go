package ext_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unsafe"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
)

func TestRoutesAreTheSameForEveryAdapter(t *testing.T) {
	for path, want := range map[string][3]string{
		"/events/": {"/events", "/events/stats", "/events/broadcast"},
		"events":   {"/events", "/events/stats", "/events/broadcast"},
		"":         {"/", "/stats", "/broadcast"},
		"/a/b":     {"/a/b", "/a/b/stats", "/a/b/broadcast"},
	} {
		s, st, b := ext.Routes(path)
		if [3]string{s, st, b} != want {
			t.Errorf("Routes(%q) = %q %q %q, want %q", path, s, st, b, want)
		}
	}
}

func TestIsEventStreamReadsEveryAcceptValue(t *testing.T) {
	for _, tc := range []struct {
		accept []string
		want   bool
	}{
		{[]string{"text/event-stream"}, true},
		{[]string{"text/html, Text/Event-Stream;q=0.9"}, true},
		{[]string{"application/json", "text/event-stream"}, true}, // the second header line counts
		{nil, false}, {[]string{"*/*"}, false}, {[]string{"application/json"}, false},
	} {
		if got := ext.IsEventStream(http.Header{"Accept": tc.accept}); got != tc.want {
			t.Errorf("IsEventStream(%q) = %v", tc.accept, got)
		}
	}
}

// frameworkCtx stands in for a framework's own context type.
type frameworkCtx struct{ user string }

var hooks = ext.Hooks[*frameworkCtx]{Package: "fakesse", Context: ext.ContextOf[*frameworkCtx]}

func TestHooksReceiveTheFrameworkContextAndFailOutsideIt(t *testing.T) {
	hub, err := core.NewHub()
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Shutdown(context.Background())
	stream, err := core.NewStream(hub, hooks.Authorize(func(c *frameworkCtx) (core.Access, error) {
		return core.Access{Identity: c.user}, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/events", nil)
	if _, err := ext.Accept(stream, r); err == nil || !strings.Contains(err.Error(), "fakesse") {
		t.Fatalf("outside the adapter: %v, want an error naming it", err)
	}
	sess, err := ext.Accept(stream, ext.WithContext(r, &frameworkCtx{user: "ann"}))
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if got := sess.Conn().Identity(); got != "ann" {
		t.Fatalf("identity %q, want ann (from the framework context)", got)
	}
}

func TestNewMountBuildsWhatMountRegisters(t *testing.T) {
	hub, err := core.NewHub()
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Shutdown(context.Background())
	m, err := ext.NewMount("/api/events", hub, core.Topics("t"), core.BroadcastAuth(core.BearerToken("x")))
	if err != nil {
		t.Fatal(err)
	}
	if m.Stream == nil || m.Stats == nil || m.Broadcast == nil || m.BroadcastPath != "/api/events/broadcast" {
		t.Fatalf("mount %+v", m)
	}
	if _, err := ext.NewMount("/e", hub, core.MaxBodyBytes(0)); !errors.Is(err, core.ErrInvalidOption) {
		t.Fatalf("invalid option: %v", err)
	}
}

func TestErrorResponseIsJSONWithTheSentinelsStatus(t *testing.T) {
	status, body := ext.ErrorResponse(core.ErrTooManyConnections)
	if status != http.StatusServiceUnavailable || !strings.HasPrefix(string(body), `{"error":`) {
		t.Fatalf("%d %s", status, body)
	}
	if status, body := ext.ErrorResponse(errors.New("secret detail")); status != 500 || strings.Contains(string(body), "secret") {
		t.Fatalf("an unknown error leaks: %d %s", status, body)
	}
}

// A framework whose strings alias buffers it reuses (fasthttp) sets
// CopyStrings: the Access a hook returns is copied before the stream keeps
// it, so reusing the buffer later changes nothing the hub holds.
func TestHooksCopyStringsDetachesTheAccessFromReusedBuffers(t *testing.T) {
	hub, err := core.NewHub()
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Shutdown(context.Background())
	buf := []byte("ann")
	copying := ext.Hooks[*frameworkCtx]{Package: "fakesse", Context: ext.ContextOf[*frameworkCtx], CopyStrings: true}
	stream, err := core.NewStream(hub, copying.Authorize(func(*frameworkCtx) (core.Access, error) {
		s := unsafe.String(&buf[0], len(buf)) // aliases buf, as a fasthttp string does
		return core.Access{Identity: s, Meta: map[string]string{"user_id": s}, Topics: []string{s}}, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	r := ext.WithContext(httptest.NewRequest(http.MethodGet, "/events", nil), &frameworkCtx{})
	sess, err := ext.Accept(stream, r)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	copy(buf, "bob") // the framework reuses its buffer for the next request
	c := sess.Conn()
	if c.Identity() != "ann" || c.Get("user_id") != "ann" || c.Topics()[0] != "ann" {
		t.Fatalf("identity %q, user_id %q, topics %q: the hub kept strings aliasing a reused buffer", c.Identity(), c.Get("user_id"), c.Topics())
	}
}
