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
	"sync"
	"testing"
	"time"
)

// Timeout is how long Line and Event wait, and how long LeakCheck waits for
// goroutines to exit.
var Timeout = 5 * time.Second

// Stream is an open event stream, read line by line in the background.
type Stream struct {
	t      testing.TB
	resp   *http.Response
	lines  chan string
	cancel context.CancelFunc
	once   sync.Once
}

// Open GETs url as an event stream (with Accept: text/event-stream and
// header), fails the test unless the answer is 200 and starts with the
// ": connected" line, and closes the stream when the test ends.
func Open(t testing.TB, url string, header http.Header) *Stream {
	t.Helper()
	return OpenWith(t, http.DefaultClient, url, header)
}

// OpenWith is Open with another client (an HTTP/2 one, say).
func OpenWith(t testing.TB, client *http.Client, url string, header http.Header) *Stream {
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
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s := &Stream{t: t, resp: resp, lines: make(chan string, 64), cancel: cancel}
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
	t.Cleanup(s.Close)
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	if l := s.Line(); l != ": connected\n" {
		t.Fatalf("GET %s: first line %q, want \": connected\"", url, l)
	}
	return s
}

// Close ends the request and waits for the reader to finish; the test's
// cleanup calls it too, so calling it is only needed to end a stream early.
func (s *Stream) Close() {
	s.once.Do(func() {
		s.cancel()
		for range s.lines {
		}
		s.resp.Body.Close()
	})
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

// benign are goroutines that libraries start once per process and stop
// only by themselves; they are not leaks of the code under test.
var benign = []string{
	"os/signal.signal_recv",
	"github.com/valyala/fasthttp.updateServerDate", // fasthttp's shared Date header clock
	// fasthttp's idle-worker cleaner sleeps MaxIdleWorkerDuration before
	// it notices its pool stopped; it exits by itself.
	"github.com/valyala/fasthttp.(*workerPool).Start.func2",
}

var (
	exitMu    sync.Mutex
	exitHooks []func()
)

// BeforeLeakCheck registers fn to run once the package's tests have ended
// and before LeakCheck counts goroutines, for package-wide resources that
// outlive single tests (a shared server, say).
func BeforeLeakCheck(fn func()) {
	exitMu.Lock()
	defer exitMu.Unlock()
	exitHooks = append(exitHooks, fn)
}

// LeakCheck runs the package's tests and exits: with a failure when they
// failed, or when goroutines they started are still running Timeout after
// the last one ended. Goroutines whose stack contains one of ignore (a
// library's process-wide background work, say) are not counted, nor are
// the known process-wide ones of the Go runtime and fasthttp. Every test
// package of the project ends with it:
//
//	func TestMain(m *testing.M) { ssetest.LeakCheck(m) }
func LeakCheck(m *testing.M, ignore ...string) {
	ignore = append(ignore, benign...)
	before := len(liveGoroutines(ignore))
	code := m.Run()
	exitMu.Lock()
	hooks := exitHooks
	exitMu.Unlock()
	for _, fn := range hooks {
		fn()
	}
	if code == 0 {
		http.DefaultClient.CloseIdleConnections()
		deadline := time.Now().Add(Timeout)
		for len(liveGoroutines(ignore)) > before && time.Now().Before(deadline) {
			<-time.After(5 * time.Millisecond) // waiting for exits, not synchronizing work
		}
		if g := liveGoroutines(ignore); len(g) > before {
			fmt.Fprintf(os.Stderr, "goroutine leak: %d before, %d after\n%s\n", before, len(g), strings.Join(g, "\n\n"))
			code = 1
		}
	}
	os.Exit(code)
}

// Goroutines counts the live goroutines a test could have leaked (those
// LeakCheck counts), for a test that checks its own work leaves none.
func Goroutines() int { return len(liveGoroutines(benign)) }

// liveGoroutines returns the stacks of the goroutines a test could have
// leaked.
func liveGoroutines(ignore []string) []string {
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
next:
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "ssetest.LeakCheck") || strings.Contains(g, "ssetest.liveGoroutines") {
			continue
		}
		for _, s := range ignore {
			if strings.Contains(g, s) {
				continue next
			}
		}
		// An idle fasthttp worker is kept for a while on purpose by a
		// running server; one serving a connection is counted.
		if strings.Contains(g, "fasthttp.(*workerPool).workerFunc") && !strings.Contains(g, "fasthttp.(*Server).serveConn") {
			continue
		}
		out = append(out, g)
	}
	return out
}

// Event is one event frame as written on the wire.
type Event struct{ ID, Name, Data string }

// Next returns the next event frame, skipping comments, retry hints and
// blank lines; any other line (a field ssekit never writes, a data line
// split in two) fails the test.
func (s *Stream) Next() Event {
	s.t.Helper()
	var ev Event
	started := false
	for {
		l := strings.TrimSuffix(s.Line(), "\n")
		switch {
		case l == "" && started:
			return ev
		case l == "", strings.HasPrefix(l, ":"), strings.HasPrefix(l, "retry:"):
		case strings.HasPrefix(l, "id: "):
			ev.ID, started = l[len("id: "):], true
		case strings.HasPrefix(l, "event: "):
			ev.Name, started = l[len("event: "):], true
		case strings.HasPrefix(l, "data: ") && ev.Data == "":
			ev.Data, started = l[len("data: "):], true
		default:
			s.t.Fatalf("unexpected line %q", l)
		}
	}
}

// Rest waits until the server ends the stream and returns every line read
// until then; it fails the test when the stream is still open after
// Timeout.
func (s *Stream) Rest() string {
	s.t.Helper()
	var b strings.Builder
	timeout := time.After(Timeout)
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
