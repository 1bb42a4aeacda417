package jsclient_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/ssekit/ssekit/jsclient"
)

// TestMain fails the package when goroutines started by the tests are
// still running once they are done.
func TestMain(m *testing.M) {
	before := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			runtime.Gosched()
			time.Sleep(10 * time.Millisecond) // polling a counter, not synchronizing with a test
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			fmt.Fprintf(os.Stderr, "goroutine leak: %d before, %d after\n%s\n", before, n, buf)
			code = 1
		}
	}
	os.Exit(code)
}

func TestHandlerServesClientAsJavaScript(t *testing.T) {
	srv := httptest.NewServer(jsclient.Handler())
	defer srv.Close()
	defer srv.Client().CloseIdleConnections()

	res, err := srv.Client().Get(srv.URL + "/ssekit/client.js")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body := new(bytes.Buffer)
	if _, err := body.ReadFrom(res.Body); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", res.StatusCode)
	}
	if got := res.Header.Get("Content-Type"); got != "text/javascript; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	if !bytes.Equal(body.Bytes(), jsclient.ClientJS) {
		t.Errorf("body differs from ClientJS (%d vs %d bytes)", body.Len(), len(jsclient.ClientJS))
	}
	if !bytes.Contains(jsclient.ClientJS, []byte("export function createSSE")) {
		t.Error("ClientJS does not export createSSE")
	}
}

func TestHandlerRevalidatesWithETag(t *testing.T) {
	h := jsclient.Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/ssekit/client.js", nil))
	tag := rec.Header().Get("ETag")
	if tag == "" {
		t.Fatal("no ETag")
	}
	req := httptest.NewRequest(http.MethodGet, "/ssekit/client.js", nil)
	req.Header.Set("If-None-Match", tag)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Fatalf("status = %d, want 304", rec.Code)
	}
}

func TestHandlerRefusesOtherMethods(t *testing.T) {
	rec := httptest.NewRecorder()
	jsclient.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/ssekit/client.js", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("status = %d, want 405", rec.Code)
	}
	if got := rec.Header().Get("Allow"); got != "GET, HEAD" {
		t.Errorf("Allow = %q", got)
	}
}
