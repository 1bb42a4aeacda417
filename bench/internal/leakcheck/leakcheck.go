// Package leakcheck ends a test binary with a goroutine-leak check.
package leakcheck

import (
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"
)

// Main runs the tests and then fails the binary when more goroutines are alive
// than before the tests, after giving stragglers up to five seconds to exit.
func Main(m *testing.M) int {
	before := runtime.NumGoroutine()
	code := m.Run()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before && code == 0 {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		fmt.Fprintf(os.Stderr, "leakcheck: %d goroutines alive after the tests, %d before\n%s\n", n, before, buf)
		return 1
	}
	return code
}
