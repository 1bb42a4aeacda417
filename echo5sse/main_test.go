package echo5sse_test

import (
	"net/http"
	"testing"

	"github.com/ssekit/ssekit/ssetest"
)

// wait bounds every wait in these tests.
var wait = ssetest.Timeout

func TestMain(m *testing.M) { ssetest.LeakCheck(m) }

// open is ssetest.Open: a stream on a real server, closed when the test ends.
func open(t *testing.T, url string, header http.Header) *ssetest.Stream {
	t.Helper()
	return ssetest.Open(t, url, header)
}
