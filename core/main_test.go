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
	base := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 {
		http.DefaultClient.CloseIdleConnections()
		deadline := time.Now().Add(10 * time.Second)
		for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond) // waiting for exits, not synchronizing work
		}
		if n := runtime.NumGoroutine(); n > base {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			fmt.Fprintf(os.Stderr, "goroutine leak: %d goroutines, %d at start\n%s\n", n, base, leakSummary(string(buf)))
			code = 1
		}
	}
	os.Exit(code)
}

func leakSummary(stacks string) string {
	var out []string
	for _, g := range strings.Split(stacks, "\n\n") {
		if !strings.Contains(g, "testing.(*M).Run") && !strings.Contains(g, "runtime.goexit") || strings.Contains(g, "ssekit") || strings.Contains(g, "net/http") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}
