package ginsse

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ssekit/ssekit/core"
)

// SSE registers the three routes of ssekit's HTTP contract under path on an
// engine or a router group, as core.Mount does for net/http:
//
//	GET  path            the event stream (Stream)
//	GET  path/stats      counters as JSON (Stats)
//	POST path/broadcast  publish over HTTP, off until core.BroadcastAuth (Broadcast)
//
// The same options go to all three. Each route answers 405 to other
// methods, with the same JSON error as core.
func SSE(r gin.IRoutes, path string, hub *core.Hub, opts ...core.RouteOption) {
	stream, stats, broadcast := core.Routes(path)
	r.Any(stream, Stream(hub, opts...))
	r.Any(stats, Stats(hub, opts...))
	r.Any(broadcast, Broadcast(hub, opts...))
}

// Stream returns the stream route alone (core.NewStream), for custom
// routing or per-route middleware:
//
//	r.GET("/feed", authMiddleware, ginsse.Stream(hub, core.Topics("news")))
func Stream(hub *core.Hub, opts ...core.RouteOption) gin.HandlerFunc {
	return wrap(core.NewStream(hub, opts...))
}

// Stats returns the stats route alone (core.NewStats).
func Stats(hub *core.Hub, opts ...core.RouteOption) gin.HandlerFunc {
	return wrap(core.NewStats(hub, opts...))
}

// Broadcast returns the broadcast route alone (core.NewBroadcast).
func Broadcast(hub *core.Hub, opts ...core.RouteOption) gin.HandlerFunc {
	return wrap(core.NewBroadcast(hub, opts...))
}

// wrap serves h with gin's writer: it records the status and size, flushes
// through any middleware writer above it, and unwraps to the connection for
// http.ResponseController's per-write deadlines.
func wrap(h http.Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := c.Request
		h.ServeHTTP(c.Writer, r.WithContext(context.WithValue(r.Context(), ctxKey{}, c)))
	}
}

type ctxKey struct{}

// Context returns the *gin.Context of a request served by this package's
// routes, or nil for any other request. Core hooks (core.Authorize and the
// like) can use it to read what Gin middleware stored with c.Set.
func Context(r *http.Request) *gin.Context {
	c, _ := r.Context().Value(ctxKey{}).(*gin.Context)
	return c
}
