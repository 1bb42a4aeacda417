package ginsse_test

import (
	"log"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/ginsse"
)

// The README's Gin quick start (compiled, not run: it serves on
// 127.0.0.1:8080).
func Example_quickStart() {
	hub, err := core.NewHub(core.WithProducer("shop"))
	if err != nil {
		log.Fatal(err)
	}
	r := gin.Default()
	if err := ginsse.SSE(r, "/events", hub, core.BroadcastAuth(core.BearerToken("change-me"))); err != nil {
		log.Fatal(err)
	}
	r.POST("/orders/:id/pay", func(c *gin.Context) {
		hub.Publish(c.Request.Context(), "orders", "order.paid", map[string]string{"id": c.Param("id")})
		c.Status(http.StatusNoContent)
	})
	log.Fatal(r.Run("127.0.0.1:8080"))
}
