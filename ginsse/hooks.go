package ginsse

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
)

var hooks = ext.Hooks[*gin.Context]{Package: "ginsse", Context: ext.ContextOf[*gin.Context]}

// Context returns the *gin.Context of a request served by this package's
// routes, or nil for any other request. Core hooks (core.Authorize and the
// like) can use it to read what Gin middleware stored with c.Set.
func Context(r *http.Request) *gin.Context {
	c, _ := ext.ContextOf[*gin.Context](r)
	return c
}

// Authorize is core.Authorize with the *gin.Context, so the hook can read
// what authentication middleware stored (c.Get("user")).
func Authorize(fn func(c *gin.Context) (core.Access, error)) core.RouteOption {
	return hooks.Authorize(fn)
}

// OnConnect is core.OnConnect with the *gin.Context.
func OnConnect(fn func(conn *core.Conn, c *gin.Context) error) core.RouteOption {
	return hooks.OnConnect(fn)
}

// BroadcastAuth is core.BroadcastAuth with the *gin.Context: it enables the
// broadcast route and authorizes each request (nil error) or rejects it.
func BroadcastAuth(fn func(c *gin.Context) error) core.RouteOption {
	return hooks.BroadcastAuth(fn)
}

// StatsAuth is core.StatsAuth with the *gin.Context.
func StatsAuth(fn func(c *gin.Context) error) core.RouteOption {
	return hooks.StatsAuth(fn)
}

// Skipper reports whether c is an event-stream request (it accepts
// text/event-stream, as EventSource and the ssekit clients always do), for
// middleware that breaks or wastes a stream, such as gin-contrib/gzip:
//
//	r.Use(gzip.Gzip(gzip.DefaultCompression, gzip.WithCustomShouldCompressFn(
//		func(c *gin.Context) bool { return !ginsse.Skipper(c) })))
func Skipper(c *gin.Context) bool { return ext.IsEventStream(c.Request.Header) }
