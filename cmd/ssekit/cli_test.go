package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/ssetest"
)

// server is a core hub mounted on a loopback server.
type server struct {
	hub   *core.Hub
	url   string // the mount
	conns chan *core.Conn
}

func newServer(t *testing.T) *server {
	t.Helper()
	hub, err := core.NewHub(core.WithRetry(10 * time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	s := &server{hub: hub, conns: make(chan *core.Conn, 8)}
	mux := http.NewServeMux()
	if err := core.Mount(mux, "/events", hub, core.BroadcastAuth(core.BearerToken("s3cret")), core.MaxBodyBytes(1024),
		core.OnConnect(func(c *core.Conn, r *http.Request) error { s.conns <- c; return nil })); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), ssetest.Timeout)
		defer cancel()
		hub.Shutdown(ctx)
		srv.Close()
	})
	s.url = srv.URL + "/events"
	return s
}

func (s *server) connected(t *testing.T) *core.Conn {
	t.Helper()
	select {
	case c := <-s.conns:
		return c
	case <-time.After(ssetest.Timeout):
		t.Fatal("tail did not connect")
	}
	return nil
}

// proc is a running ssekit binary with its output as lines.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr chan string
}

func start(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	outR, _ := cmd.StdoutPipe()
	errR, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, stdout: lines(outR), stderr: lines(errR)}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return p
}

func lines(r io.Reader) chan string {
	ch := make(chan string, 64)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			ch <- sc.Text()
		}
	}()
	return ch
}

// line waits for the next line of ch that contains want.
func line(t *testing.T, ch chan string, want string) string {
	t.Helper()
	deadline := time.After(ssetest.Timeout)
	for {
		select {
		case l, ok := <-ch:
			if !ok {
				t.Fatalf("output ended before a line with %q", want)
			}
			if strings.Contains(l, want) {
				return l
			}
		case <-deadline:
			t.Fatalf("no line with %q", want)
		}
	}
}

// interrupt sends SIGINT and checks the exit status is 0.
func (p *proc) interrupt(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("tail after Ctrl-C: %v, want exit status 0", err)
		}
	case <-time.After(ssetest.Timeout):
		t.Fatal("tail did not exit on SIGINT")
	}
}

// runCmd runs the binary to its end.
func runCmd(t *testing.T, bin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// TestCLI builds the binary and runs tail and publish against a real core
// server on loopback.
func TestCLI(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "ssekit")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	token := []string{"SSE_BROADCAST_TOKEN=s3cret"}

	t.Run("tail and publish", func(t *testing.T) {
		s := newServer(t)
		tail := start(t, bin, "tail", s.url, "--topic", "orders")
		conn := s.connected(t)
		id, stderr, code := runCmd(t, bin, token, "publish", s.url, "--event", "order.paid", "--data", `{"id":42}`, "--topic", "orders")
		if code != 0 {
			t.Fatalf("publish: exit %d: %s", code, stderr)
		}
		id = strings.TrimSpace(id)
		var env core.Envelope
		if err := json.Unmarshal([]byte(line(t, tail.stdout, id)), &env); err != nil || env.Event != "order.paid" || string(env.Data) != `{"id":42}` || env.Meta["topic"] != "orders" {
			t.Fatalf("tail printed %+v, %v", env, err)
		}

		// A disconnect: tail says so on stderr and resumes with no gap.
		s.hub.Disconnect(conn.ID())
		s.hub.Publish(context.Background(), "orders", "while.away", 1)
		line(t, tail.stderr, "reconnecting")
		s.connected(t)
		line(t, tail.stdout, `"while.away"`)

		// A publish with text data and a filter the connection does not match.
		runCmd(t, bin, token, "publish", s.url, "--event", "other", "--data", "plain text", "--topic", "orders", "--filter", "tenant=x")
		id, _, _ = runCmd(t, bin, token, "publish", "--event", "text", s.url, "--data", "plain text", "--topic", "orders")
		if l := line(t, tail.stdout, strings.TrimSpace(id)); !strings.Contains(l, `"data":"plain text"`) || strings.Contains(l, `"other"`) {
			t.Fatalf("tail printed %s", l)
		}
		tail.interrupt(t)
	})

	t.Run("tail reports a reset", func(t *testing.T) {
		s := newServer(t)
		tail := start(t, bin, "tail", s.url, "--topic", "t", "--last-event-id", "nope")
		line(t, tail.stderr, "reset (unknown_last_event_id)")
		s.connected(t)
		tail.interrupt(t)
	})

	t.Run("publish errors", func(t *testing.T) {
		s := newServer(t)
		for _, tc := range []struct {
			env  []string
			args []string
			code int
			want string
		}{
			{nil, []string{"--event", "e"}, 1, "401 Unauthorized"},
			{nil, []string{"--event", "e"}, 1, "--token or SSE_BROADCAST_TOKEN"},
			{[]string{"SSE_BROADCAST_TOKEN=wrong"}, []string{"--event", "e"}, 1, "403 Forbidden"},
			{nil, []string{"--event", "e", "--token", "wrong"}, 1, "the token is wrong"},
			{token, []string{"--event", "e", "--data", strings.Repeat("x", 2000)}, 1, "413 Request Entity Too Large"},
			{token, []string{"--event", "bad\nname"}, 1, "400 Bad Request"},
			{token, []string{"--data", "{}"}, 2, "--event is required"},
			{token, []string{"--event", "e", "--filter", "novalue"}, 2, "not key=value"},
		} {
			_, stderr, code := runCmd(t, bin, tc.env, append([]string{"publish", s.url}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("publish %v: exit %d, stderr %q; want exit %d and %q", tc.args, code, stderr, tc.code, tc.want)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), ssetest.Timeout)
		defer cancel()
		s.hub.Shutdown(ctx)
		if _, stderr, code := runCmd(t, bin, token, "publish", s.url, "--event", "e"); code != 1 || !strings.Contains(stderr, "503") {
			t.Errorf("publish after shutdown: exit %d, %q; want 503", code, stderr)
		}
	})

	t.Run("tail stops on a final status", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, `{"error":"no such stream"}`, http.StatusNotFound)
		}))
		defer srv.Close()
		_, stderr, code := runCmd(t, bin, nil, "tail", srv.URL)
		if code != 1 || !strings.Contains(stderr, "404 Not Found: no such stream") {
			t.Fatalf("exit %d, %q", code, stderr)
		}
	})
}
