package conformance_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
)

// wait bounds every wait of the suite; nothing sleeps.
const wait = 5 * time.Second

func TestMain(m *testing.M) {
	before := goroutines()
	code := m.Run()
	if code == 0 && !settled(before) {
		fmt.Fprintf(os.Stderr, "goroutine leak: %d before, %d after\n%s\n", before, goroutines(), strings.Join(stacks(), "\n\n"))
		code = 1
	}
	os.Exit(code)
}

// settled reports whether the goroutine count comes back to at most n
// within the wait.
func settled(n int) bool {
	deadline := time.Now().Add(wait)
	for goroutines() > n {
		if time.Now().After(deadline) {
			return false
		}
		runtime.Gosched()
		<-time.After(5 * time.Millisecond)
	}
	return true
}

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
	opts := append([]core.HubOption{core.WithHeartbeat(0), core.WithShutdownSpread(0), core.WithProducer("conformance")}, hubOpts...)
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

// stream is an open event stream read line by line in the background.
type stream struct {
	t      testing.TB
	resp   *http.Response
	lines  chan string // each line with its "\n"; closed at the end
	cancel context.CancelFunc
}

// open requests path as a stream, requires a 200 and its first line
// ": connected" (the connection is registered before that byte), and ends
// the request at cleanup.
func (e *env) open(path string, header http.Header) *stream {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.url+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := e.client.Do(req)
	if err != nil {
		cancel()
		e.t.Fatalf("GET %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		e.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	s := &stream{t: e.t, resp: resp, lines: make(chan string, 64), cancel: cancel}
	go func() {
		defer close(s.lines)
		r := bufio.NewReader(resp.Body)
		for {
			l, err := r.ReadString('\n')
			if l != "" {
				s.lines <- l
			}
			if err != nil {
				return
			}
		}
	}()
	e.t.Cleanup(s.close)
	if l := s.line(); l != ": connected\n" {
		e.t.Fatalf("GET %s: first line %q, want \": connected\"", path, l)
	}
	return s
}

// close ends the request and waits for the reader to finish.
func (s *stream) close() {
	s.cancel()
	for range s.lines {
	}
	s.resp.Body.Close()
}

// line returns the next line; it fails the test at the end of the stream
// or after the wait.
func (s *stream) line() string {
	s.t.Helper()
	select {
	case l, ok := <-s.lines:
		if !ok {
			s.t.Fatal("stream ended")
		}
		return l
	case <-time.After(wait):
		s.t.Fatal("timed out waiting for a line")
	}
	return ""
}

// until reads lines until the transcript satisfies done, and returns it.
func (s *stream) until(done func(string) bool) string {
	s.t.Helper()
	var b strings.Builder
	for !done(b.String()) {
		b.WriteString(s.line())
	}
	return b.String()
}

// event is one parsed event frame.
type event struct{ ID, Name, Data string }

// envelope decodes the event's data as an envelope.
func (ev event) envelope(t *testing.T) core.Envelope {
	t.Helper()
	var env core.Envelope
	if err := json.Unmarshal([]byte(ev.Data), &env); err != nil {
		t.Fatalf("event %q: data %q: %v", ev.Name, ev.Data, err)
	}
	return env
}

// next returns the next event frame, skipping comments and retry lines.
func (s *stream) next() event {
	s.t.Helper()
	var ev event
	started := false
	for {
		l := strings.TrimSuffix(s.line(), "\n")
		switch {
		case l == "" && started:
			return ev
		case l == "", strings.HasPrefix(l, ":"), strings.HasPrefix(l, "retry:"):
		case strings.HasPrefix(l, "id: "):
			ev.ID, started = l[4:], true
		case strings.HasPrefix(l, "event: "):
			ev.Name, started = l[7:], true
		case strings.HasPrefix(l, "data: "):
			ev.Data, started = l[6:], true
		default:
			s.t.Fatalf("unexpected line %q", l)
		}
	}
}

// names reads n events and returns their names.
func (s *stream) names(n int) []string {
	s.t.Helper()
	out := make([]string, n)
	for i := range out {
		out[i] = s.next().Name
	}
	return out
}

// ended fails the test unless the stream ends within the wait, and returns
// the lines read until then.
func (s *stream) ended() string {
	s.t.Helper()
	var b strings.Builder
	timeout := time.After(wait)
	for {
		select {
		case l, ok := <-s.lines:
			if !ok {
				return b.String()
			}
			b.WriteString(l)
		case <-timeout:
			s.t.Fatalf("stream did not end; read %q", b.String())
		}
	}
}

var (
	idPattern = regexp.MustCompile(`\b\d{10,}-\d+\b`)
	tsPattern = regexp.MustCompile(`"occurred_at":"[^"]*"`)
)

// normalise replaces event ids and timestamps, which differ between runs.
func normalise(s string) string {
	return tsPattern.ReplaceAllString(idPattern.ReplaceAllString(s, "<id>"), `"occurred_at":"<ts>"`)
}

// goroutines counts the live goroutines that are not fasthttp's own
// background ones: its process-wide date updater, the idle-worker cleaner
// of a server's pool (it exits at its next tick after the server stops)
// and idle workers, which a running server keeps for a while on purpose.
func goroutines() int { return len(stacks()) }

// stacks returns the stack of every goroutine that goroutines counts.
func stacks() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		switch {
		case strings.Contains(g, "fasthttp.updateServerDate"),
			strings.Contains(g, "fasthttp.(*workerPool).Start.func"),
			strings.Contains(g, "fasthttp.(*workerPool).workerFunc") && !strings.Contains(g, "fasthttp.(*Server).serveConn"):
			continue
		}
		out = append(out, g)
	}
	return out
}
