package fiber3sse_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/compress"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/fiber3sse"
)

// The one-liner: the stream, stats and broadcast routes on a Fiber v3 app,
// whose errors are JSON like the routes' own.
func ExampleSSE() {
	hub, _ := core.NewHub()
	app := fiber.New(fiber.Config{ErrorHandler: fiber3sse.ErrorHandler})
	if err := fiber3sse.SSE(app, "/events", hub, core.BroadcastAuth(core.BearerToken("secret"))); err != nil {
		panic(err)
	}

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true})
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

// Hooks get the fiber.Ctx, so they can read what auth middleware stored
// in Locals; the Access they return is copied out of the pooled Ctx.
func ExampleAuthorize() {
	hub, _ := core.NewHub()
	defer hub.Shutdown(context.Background())
	app := fiber.New()
	api := app.Group("/api") // with your auth middleware, which does c.Locals("user", …)
	if err := fiber3sse.SSE(api, "/events", hub, fiber3sse.Authorize(func(c fiber.Ctx) (core.Access, error) {
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
	app.Use(compress.New(compress.Config{Next: fiber3sse.Skipper}))
	live, err := fiber3sse.Stream(hub, core.Topics("orders"))
	if err != nil {
		panic(err)
	}
	app.Get("/orders/live", live)
}

// Shutting down: the hub first, so clients get a retry hint, then the app.
func Example_gracefulShutdown() {
	hub, _ := core.NewHub()
	app := fiber.New(fiber.Config{ErrorHandler: fiber3sse.ErrorHandler})
	if err := fiber3sse.SSE(app, "/events", hub); err != nil {
		panic(err)
	}
	app.Hooks().OnPreShutdown(func() error { return hub.Shutdown(context.Background()) })
	// in main: app.Listen(":8080", fiber.ListenConfig{GracefulContext: signalContext})
}
