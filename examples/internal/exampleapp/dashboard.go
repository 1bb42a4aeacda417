package exampleapp

import "net/http"

// Dashboard serves the live dashboard page (until examples/dashboard lands:
// a placeholder that links the client).
func Dashboard() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!doctype html><title>ssekit</title><p>ssekit example: stream at <a href=\"/events?topic=demo\">/events?topic=demo</a></p>\n"))
	})
}
