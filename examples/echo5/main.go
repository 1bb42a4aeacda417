// Command echo5 is the Echo v5 example: echo5sse.SSE registers the stream,
// stats and broadcast routes in one line.
package main

import (
	"github.com/labstack/echo/v5"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/echo5sse"
	"github.com/ssekit/ssekit/examples/internal/exampleapp"
)

func main() {
	exampleapp.Main("echo5", func(cfg exampleapp.Config, hub *core.Hub) (exampleapp.Server, error) {
		e := echo.New()
		if err := echo5sse.SSE(e, "/events", hub, exampleapp.RouteOptions(cfg)...); err != nil {
			return nil, err
		}
		static := echo.WrapHandler(exampleapp.StaticHandler())
		e.GET("/", static)
		e.GET("/ssekit/client.js", static)
		e.Any("/admin/drop", echo.WrapHandler(exampleapp.DropHandler(hub, cfg)))
		return exampleapp.HTTPServer(e), nil
	})
}
