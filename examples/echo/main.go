// Command echo is the Echo v4 example: echosse.SSE registers the stream,
// stats and broadcast routes in one line.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/ssekit/ssekit/echosse"
	"github.com/ssekit/ssekit/examples/internal/exampleapp"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()
	cfg, err := exampleapp.FromEnv()
	if err != nil {
		return err
	}
	hub, closeBroker, err := exampleapp.NewHub(ctx, cfg, "example-echo")
	if err != nil {
		return err
	}
	defer closeBroker()

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	echosse.SSE(e, "/events", hub, exampleapp.RouteOptions(cfg)...)
	static := echo.WrapHandler(exampleapp.StaticHandler())
	e.GET("/", static)
	e.GET("/ssekit/client.js", static)
	e.Any("/admin/drop", echo.WrapHandler(exampleapp.DropHandler(hub, cfg)))

	demoCtx, stopDemo := context.WithCancel(ctx)
	defer stopDemo()
	go exampleapp.Demo(demoCtx, hub, 5*time.Second)
	return exampleapp.Run(ctx, cfg, hub, e)
}
