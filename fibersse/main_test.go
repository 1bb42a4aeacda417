package fibersse_test

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

const wait = 5 * time.Second

// TestMain fails the package when goroutines outlive its tests.
func TestMain(m *testing.M) {
	before := len(goroutines())
	code := m.Run()
	if code == 0 {
		deadline := time.Now().Add(wait)
		for len(goroutines()) > before && time.Now().Before(deadline) {
			<-time.After(5 * time.Millisecond)
		}
		if g := goroutines(); len(g) > before {
			fmt.Fprintf(os.Stderr, "goroutine leak: %d before, %d after\n%s\n", before, len(g), strings.Join(g, "\n\n"))
			code = 1
		}
	}
	os.Exit(code)
}

// goroutines returns the stacks of the live goroutines but fasthttp's own
// background ones: its process-wide date updater and the idle-worker
// cleaner of a stopped server's pool, which exits at its next tick.
func goroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "fasthttp.updateServerDate") || strings.Contains(g, "fasthttp.(*workerPool).Start.func") {
			continue
		}
		out = append(out, g)
	}
	return out
}

// stream is an open event stream, read line by line in the background.
type stream struct {
	t     *testing.T
	resp  *http.Response
	lines chan string
}

// open GETs url as a stream, requires a 200 and the ": connected" line,
// and closes it at cleanup.
func open(t *testing.T, url string, header http.Header) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.Header.Set("Accept", "text/event-stream")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s := &stream{t: t, resp: resp, lines: make(chan string, 64)}
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
	if l := s.line(); l != ": connected\n" {
		t.Fatalf("first line %q", l)
	}
	return s
}

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

// event returns the name of the next event.
func (s *stream) event() string {
	s.t.Helper()
	for {
		if l := s.line(); strings.HasPrefix(l, "event: ") {
			return strings.TrimSpace(l[len("event: "):])
		}
	}
}
