package exampleapp

import "net/http"

// StaticHandler serves what Static registers (the browser client and the
// dashboard) as one http.Handler, for routers that are not an
// *http.ServeMux (Echo, Gin, Fiber).
func StaticHandler() http.Handler {
	mux := http.NewServeMux()
	Static(mux)
	return mux
}
