package exampleapp

import (
	"net/http"

	"github.com/ssekit/ssekit/examples/dashboard"
	"github.com/ssekit/ssekit/jsclient"
)

// Static registers the browser client at /ssekit/client.js and the live
// dashboard at /.
func Static(mux *http.ServeMux) {
	mux.Handle("/ssekit/client.js", jsclient.Handler())
	mux.Handle("/", dashboard.Handler())
}
