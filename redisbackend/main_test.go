package redisbackend_test

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain ends the package's tests with a goroutine-leak check: once every
// test has cleaned up, the goroutine count must come back to where it
// started.
func TestMain(m *testing.M) {
	base := runtime.NumGoroutine()
	code := m.Run()
	if shared != nil {
		shared.stop()
	}
	if code == 0 {
		code = checkGoroutines(base)
	}
	os.Exit(code)
}

func checkGoroutines(base int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base {
			return 0
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			fmt.Fprintf(os.Stderr, "goroutine leak: %d goroutines left, %d at start\n%s\n", n, base, leaked(string(buf)))
			return 1
		}
		runtime.Gosched()
		time.Sleep(20 * time.Millisecond) // polling with a deadline, not synchronisation
	}
}

// leaked drops the test runner's own goroutines from a stack dump.
func leaked(dump string) string {
	var out []string
	for _, g := range strings.Split(dump, "\n\n") {
		if strings.Contains(g, "testing.(*M).Run") || strings.Contains(g, "runtime.Stack") {
			continue
		}
		out = append(out, g)
	}
	return strings.Join(out, "\n\n")
}
