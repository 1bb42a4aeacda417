// Command fiber is the Fiber v2 example: fibersse.SSE registers the stream,
// stats and broadcast routes in one line, streaming natively on fasthttp.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/ssekit/ssekit/examples/internal/exampleapp"
	"github.com/ssekit/ssekit/fibersse"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "fiber:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()
	cfg, err := exampleapp.FromEnv()
	if err != nil {
		return err
	}
	hub, closeBroker, err := exampleapp.NewHub(ctx, cfg, "example-fiber")
	if err != nil {
		return err
	}
	defer closeBroker()

	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	fibersse.SSE(app, "/events", hub, exampleapp.RouteOptions(cfg)...)
	// The page and the script are small: the net/http adaptor, which
	// buffers, is fine for them (never for the stream).
	static := adaptor.HTTPHandler(exampleapp.StaticHandler())
	app.Get("/", static)
	app.Get("/ssekit/client.js", static)
	app.All("/admin/drop", adaptor.HTTPHandler(exampleapp.DropHandler(hub, cfg)))

	demoCtx, stopDemo := context.WithCancel(ctx)
	defer stopDemo()
	go exampleapp.Demo(demoCtx, hub, 5*time.Second)
	return exampleapp.Serve(ctx, cfg, hub, app.Listener, app.ShutdownWithContext)
}
