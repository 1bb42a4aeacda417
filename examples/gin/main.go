// Command gin is the Gin example: ginsse.SSE registers the stream, stats and
// broadcast routes in one line.
package main

import (
	"github.com/gin-gonic/gin"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/examples/internal/exampleapp"
	"github.com/ssekit/ssekit/ginsse"
)

func main() {
	exampleapp.Main("gin", func(cfg exampleapp.Config, hub *core.Hub) (exampleapp.Server, error) {
		gin.SetMode(gin.ReleaseMode)
		r := gin.New()
		if err := ginsse.SSE(r, "/events", hub, exampleapp.RouteOptions(cfg)...); err != nil {
			return nil, err
		}
		static := gin.WrapH(exampleapp.StaticHandler())
		r.GET("/", static)
		r.GET("/ssekit/client.js", static)
		r.Any("/admin/drop", gin.WrapH(exampleapp.DropHandler(hub, cfg)))
		return exampleapp.HTTPServer(r), nil
	})
}
