package core_test

import (
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain ends the package with a goroutine-leak check: every stream,
// ticker and server the tests started must be gone.
func TestMain(m *testing.M) {
	base := len(liveGoroutines())
	code := m.Run()
	if code == 0 {
		http.DefaultClient.CloseIdleConnections()
		deadline := time.Now().Add(10 * time.Second)
		for len(liveGoroutines()) > base && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond) // waiting for exits, not synchronizing work
		}
		if g := liveGoroutines(); len(g) > base {
			fmt.Fprintf(os.Stderr, "goroutine leak: %d goroutines, %d at start\n%s\n", len(g), base, strings.Join(g, "\n\n"))
			code = 1
		}
	}
	os.Exit(code)
}

// liveGoroutines returns the stacks of the goroutines a test could have
// leaked: all but this one and those the runtime or the fuzzing engine own.
func liveGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "core_test.TestMain") || strings.Contains(g, "core_test.liveGoroutines") || strings.Contains(g, "os/signal.signal_recv") {
			continue
		}
		out = append(out, g)
	}
	return out
}
