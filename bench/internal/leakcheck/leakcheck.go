// Package leakcheck ends a test binary with a goroutine-leak check.
package leakcheck

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// ignored are goroutines that libraries start once per process and never
// stop; they are not leaks of the code under test.
var ignored = []string{
	"github.com/valyala/fasthttp.updateServerDate", // fasthttp's shared Date header clock
	// fasthttp's idle-worker cleaner sleeps MaxIdleWorkerDuration (10 s)
	// before it notices the pool stopped; it exits by itself.
	"github.com/valyala/fasthttp.(*workerPool).Start.func2",
}

func stacks() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var live []string
next:
	for _, g := range strings.Split(string(buf), "\n\n") {
		for _, ig := range ignored {
			if strings.Contains(g, ig) {
				continue next
			}
		}
		live = append(live, g)
	}
	return live
}

// Main runs the tests and then fails the binary when more goroutines are alive
// than before the tests, after giving stragglers up to five seconds to exit.
func Main(m *testing.M) int {
	before := len(stacks())
	code := m.Run()
	deadline := time.Now().Add(5 * time.Second)
	live := stacks()
	for len(live) > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		live = stacks()
	}
	if len(live) > before && code == 0 {
		fmt.Fprintf(os.Stderr, "leakcheck: %d goroutines alive after the tests, %d before\n%s\n", len(live), before, strings.Join(live, "\n\n"))
		return 1
	}
	return code
}
