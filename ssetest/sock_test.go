package ssetest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ssekit/ssekit/ssetest"
)

// TestDialStreamReadsTheChunkedBody reads a stream over a bare connection:
// the head, lines across chunks, a line found by prefix, and the rest of
// the body up to its last chunk.
func TestDialStreamReadsTheChunkedBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, ": connected\nretry: 3000\n")
		w.(http.Flusher).Flush()
		fmt.Fprint(w, "id: 1\nevent: hello\ndata: {}\n\n")
		w.(http.Flusher).Flush()
		fmt.Fprint(w, ": bye\n")
	}))
	t.Cleanup(srv.Close)
	s := ssetest.DialStream(t, srv.Listener.Addr().String(), "/events")
	if !strings.Contains(s.Head(), "Content-Type: text/event-stream\r\n") {
		t.Fatalf("head:\n%s", s.Head())
	}
	if l := s.Line(); l != "retry: 3000\n" {
		t.Fatalf("line %q", l)
	}
	if l := s.Until("event: "); l != "event: hello\n" {
		t.Fatalf("until %q", l)
	}
	if rest := s.Rest(); rest != "data: {}\n\n: bye\n" {
		t.Fatalf("rest %q", rest)
	}
}
