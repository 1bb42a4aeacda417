package dashboard

import (
	_ "embed"
	"net/http"
)

// Page is the dashboard's HTML, as served by [Handler]. Callers must not
// modify it.
//
//go:embed index.html
var Page []byte

// Handler returns an http.Handler that serves [Page] at "/" (and
// "/index.html") for GET and HEAD, answers 404 for any other path so it can
// be mounted as a catch-all, and 405 for other methods. The page expects the
// client at /ssekit/client.js and the stream routes at /events.
func Handler() http.Handler {
	return http.HandlerFunc(serve)
}

func serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" && r.URL.Path != "/index.html" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	if r.Method == http.MethodHead {
		return
	}
	w.Write(Page)
}
