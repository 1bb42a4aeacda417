// Command nethttp is the plain net/http example: core.Mount registers the
// stream, stats and broadcast routes in one line.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/examples/internal/exampleapp"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "nethttp:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()
	cfg, err := exampleapp.FromEnv()
	if err != nil {
		return err
	}
	hub, closeBroker, err := exampleapp.NewHub(ctx, cfg, "example-nethttp")
	if err != nil {
		return err
	}
	defer closeBroker()

	mux := http.NewServeMux()
	core.Mount(mux, "/events", hub, exampleapp.RouteOptions(cfg)...)
	exampleapp.Static(mux)
	mux.Handle("/admin/drop", exampleapp.DropHandler(hub, cfg))

	demoCtx, stopDemo := context.WithCancel(ctx)
	defer stopDemo()
	go exampleapp.Demo(demoCtx, hub, 5*time.Second)
	return exampleapp.Run(ctx, cfg, hub, mux)
}
