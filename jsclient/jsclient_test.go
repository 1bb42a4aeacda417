package jsclient_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/ssekit/ssekit/jsclient"
)

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

// ClientJS is the bundle of src/: every module there must be in it (the
// JavaScript tests check that its text is current).
func TestClientJSBundlesEverySourceModule(t *testing.T) {
	files, err := os.ReadDir("src")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := f.Name()
		if name == "index.js" || !strings.HasSuffix(name, ".js") {
			continue
		}
		if !bytes.Contains(jsclient.ClientJS, []byte("// ---- src/"+name+" ")) {
			t.Errorf("client.js lacks src/%s: run `npm run build` (or go generate) in jsclient/", name)
		}
	}
}
