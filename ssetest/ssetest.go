package ssetest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Timeout is how long Line and Event wait, and how long LeakCheck waits for
// goroutines to exit.
var Timeout = 5 * time.Second

// Stream is an open event stream, read line by line in the background.
type Stream struct {
	t     testing.TB
	resp  *http.Response
	lines chan string
}

// Open GETs url as an event stream (with Accept: text/event-stream and
// header), fails the test unless the answer is 200 and starts with the
// ": connected" line, and closes the stream when the test ends.
func Open(t testing.TB, url string, header http.Header) *Stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s := &Stream{t: t, resp: resp, lines: make(chan string, 64)}
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
	t.Cleanup(func() {
		cancel()
		for range s.lines {
		}
		resp.Body.Close()
	})
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	if l := s.Line(); l != ": connected\n" {
		t.Fatalf("GET %s: first line %q, want \": connected\"", url, l)
	}
	return s
}

// Response returns the stream's response (its headers, say).
func (s *Stream) Response() *http.Response { return s.resp }

// Line returns the next line, with its "\n"; it fails the test when the
// stream ends or nothing comes within Timeout.
func (s *Stream) Line() string {
	s.t.Helper()
	select {
	case l, ok := <-s.lines:
		if !ok {
			s.t.Fatal("stream ended")
		}
		return l
	case <-time.After(Timeout):
		s.t.Fatal("timed out waiting for a line")
	}
	return ""
}

// Event skips to the next "event:" line and returns the event's name.
func (s *Stream) Event() string {
	s.t.Helper()
	for {
		if l := s.Line(); strings.HasPrefix(l, "event: ") {
			return strings.TrimSpace(l[len("event: "):])
		}
	}
}

// LeakCheck runs the package's tests and exits: with a failure when they
// failed, or when goroutines they started are still running Timeout after
// the last one ended. Goroutines whose stack contains one of ignore (a
// library's process-wide background work, say) are not counted.
func LeakCheck(m *testing.M, ignore ...string) {
	live := func() []string {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var out []string
	next:
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "ssetest.LeakCheck") {
				continue
			}
			for _, s := range ignore {
				if strings.Contains(g, s) {
					continue next
				}
			}
			out = append(out, g)
		}
		return out
	}
	before := len(live())
	code := m.Run()
	if code == 0 {
		deadline := time.Now().Add(Timeout)
		for len(live()) > before && time.Now().Before(deadline) {
			<-time.After(5 * time.Millisecond) // waiting for exits, not synchronizing work
		}
		if g := live(); len(g) > before {
			fmt.Fprintf(os.Stderr, "goroutine leak: %d before, %d after\n%s\n", before, len(g), strings.Join(g, "\n\n"))
			code = 1
		}
	}
	os.Exit(code)
}
