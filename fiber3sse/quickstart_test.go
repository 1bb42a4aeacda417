package fiber3sse_test

import (
	"context"
	"log"

	"github.com/gofiber/fiber/v3"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/fiber3sse"
)

// The README's Fiber v3 quick start, kept compiling here: an app with the
// event routes and JSON errors, a handler that publishes, and the hub shut
// down before the app. (Not run: it serves until stopped.)
func Example_quickStart() {
	hub, err := core.NewHub(core.WithProducer("shop"))
	if err != nil {
		log.Fatal(err)
	}
	// ErrorHandler: errors fasthttp makes before any route runs (413, 431) are JSON too;
	// Config: a write buffer that fits a whole chunk.
	app := fiber.New(fiber3sse.Config(fiber.Config{ErrorHandler: fiber3sse.ErrorHandler}))
	if err := fiber3sse.SSE(app, "/events", hub, core.BroadcastAuth(core.BearerToken("change-me"))); err != nil {
		log.Fatal(err)
	}
	app.Post("/orders/:id/pay", func(c fiber.Ctx) error {
		hub.Publish(c.Context(), "orders", "order.paid", map[string]string{"id": c.Params("id")})
		return c.SendStatus(fiber.StatusNoContent)
	})
	app.Hooks().OnPreShutdown(func() error { return hub.Shutdown(context.Background()) })
	log.Fatal(app.Listen("127.0.0.1:8080"))
}
