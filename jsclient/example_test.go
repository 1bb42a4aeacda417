package jsclient_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/ssekit/ssekit/jsclient"
)

// Serve the browser client next to the event stream, at the path the pages import.
func ExampleHandler() {
	mux := http.NewServeMux()
	mux.Handle("GET /ssekit/client.js", jsclient.Handler())

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/ssekit/client.js", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	// Output: 200 text/javascript; charset=utf-8
}
