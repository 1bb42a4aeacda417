package core_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ssekit/ssekit/core"
)

// logBuffer is a slog handler target safe for concurrent use.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), s)
}

func panickyHub(t *testing.T, opts ...core.HubOption) (*core.Hub, *logBuffer) {
	logs := &logBuffer{}
	opts = append([]core.HubOption{core.WithHeartbeat(0), core.WithLogger(slog.New(slog.NewTextHandler(logs, nil)))}, opts...)
	return newHub(t, opts...), logs
}

// boomOn is a FilterEvents predicate that panics on one event name.
func boomOn(name string) core.RouteOption {
	return core.FilterEvents(func(e *core.Envelope) bool {
		if e.Event == name {
			var m map[string]int
			m["boom"]++ // nil map: a real runtime panic
		}
		return true
	})
}

func TestPanickingPredicateSkipsOnlyItsStreamsAndIsCountedOnce(t *testing.T) {
	hub, logs := panickyHub(t)
	mux := http.NewServeMux()
	if err := core.Mount(mux, "/events", hub); err != nil {
		t.Fatal(err)
	}
	mux.Handle("/bad", mustStream(t, hub, boomOn("boom")))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	// Good and bad streams interleaved in the hub's lists, so the fan-out
	// must go on past each panic.
	var good, bad []*client
	for i := 0; i < 4; i++ {
		good = append(good, dial(t, srv.URL+"/events?topic=t", nil))
		bad = append(bad, dial(t, srv.URL+"/bad?topic=t", nil))
	}
	waitUntil(t, "8 streams", func() bool { return hub.Count() == 8 })
	if _, err := hub.Publish(context.Background(), "t", "boom", 1); err != nil {
		t.Fatalf("publish with a panicking predicate: %v", err)
	}
	mustPublish(t, hub, "t", "after", 2)
	for i, c := range good {
		if e := c.next(); e.Event != "boom" {
			t.Errorf("good stream %d got %q first, want boom", i, e.Event)
		}
		if e := c.next(); e.Event != "after" {
			t.Errorf("good stream %d got %q, want after", i, e.Event)
		}
	}
	for i, c := range bad {
		if e := c.next(); e.Event != "after" {
			t.Errorf("bad stream %d got %q, want only after (boom is skipped, the stream lives on)", i, e.Event)
		}
	}
	if p := hub.Stats().Panics; p != 4 {
		t.Errorf("stats.panics = %d, want 4 (one per stream whose predicate panicked)", p)
	}
	if n := logs.count("FilterEvents predicate panicked"); n != 1 {
		t.Errorf("%d log lines for one delivery, want 1", n)
	}
	if n := logs.count("[running]"); n != 1 {
		t.Errorf("the log line has %d stacks, want 1", n)
	}
	// SendTo runs the predicate too (the ToConn path of the fan-out).
	for _, c := range hub.Conns(nil) {
		if _, err := hub.SendTo(context.Background(), c.ID(), "boom", 0); err != nil {
			t.Fatal(err)
		}
	}
	if p := hub.Stats().Panics; p != 8 {
		t.Errorf("after SendTo to every stream: stats.panics = %d, want 8", p)
	}
}

func TestPanickingPredicateInAReplaySkipsThatEvent(t *testing.T) {
	hub, _ := panickyHub(t)
	srv := serve(t, hub, boomOn("boom"))
	first := mustPublish(t, hub, "t", "first", 1)
	mustPublish(t, hub, "t", "boom", 2)
	mustPublish(t, hub, "t", "third", 3)
	c := dial(t, srv.URL+"/events?topic=t", http.Header{"Last-Event-ID": {first}})
	if e := c.next(); e.Event != "third" {
		t.Fatalf("resumed stream got %q, want third", e.Event)
	}
	if p := hub.Stats().Panics; p != 1 {
		t.Fatalf("stats.panics = %d, want 1", p)
	}
}

func TestPanickingHooksEndOnlyTheirRequest(t *testing.T) {
	hub, logs := panickyHub(t, core.WithShutdownSpread(0))
	panicky := func(r *http.Request) bool { return r.URL.Query().Get("panic") != "" }
	srv := serve(t, hub,
		core.Authorize(func(r *http.Request) (core.Access, error) {
			if r.URL.Query().Get("panic") == "authorize" {
				panic("authorize broke")
			}
			return core.Access{}, nil
		}),
		core.OnConnect(func(c *core.Conn, r *http.Request) error {
			if r.URL.Query().Get("panic") == "onconnect" {
				panic("onconnect broke")
			}
			return nil
		}),
		core.BroadcastAuth(func(r *http.Request) error {
			if panicky(r) {
				panic("broadcast auth broke")
			}
			return nil
		}),
		core.StatsAuth(func(r *http.Request) error {
			if panicky(r) {
				panic("stats auth broke")
			}
			return nil
		}))
	ok := dial(t, srv.URL+"/events?topic=t", nil)
	for i, hook := range []string{"authorize", "onconnect"} {
		resp, err := http.Get(srv.URL + "/events?topic=t&panic=" + hook)
		if err != nil {
			t.Fatalf("%s: %v", hook, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" || string(body) != "retry: 3000\n" {
			t.Errorf("%s panicked: %d %q %q, want a stream holding only the retry hint", hook, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		if p := hub.Stats().Panics; p != uint64(i+1) {
			t.Errorf("%s: stats.panics = %d, want %d", hook, p, i+1)
		}
	}
	if n := hub.Count(); n != 1 {
		t.Errorf("%d streams registered, want only the good one", n)
	}
	if st, body := post(t, srv.URL+"/events/broadcast?panic=1", "", `{"event":"x"}`); st != http.StatusInternalServerError || body["error"] != "internal error" {
		t.Errorf("BroadcastAuth panicked: %d %v, want 500 internal error", st, body)
	}
	if st, body := getJSON(t, srv.URL+"/events/stats?panic=1"); st != http.StatusInternalServerError || body["error"] != "internal error" {
		t.Errorf("StatsAuth panicked: %d %v, want 500 internal error", st, body)
	}
	if p := hub.Stats().Panics; p != 4 {
		t.Errorf("stats.panics = %d, want 4", p)
	}
	if n := logs.count("panicked (contained)"); n != 4 {
		t.Errorf("%d panics logged, want 4", n)
	}
	mustPublish(t, hub, "t", "still.here", 1)
	if e := ok.next(); e.Event != "still.here" {
		t.Fatalf("the good stream got %q", e.Event)
	}
	_, stats := getJSON(t, srv.URL+"/events/stats")
	if stats["panics"] != float64(4) {
		t.Errorf("stats JSON panics = %v, want 4", stats["panics"])
	}
}
