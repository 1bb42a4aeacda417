package fibersse_test

import (
	"log"

	"github.com/gofiber/fiber/v2"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/fibersse"
)

// The README's Fiber quick start (compiled, not run: it serves on
// 127.0.0.1:8080).
func Example_quickStart() {
	hub, err := core.NewHub(core.WithProducer("shop"))
	if err != nil {
		log.Fatal(err)
	}
	app := fiber.New(fibersse.Config(fiber.Config{})) // a write buffer that fits a whole chunk (see fibersse.Config)
	if err := fibersse.SSE(app, "/events", hub, core.BroadcastAuth(core.BearerToken("change-me"))); err != nil {
		log.Fatal(err)
	}
	app.Post("/orders/:id/pay", func(c *fiber.Ctx) error {
		hub.Publish(c.UserContext(), "orders", "order.paid", map[string]string{"id": c.Params("id")})
		return c.SendStatus(fiber.StatusNoContent)
	})
	log.Fatal(app.Listen("127.0.0.1:8080"))
}

// The README's detached streams on Fiber (compiled, not run: it serves on
// 127.0.0.1:8080).
func Example_detachedStreams() {
	hub, err := core.NewHub(core.WithDetachedStreams())
	if err != nil {
		log.Fatal(err)
	}
	app := fiber.New(fibersse.Config(fiber.Config{}))
	fibersse.KeepHijackedConns(app) // server-wide, before Listen: see below
	if err := fibersse.SSE(app, "/events", hub); err != nil {
		log.Fatal(err)
	}
	log.Fatal(app.Listen("127.0.0.1:8080"))
}
