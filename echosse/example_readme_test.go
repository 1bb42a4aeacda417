package echosse_test

import (
	"log"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/echosse"
)

// The README's Echo quick start (compiled, not run: it serves on
// 127.0.0.1:8080).
func Example_quickStart() {
	hub, err := core.NewHub(core.WithProducer("shop"))
	if err != nil {
		log.Fatal(err)
	}
	e := echo.New()
	if err := echosse.SSE(e, "/events", hub, core.BroadcastAuth(core.BearerToken("change-me"))); err != nil {
		log.Fatal(err)
	}
	e.POST("/orders/:id/pay", func(c echo.Context) error {
		hub.Publish(c.Request().Context(), "orders", "order.paid", map[string]string{"id": c.Param("id")})
		return c.NoContent(http.StatusNoContent)
	})
	log.Fatal(e.Start("127.0.0.1:8080"))
}
