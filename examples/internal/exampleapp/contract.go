package exampleapp

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// CheckContract builds the example in the test's directory, runs it and
// checks the examples contract of DESIGN.md against it as a black box:
// the "listening on http://ADDR" line, the dashboard at /, the client at
// /ssekit/client.js, stats, a filtered broadcast reaching a stream that
// asked for it with a query parameter, heartbeats, /admin/drop, user_id
// trusted from the signed login cookie (a forged ?user_id= gets nothing
// targeted), the stream cap (503, socket closed, stats and broadcast still
// answering), /healthz, /readyz and /metrics (see checkMetrics), and a
// SIGTERM that ends open streams with a retry hint and exits 0.
func CheckContract(t *testing.T) {
	t.Helper()
	const wait = 15 * time.Second
	bin := filepath.Join(t.TempDir(), "example")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "REDIS_URL=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "ADDR=127.0.0.1:0", "SSE_BROADCAST_TOKEN=tok", "SSE_HEARTBEAT=50ms", "SSE_MAX_STREAMS=3")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines, exited := make(chan string, 1), make(chan error, 1)
	go func() {
		out := bufio.NewReader(stdout)
		l, _ := out.ReadString('\n')
		lines <- l
		io.Copy(io.Discard, out)
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	var base string
	select {
	case l := <-lines:
		var ok bool
		if base, ok = strings.CutPrefix(strings.TrimSpace(l), "listening on "); !ok {
			t.Fatalf("first line %q, want \"listening on http://ADDR\"", l)
		}
	case <-time.After(wait):
		t.Fatal("no \"listening on\" line")
	}
	client := &http.Client{Timeout: wait}
	get := func(path, wantType string) string {
		t.Helper()
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), wantType) {
			t.Errorf("GET %s: %d %q", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		return string(b)
	}
	post := func(path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer tok")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	get("/", "text/html")
	if js := get("/ssekit/client.js", "text/javascript"); !strings.Contains(js, "export") {
		t.Error("/ssekit/client.js is not the ES module")
	}
	if stats := get("/events/stats", "application/json"); !strings.Contains(stats, `"connections":0`) {
		t.Errorf("stats: %s", stats)
	}
	if body := get("/healthz", "application/json"); !strings.Contains(body, `"ok"`) {
		t.Errorf("/healthz: %s", body)
	}
	if body := get("/readyz", "application/json"); !strings.Contains(body, `"ready"`) {
		t.Errorf("/readyz: %s", body)
	}

	openAs := func(query, cookie string) (*bufio.Reader, context.CancelFunc) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/events?"+query, nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("GET /events: %v %v", resp, err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		r := bufio.NewReader(resp.Body)
		if l, _ := r.ReadString('\n'); l != ": connected\n" {
			t.Fatalf("first stream line %q", l)
		}
		if l, _ := r.ReadString('\n'); !strings.HasPrefix(l, "retry: ") {
			t.Fatalf("second stream line %q, want the retry hint", l)
		}
		return r, cancel
	}
	open := func() *bufio.Reader {
		t.Helper()
		r, _ := openAs("topic=demo&channel=sports", "")
		return r
	}
	// readUntil reads the stream until a line starts with prefix, or it
	// ends (then "EOF").
	readUntil := func(r *bufio.Reader, prefix string) string {
		t.Helper()
		found := make(chan string, 1)
		go func() {
			for {
				l, err := r.ReadString('\n')
				if strings.HasPrefix(l, prefix) {
					found <- l
					return
				}
				if err != nil {
					found <- "EOF"
					return
				}
			}
		}()
		select {
		case l := <-found:
			return l
		case <-time.After(wait):
			t.Fatalf("stream: no %q line", prefix)
		}
		return ""
	}

	s1 := open()
	if status, body := post("/events/broadcast", `{"event":"news.flash","filter":{"channel":"news"}}`); status != http.StatusAccepted {
		t.Fatalf("broadcast: %d %s", status, body)
	}
	if status, body := post("/events/broadcast", `{"event":"goal","filter":{"channel":"sports"}}`); status != http.StatusAccepted {
		t.Fatalf("broadcast: %d %s", status, body)
	}
	if l := readUntil(s1, "event: "); l != "event: goal\n" {
		t.Errorf("stream got %q, want the sports event only", l)
	}
	readUntil(s1, ": ping")
	if status, body := post("/admin/drop", ""); status != http.StatusOK || !strings.Contains(body, `"dropped":1`) {
		t.Errorf("/admin/drop: %d %s", status, body)
	}
	if l := readUntil(s1, "data: "); l != "EOF" {
		t.Errorf("dropped stream went on: %q", l)
	}
	checkMetrics(t, get)

	// user_id is trusted metadata from the signed login cookie: a forged
	// ?user_id= receives nothing targeted at that user.
	status, login := post("/admin/login?user=alice", "")
	var cookie struct{ Cookie string }
	if err := json.Unmarshal([]byte(login), &cookie); status != http.StatusOK || err != nil || cookie.Cookie == "" {
		t.Fatalf("/admin/login: %d %s", status, login)
	}
	forged, stopForged := openAs("topic=t&user_id=alice", "")
	alice, _ := openAs("topic=t", cookie.Cookie)
	post("/events/broadcast", `{"event":"for.alice","topic":"t","filter":{"user_id":"alice"}}`)
	post("/events/broadcast", `{"event":"for.all","topic":"t"}`)
	if l := readUntil(alice, "event: "); l != "event: for.alice\n" {
		t.Errorf("logged-in alice got %q, want for.alice", l)
	}
	if l := readUntil(forged, "event: "); l != "event: for.all\n" {
		t.Errorf("a forged ?user_id=alice got %q, want only for.all", l)
	}
	// At the stream cap (3), a stream request gets 503 and its socket is
	// closed, and the stats and broadcast routes still answer.
	openAs("topic=t", "")
	resp, err := (&http.Client{Timeout: wait}).Get(base + "/events")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !resp.Close {
		t.Errorf("over the cap: %d close=%v, want 503 and the socket closed", resp.StatusCode, resp.Close)
	}
	if stats := get("/events/stats", "application/json"); !strings.Contains(stats, `"connections":3`) {
		t.Errorf("stats at the cap: %s", stats)
	}
	if status, body := post("/events/broadcast", `{"event":"at.cap"}`); status != http.StatusAccepted {
		t.Errorf("broadcast at the cap: %d %s", status, body)
	}
	stopForged()
	for deadline := time.Now().Add(wait); !strings.Contains(get("/events/stats", "application/json"), `"connections":2`); {
		if time.Now().After(deadline) {
			t.Fatal("the closed stream still counts")
		}
		<-time.After(20 * time.Millisecond)
	}

	s2 := open()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if l := readUntil(s2, "retry: "); l == "EOF" {
		t.Error("SIGTERM ended the stream without a retry hint")
	}
	select {
	case err := <-exited:
		exited <- err // for the cleanup
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(wait):
		t.Error("still running after SIGTERM")
	}
}
