package echo5sse_test

import (
	"context"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/labstack/echo/v5"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/echo5sse"
)

// The README's Echo v5 quick start, kept compiling here: an app with the
// event routes, a handler that publishes, and a graceful shutdown that ends
// the streams through the hub. (Not run: it serves until SIGTERM.)
func Example_quickStart() {
	hub, err := core.NewHub(core.WithProducer("shop"))
	if err != nil {
		log.Fatal(err)
	}
	e := echo.New()
	if err := echo5sse.SSE(e, "/events", hub, core.BroadcastAuth(core.BearerToken("change-me"))); err != nil {
		log.Fatal(err)
	}
	e.POST("/orders/:id/pay", func(c *echo.Context) error {
		hub.Publish(c.Request().Context(), "orders", "order.paid", map[string]string{"id": c.Param("id")})
		return c.NoContent(http.StatusNoContent)
	})
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sc := echo.StartConfig{Address: "127.0.0.1:8080", BeforeServeFunc: func(s *http.Server) error {
		// Server.Shutdown waits for open streams: end them with a retry hint first.
		s.RegisterOnShutdown(func() { hub.Shutdown(context.Background()) })
		return nil
	}}
	if err := sc.Start(ctx, e); err != nil {
		log.Fatal(err)
	}
}
