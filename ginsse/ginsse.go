package ginsse

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
)

// SSE registers the three routes of ssekit's HTTP contract under path on an
// engine or a router group, as core.Mount does for net/http:
//
//	GET  path            the event stream (Stream)
//	GET  path/stats      counters as JSON (Stats)
//	POST path/broadcast  publish over HTTP, off until core.BroadcastAuth (Broadcast)
//
// The same options go to all three; each route takes those that concern
// it. Each route answers 405 to other methods, with the same JSON error as
// core. An invalid option makes SSE return an error and register nothing.
func SSE(r gin.IRoutes, path string, hub *core.Hub, opts ...core.RouteOption) error {
	m, err := ext.NewMount(path, hub, opts...)
	if err != nil {
		return err
	}
	r.Any(m.StreamPath, serve(m.Stream))
	r.Any(m.StatsPath, serve(m.Stats))
	r.Any(m.BroadcastPath, serve(m.Broadcast))
	return nil
}

// Stream returns the stream route alone (core.NewStream), for custom
// routing or per-route middleware:
//
//	feed, err := ginsse.Stream(hub, core.Topics("news"))
//	r.GET("/feed", authMiddleware, feed)
func Stream(hub *core.Hub, opts ...core.RouteOption) (gin.HandlerFunc, error) {
	s, err := core.NewStream(hub, opts...)
	if err != nil {
		return nil, err
	}
	return serve(s), nil
}

// Stats returns the stats route alone (core.NewStats).
func Stats(hub *core.Hub, opts ...core.RouteOption) (gin.HandlerFunc, error) {
	h, err := core.NewStats(hub, opts...)
	if err != nil {
		return nil, err
	}
	return serve(h), nil
}

// Broadcast returns the broadcast route alone (core.NewBroadcast).
func Broadcast(hub *core.Hub, opts ...core.RouteOption) (gin.HandlerFunc, error) {
	h, err := core.NewBroadcast(hub, opts...)
	if err != nil {
		return nil, err
	}
	return serve(h), nil
}

// serve runs a core route with gin's writer (it records the status and
// size, flushes through any middleware writer above it, and unwraps to the
// connection for http.ResponseController's per-write deadlines), and the
// *gin.Context in the request, for hooks.
func serve(h http.Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		h.ServeHTTP(c.Writer, ext.WithContext(c.Request, c))
	}
}
