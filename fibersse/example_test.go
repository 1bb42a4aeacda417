package fibersse_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/fibersse"
)

// The one-liner: the stream, stats and broadcast routes on a Fiber app.
func ExampleSSE() {
	hub, _ := core.NewHub()
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	if err := fibersse.SSE(app, "/events", hub, core.BroadcastAuth(core.BearerToken("secret"))); err != nil {
		panic(err)
	}

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go app.Listener(ln)
	defer app.Shutdown()
	defer hub.Shutdown(context.Background()) // ends the streams with a retry hint

	resp, err := http.Get("http://" + ln.Addr().String() + "/events?topic=orders")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	br.ReadString('\n') // ": connected": the stream is registered

	hub.Publish(context.Background(), "orders", "order.created", map[string]int{"id": 42})
	for {
		line, _ := br.ReadString('\n')
		if strings.HasPrefix(line, "event: ") {
			fmt.Print(line)
			return
		}
	}
	// Output: event: order.created
}

// Hooks get the *fiber.Ctx, so they can read what auth middleware stored
// in Locals; the Access they return is copied out of the pooled Ctx.
func ExampleAuthorize() {
	hub, _ := core.NewHub()
	defer hub.Shutdown(context.Background())
	app := fiber.New()
	api := app.Group("/api") // with your auth middleware, which does c.Locals("user", …)
	if err := fibersse.SSE(api, "/events", hub, fibersse.Authorize(func(c *fiber.Ctx) (core.Access, error) {
		user, ok := c.Locals("user").(string)
		if !ok {
			return core.Access{}, core.Unauthorized("log in first")
		}
		return core.Access{Identity: user, Meta: map[string]string{"user_id": user}}, nil
	})); err != nil {
		panic(err)
	}
}

// The stream handler alone, with middleware that must skip streams.
func ExampleStream() {
	hub, _ := core.NewHub()
	defer hub.Shutdown(context.Background())
	app := fiber.New()
	app.Use(compress.New(compress.Config{Next: fibersse.Skipper}))
	live, err := fibersse.Stream(hub, core.Topics("orders"))
	if err != nil {
		panic(err)
	}
	app.Get("/orders/live", live)
}
