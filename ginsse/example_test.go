package ginsse_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/ginsse"
)

// The one-liner: the stream, stats and broadcast routes on a Gin engine.
func ExampleSSE() {
	hub, _ := core.NewHub()
	r := gin.New()
	if err := ginsse.SSE(r, "/events", hub, core.BroadcastAuth(core.BearerToken("secret"))); err != nil {
		panic(err)
	}

	srv := httptest.NewServer(r)
	defer srv.Close()
	defer hub.Shutdown(context.Background()) // ends the streams first

	resp, err := http.Get(srv.URL + "/events?topic=orders")
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

// Hooks get the *gin.Context, so they can read what auth middleware set.
func ExampleAuthorize() {
	hub, _ := core.NewHub()
	defer hub.Shutdown(context.Background())
	r := gin.New()
	api := r.Group("/api") // with your auth middleware, which does c.Set("user", …)
	if err := ginsse.SSE(api, "/events", hub, ginsse.Authorize(func(c *gin.Context) (core.Access, error) {
		user := c.GetString("user")
		if user == "" {
			return core.Access{}, core.Unauthorized("log in first")
		}
		return core.Access{Identity: user, Meta: map[string]string{"user_id": user}}, nil
	})); err != nil {
		panic(err)
	}
}

// The stream handler alone, for custom routes and per-route middleware.
func ExampleStream() {
	hub, _ := core.NewHub()
	defer hub.Shutdown(context.Background())
	r := gin.New()
	live, err := ginsse.Stream(hub, core.Topics("orders"))
	if err != nil {
		panic(err)
	}
	r.GET("/orders/live", live)
}
