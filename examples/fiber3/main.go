// Command fiber3 is the Fiber v3 example: fiber3sse.SSE registers the
// stream, stats and broadcast routes in one line, streaming natively on
// fasthttp, and fiber3sse.ErrorHandler makes every error JSON.
package main

import (
	"context"
	"net"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/adaptor"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/examples/internal/exampleapp"
	"github.com/ssekit/ssekit/fiber3sse"
)

func main() {
	exampleapp.Main("fiber3", func(cfg exampleapp.Config, hub *core.Hub) (exampleapp.Server, error) {
		app := fiber.New(fiber3sse.Config(fiber.Config{ErrorHandler: fiber3sse.ErrorHandler}))
		// The hub detaches streams (exampleapp.NewHub): with this, an idle
		// stream owns no goroutine (about 4 KiB instead of 35). Server-wide:
		// fasthttp no longer closes hijacked connections itself.
		fiber3sse.KeepHijackedConns(app)
		if err := fiber3sse.SSE(app, "/events", hub, exampleapp.RouteOptions(cfg)...); err != nil {
			return nil, err
		}
		// The page and the script are small: the net/http adaptor, which
		// buffers, is fine for them (never for the stream).
		static := adaptor.HTTPHandler(exampleapp.StaticHandler())
		app.Get("/", static)
		app.Get("/ssekit/client.js", static)
		app.All("/admin/drop", adaptor.HTTPHandler(exampleapp.DropHandler(hub, cfg)))
		app.All("/admin/login", adaptor.HTTPHandler(exampleapp.LoginHandler(cfg)))
		ops := adaptor.HTTPHandler(exampleapp.OpsHandler(hub))
		for _, p := range exampleapp.OpsPaths {
			app.Get(p, ops)
		}
		return fiberServer{app}, nil
	})
}

// fiberServer gives a Fiber app the exampleapp.Server methods.
type fiberServer struct{ app *fiber.App }

func (s fiberServer) Serve(ln net.Listener) error {
	return s.app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true})
}
func (s fiberServer) Shutdown(ctx context.Context) error { return s.app.ShutdownWithContext(ctx) }
