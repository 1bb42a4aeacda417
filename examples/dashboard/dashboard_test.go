package dashboard_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ssekit/ssekit/examples/dashboard"
	"github.com/ssekit/ssekit/ssetest"
)

func TestMain(m *testing.M) { ssetest.LeakCheck(m) }

func TestHandlerServesThePageAtRoot(t *testing.T) {
	srv := httptest.NewServer(dashboard.Handler())
	defer srv.Close()
	defer srv.Client().CloseIdleConnections()

	res, err := srv.Client().Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if !bytes.Equal(body.Bytes(), dashboard.Page) {
		t.Error("body is not Page")
	}
	for _, want := range []string{`from "/ssekit/client.js"`, `/events/stats`, `/events/broadcast`} {
		if !bytes.Contains(dashboard.Page, []byte(want)) {
			t.Errorf("page does not reference %s", want)
		}
	}
}

func TestHandlerIsAStrictCatchAll(t *testing.T) {
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/", 200},
		{"HEAD", "/", 200},
		{"GET", "/index.html", 200},
		{"GET", "/favicon.ico", 404},
		{"GET", "/events/nope", 404},
		{"POST", "/", 405},
	} {
		rec := httptest.NewRecorder()
		dashboard.Handler().ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		if rec.Code != tc.want {
			t.Errorf("%s %s = %d, want %d", tc.method, tc.path, rec.Code, tc.want)
		}
	}
}

// A page that declares no icon makes every browser request /favicon.ico,
// which the catch-all answers 404 (an error in the console). The page
// declares an inline one, in its <head>, so no request is made.
func TestPageDeclaresAnInlineIcon(t *testing.T) {
	head, _, ok := bytes.Cut(dashboard.Page, []byte("</head>"))
	if !ok {
		t.Fatal("the page has no </head>")
	}
	if !bytes.Contains(head, []byte(`<link rel="icon" href="data:`)) {
		t.Error(`the page's <head> declares no inline icon (<link rel="icon" href="data:...">): browsers will request /favicon.ico and log a 404`)
	}
}
