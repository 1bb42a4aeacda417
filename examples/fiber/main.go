// Command fiber is the Fiber v2 example: fibersse.SSE registers the stream,
// stats and broadcast routes in one line, streaming natively on fasthttp.
package main

import (
	"context"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/examples/internal/exampleapp"
	"github.com/ssekit/ssekit/fibersse"
)

func main() {
	exampleapp.Main("fiber", func(cfg exampleapp.Config, hub *core.Hub) (exampleapp.Server, error) {
		// fibersse.Config: a write buffer that holds a whole stream chunk.
		app := fiber.New(fibersse.Config(fiber.Config{
			DisableStartupMessage: true,
			// Errors fasthttp makes before a handler runs (413, 431, 408)
			// are JSON like the routes' own.
			ErrorHandler: fibersse.ErrorHandler,
			// The settings an app serving streams should copy: 10 s to
			// send a request (slowloris; fasthttp does not apply it while
			// a stream is written), idle keep-alive sockets closed after a
			// minute; headers stay within ReadBufferSize (4 KiB).
			ReadTimeout: 10 * time.Second,
			IdleTimeout: time.Minute,
		}))
		// The hub detaches streams (exampleapp.NewHub): with this, an idle
		// stream owns no goroutine (about 4 KiB instead of 35). Server-wide:
		// fasthttp no longer closes hijacked connections itself.
		fibersse.KeepHijackedConns(app)
		if err := fibersse.SSE(app, "/events", hub, exampleapp.RouteOptions(cfg)...); err != nil {
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

func (s fiberServer) Serve(ln net.Listener) error        { return s.app.Listener(ln) }
func (s fiberServer) Shutdown(ctx context.Context) error { return s.app.ShutdownWithContext(ctx) }
