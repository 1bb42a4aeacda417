package fiber3sse_test

import (
	"net/http"
	"testing"

	"github.com/ssekit/ssekit/ssetest"
)

// wait bounds every wait in these tests.
var wait = ssetest.Timeout

// fasthttp runs process-wide background goroutines (its date updater, and
// the idle-worker cleaner of a stopped server's pool until its next tick):
// they are not leaks.
func TestMain(m *testing.M) {
	ssetest.LeakCheck(m, "fasthttp.updateServerDate", "fasthttp.(*workerPool).Start.func")
}

// open is ssetest.Open: a stream on a real server, closed when the test ends.
func open(t *testing.T, url string, header http.Header) *ssetest.Stream {
	t.Helper()
	return ssetest.Open(t, url, header)
}
