package exampleapp

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// CheckTryIt builds the example in the test's directory and runs it as
// `make run` does, with no token set, then runs what it printed, as a
// newcomer pastes it: the curl lines (a stream that opens, a broadcast
// accepted with the generated token, stats), against the real address.
// Then it sends SIGINT, as Ctrl-C does, and checks that the example exits
// 0.
func CheckTryIt(t *testing.T) {
	t.Helper()
	const wait = 15 * time.Second
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("SKIPPED LOUDLY: curl is not installed, so the curl lines the example prints cannot be tried")
	}
	bin := filepath.Join(t.TempDir(), "example")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "REDIS_URL=") && !strings.HasPrefix(kv, "SSE_BROADCAST_TOKEN=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "ADDR=127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	printed, exited := make(chan []string, 1), make(chan error, 1)
	go func() {
		var lines []string
		out := bufio.NewReader(stdout)
		for {
			l, err := out.ReadString('\n')
			lines = append(lines, strings.TrimRight(l, "\n"))
			if err != nil || strings.HasPrefix(l, "Ctrl-C") {
				break
			}
		}
		printed <- lines
		io.Copy(io.Discard, out)
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	var lines []string
	select {
	case lines = <-printed:
	case <-time.After(wait):
		t.Fatal("the example printed no \"Ctrl-C stops the server.\" line")
	}
	var curls []string
	for _, l := range lines {
		if c, ok := strings.CutPrefix(l, "  curl "); ok {
			curls = append(curls, curl+" -sS "+c)
		}
	}
	if len(curls) != 3 || !strings.HasPrefix(lines[0], "SSE_BROADCAST_TOKEN not set") {
		t.Fatalf("printed:\n%s\nwant the generated token, then three curl lines", strings.Join(lines, "\n"))
	}
	// The stream: it opens (": connected") and gets the broadcast below.
	next := CurlStream(t, curls[0], wait)
	next(": connected")
	run := func(line, want string) {
		t.Helper()
		out, err := exec.Command("bash", "-c", line).CombinedOutput()
		if err != nil || !strings.Contains(string(out), want) {
			t.Errorf("%s: %v\n%s\nwant output containing %s", line, err, out, want)
		}
	}
	run(curls[1], `{"id":`)
	if got := next("event: "); got != "event: hello" {
		t.Errorf("the stream got %q, want the broadcast \"hello\"", got)
	}
	run(curls[2], `"connections":1`)

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		exited <- err // for the cleanup
		if err != nil {
			t.Errorf("exit after SIGINT (Ctrl-C): %v, want exit status 0", err)
		}
	case <-time.After(wait):
		t.Error("still running after SIGINT")
	}
}

// CurlStream runs a curl command line that opens a stream (as a newcomer
// pastes it), reads its output in the background, and returns next: the
// next output line that starts with prefix, failing t after wait. The
// command is killed when the test ends.
func CurlStream(t *testing.T, cmdline string, wait time.Duration) (next func(prefix string) string) {
	t.Helper()
	stream := exec.Command("bash", "-c", "exec "+cmdline)
	out, err := stream.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stream.Process.Kill()
		stream.Wait()
	})
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		r := bufio.NewReader(out)
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return
			}
			lines <- strings.TrimRight(l, "\n")
		}
	}()
	return func(prefix string) string {
		t.Helper()
		timeout := time.After(wait)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("%s: the stream ended before a %q line", cmdline, prefix)
				}
				if strings.HasPrefix(l, prefix) {
					return l
				}
			case <-timeout:
				t.Fatalf("%s: no %q line", cmdline, prefix)
			}
		}
	}
}
