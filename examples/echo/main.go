// Command echo is the Echo v4 example: echosse.SSE registers the stream,
// stats and broadcast routes in one line.
package main

import (
	"github.com/labstack/echo/v4"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/echosse"
	"github.com/ssekit/ssekit/examples/internal/exampleapp"
)

func main() {
	exampleapp.Main("echo", func(cfg exampleapp.Config, hub *core.Hub) (exampleapp.Server, error) {
		e := echo.New()
		e.HideBanner, e.HidePort = true, true
		if err := echosse.SSE(e, "/events", hub, exampleapp.RouteOptions(cfg)...); err != nil {
			return nil, err
		}
		static := echo.WrapHandler(exampleapp.StaticHandler())
		e.GET("/", static)
		e.GET("/ssekit/client.js", static)
		e.Any("/admin/drop", echo.WrapHandler(exampleapp.DropHandler(hub, cfg)))
		return exampleapp.HTTPServer(e), nil
	})
}
