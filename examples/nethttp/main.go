// Command nethttp is the plain net/http example: core.Mount registers the
// stream, stats and broadcast routes in one line.
package main

import (
	"net/http"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/examples/internal/exampleapp"
)

func main() {
	exampleapp.Main("nethttp", func(cfg exampleapp.Config, hub *core.Hub) (exampleapp.Server, error) {
		mux := http.NewServeMux()
		if err := core.Mount(mux, "/events", hub, exampleapp.RouteOptions(cfg)...); err != nil {
			return nil, err
		}
		exampleapp.Static(mux)
		mux.Handle("/admin/drop", exampleapp.DropHandler(hub, cfg))
		return exampleapp.HTTPServer(mux), nil
	})
}
