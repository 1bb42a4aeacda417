// Command gin is the Gin example: ginsse.SSE registers the stream, stats and
// broadcast routes in one line.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ssekit/ssekit/examples/internal/exampleapp"
	"github.com/ssekit/ssekit/ginsse"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gin:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()
	cfg, err := exampleapp.FromEnv()
	if err != nil {
		return err
	}
	hub, closeBroker, err := exampleapp.NewHub(ctx, cfg, "example-gin")
	if err != nil {
		return err
	}
	defer closeBroker()

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	ginsse.SSE(r, "/events", hub, exampleapp.RouteOptions(cfg)...)
	static := gin.WrapH(exampleapp.StaticHandler())
	r.GET("/", static)
	r.GET("/ssekit/client.js", static)
	r.Any("/admin/drop", gin.WrapH(exampleapp.DropHandler(hub, cfg)))

	demoCtx, stopDemo := context.WithCancel(ctx)
	defer stopDemo()
	go exampleapp.Demo(demoCtx, hub, 5*time.Second)
	return exampleapp.Run(ctx, cfg, hub, r)
}
