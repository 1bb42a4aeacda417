package echo5sse_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/echo5sse"
)

// The one-liner: the stream, stats and broadcast routes on an Echo v5 app.
func ExampleSSE() {
	hub, _ := core.NewHub()
	e := echo.New()
	if err := echo5sse.SSE(e, "/events", hub, core.BroadcastAuth(core.BearerToken("secret"))); err != nil {
		panic(err)
	}

	srv := httptest.NewServer(e)
	defer srv.Close()
	defer hub.Shutdown(context.Background()) // ends the streams first

	resp, err := http.Get(srv.URL + "/events?topic=orders")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	r.ReadString('\n') // ": connected": the stream is registered

	hub.Publish(context.Background(), "orders", "order.created", map[string]int{"id": 42})
	for {
		line, _ := r.ReadString('\n')
		if strings.HasPrefix(line, "event: ") {
			fmt.Print(line)
			return
		}
	}
	// Output: event: order.created
}

// Hooks get the *echo.Context, so they can read what auth middleware set.
func ExampleAuthorize() {
	hub, _ := core.NewHub()
	defer hub.Shutdown(context.Background())
	e := echo.New()
	api := e.Group("/api") // with your auth middleware, which does c.Set("user", …)
	if err := echo5sse.SSE(api, "/events", hub, echo5sse.Authorize(func(c *echo.Context) (core.Access, error) {
		user, ok := c.Get("user").(string)
		if !ok {
			return core.Access{}, core.Unauthorized("log in first")
		}
		return core.Access{Identity: user, Meta: map[string]string{"user_id": user}}, nil
	})); err != nil {
		panic(err)
	}
	// Later: hub.Publish(ctx, "orders", "order.updated", order, core.Where(core.Match{"user_id": "42"}))
}

// The stream handler alone, for custom routes and per-route middleware;
// Skipper keeps Gzip off the stream.
func ExampleStream() {
	hub, _ := core.NewHub()
	defer hub.Shutdown(context.Background())
	e := echo.New()
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{Skipper: echo5sse.Skipper}))
	live, err := echo5sse.Stream(hub, core.Topics("orders"))
	if err != nil {
		panic(err)
	}
	e.GET("/orders/live", live)
}

// Echo v5's StartConfig shuts the server down gracefully, but
// http.Server.Shutdown waits for open streams: end them through the hub
// when the shutdown begins.
func Example_gracefulShutdown() {
	hub, _ := core.NewHub()
	e := echo.New()
	if err := echo5sse.SSE(e, "/events", hub); err != nil {
		panic(err)
	}
	sc := echo.StartConfig{
		Address: ":8080",
		BeforeServeFunc: func(s *http.Server) error {
			s.RegisterOnShutdown(func() { hub.Shutdown(context.Background()) })
			return nil
		},
	}
	_ = sc // in main: sc.Start(signalContext, e)
}
