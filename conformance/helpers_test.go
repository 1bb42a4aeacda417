package conformance_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/ssetest"
)

// wait bounds every wait of the suite; nothing sleeps.
const wait = 5 * time.Second

func TestMain(m *testing.M) { ssetest.LeakCheck(m) }

// eventually fails t unless cond becomes true within the wait.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-time.After(5 * time.Millisecond)
	}
}

// env is one hub served by one mount.
type env struct {
	t      testing.TB
	hub    *core.Hub
	url    string
	stop   func(context.Context) error
	client *http.Client
	h2     bool // the client speaks HTTP/2
}

const token = "s3cret"

// start serves a new hub (no heartbeat, no shutdown jitter, then hubOpts)
// through m; at cleanup the hub is shut down, then the server.
func start(t testing.TB, m mount, hubOpts []core.HubOption, routeOpts ...core.RouteOption) *env {
	t.Helper()
	opts := append([]core.HubOption{core.WithHeartbeat(0), core.WithShutdownSpread(0), core.WithProducer("conformance")}, m.hubOpts...)
	opts = append(opts, hubOpts...)
	hub, err := core.NewHub(opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv := m.serve(t, hub, routeOpts...)
	client := srv.client
	if client == nil {
		client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	}
	e := &env{t: t, hub: hub, url: srv.url, stop: srv.stop, client: client, h2: srv.h2}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := hub.Shutdown(ctx); err != nil {
			t.Errorf("hub shutdown: %v", err)
		}
		// Idle connections first: an HTTP/2 server's graceful shutdown
		// waits a second for its clients to go away.
		e.client.CloseIdleConnections()
		if err := srv.stop(ctx); err != nil {
			t.Errorf("server stop: %v", err)
		}
	})
	return e
}

// do sends one request and returns the status, headers and body.
func (e *env) do(method, path string, header http.Header, body string) (int, http.Header, string) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, e.url+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: read: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// broadcast POSTs body to the broadcast route with the suite's token and
// requires a 202.
func (e *env) broadcast(body string) string {
	e.t.Helper()
	status, _, resp := e.do(http.MethodPost, "/events/broadcast", http.Header{"Authorization": {"Bearer " + token}}, body)
	if status != http.StatusAccepted {
		e.t.Fatalf("broadcast %s: %d %s", body, status, resp)
	}
	var r struct{ ID string }
	if err := json.Unmarshal([]byte(resp), &r); err != nil || r.ID == "" {
		e.t.Fatalf("broadcast answer %q: %v", resp, err)
	}
	return r.ID
}

func (e *env) publish(topic, event string, data any, opts ...core.PublishOption) string {
	e.t.Helper()
	id, err := e.hub.Publish(context.Background(), topic, event, data, opts...)
	if err != nil {
		e.t.Fatalf("publish %s/%s: %v", topic, event, err)
	}
	return id
}

// stream is an open event stream of the mount under test.
type stream struct {
	*ssetest.Stream
}

// event is one event frame as written on the wire.
type event = ssetest.Event

// open requests path as a stream with the mount's client, requires a 200 and
// its first line ": connected" (the connection is registered before that
// byte), and ends the request at cleanup.
func (e *env) open(path string, header http.Header) *stream {
	e.t.Helper()
	return &stream{ssetest.OpenWith(e.t, e.client, e.url+path, header)}
}

// until reads lines until the transcript satisfies done, and returns it.
func (s *stream) until(done func(string) bool) string {
	var b strings.Builder
	for !done(b.String()) {
		b.WriteString(s.Line())
	}
	return b.String()
}

// names reads n events and returns their names.
func (s *stream) names(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s.Next().Name
	}
	return out
}

var (
	idPattern = regexp.MustCompile(`\b\d{10,}-\d+\b`)
	tsPattern = regexp.MustCompile(`"occurred_at":"[^"]*"`)
)

// normalise replaces event ids and timestamps, which differ between runs.
func normalise(s string) string {
	return tsPattern.ReplaceAllString(idPattern.ReplaceAllString(s, "<id>"), `"occurred_at":"<ts>"`)
}
