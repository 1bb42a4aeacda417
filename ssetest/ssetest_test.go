package ssetest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ssekit/ssekit/ssetest"
)

func TestMain(m *testing.M) { ssetest.LeakCheck(m) }

// stub is a minimal stream route: the preamble, one event, then it waits.
func stub(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/event-stream")
	fmt.Fprint(w, ": connected\nretry: 3000\nid: 1\nevent: hello\ndata: {}\n\n")
	w.(http.Flusher).Flush()
	<-r.Context().Done()
}

func TestOpenReadsLinesAndEvents(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(stub))
	t.Cleanup(srv.Close) // after the stream's own cleanup, which runs first
	s := ssetest.Open(t, srv.URL, http.Header{"X-Test": {"1"}})
	if l := s.Line(); l != "retry: 3000\n" {
		t.Fatalf("line %q", l)
	}
	if e := s.Event(); e != "hello" {
		t.Fatalf("event %q", e)
	}
	if ct := s.Response().Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
}

// A test of an app's own stream route (compiled, not run: it needs the
// test's *testing.T).
func TestNextParsesFramesAndRestReadsToTheEnd(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, ": connected\nretry: 3000\nid: 7-0\nevent: a\ndata: {\"x\":1}\n\n: ping\nevent: b\ndata: 2\n\nretry: 5000\n")
	}))
	t.Cleanup(srv.Close)
	s := ssetest.OpenWith(t, srv.Client(), srv.URL, nil)
	if ev := s.Next(); ev != (ssetest.Event{ID: "7-0", Name: "a", Data: `{"x":1}`}) {
		t.Fatalf("first event %+v", ev)
	}
	if ev := s.Next(); ev != (ssetest.Event{Name: "b", Data: "2"}) {
		t.Fatalf("second event %+v", ev)
	}
	if rest := s.Rest(); rest != "retry: 5000\n" {
		t.Fatalf("rest %q", rest)
	}
	s.Close()
	s.Close() // idempotent; the cleanup calls it once more
}

func ExampleOpen() {
	var t *testing.T // the test's
	srv := httptest.NewServer(http.HandlerFunc(stub))
	t.Cleanup(srv.Close)
	s := ssetest.Open(t, srv.URL+"/events?topic=news", nil)
	if got := s.Event(); got != "hello" {
		t.Fatalf("first event %q", got)
	}
}
