package ginsse

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ssekit/ssekit/core"
)

// errNoContext answers a hook that runs outside this package's routes (for
// example when the options are also given to core.Mount).
var errNoContext = &core.HTTPError{Status: http.StatusInternalServerError, Message: "ginsse: hook used outside a ginsse route"}

// Authorize is core.Authorize with the *gin.Context, so the hook can read
// what authentication middleware stored (c.Get("user")).
func Authorize(fn func(c *gin.Context) (core.Access, error)) core.RouteOption {
	return core.Authorize(func(r *http.Request) (core.Access, error) {
		c := Context(r)
		if c == nil {
			return core.Access{}, errNoContext
		}
		return fn(c)
	})
}

// OnConnect is core.OnConnect with the *gin.Context.
func OnConnect(fn func(conn *core.Conn, c *gin.Context) error) core.RouteOption {
	return core.OnConnect(func(conn *core.Conn, r *http.Request) error {
		c := Context(r)
		if c == nil {
			return errNoContext
		}
		return fn(conn, c)
	})
}

// BroadcastAuth is core.BroadcastAuth with the *gin.Context: it enables the
// broadcast route and authorizes each request (nil error) or rejects it.
func BroadcastAuth(fn func(c *gin.Context) error) core.RouteOption {
	return core.BroadcastAuth(func(r *http.Request) error {
		c := Context(r)
		if c == nil {
			return errNoContext
		}
		return fn(c)
	})
}

// StatsAuth is core.StatsAuth with the *gin.Context.
func StatsAuth(fn func(c *gin.Context) error) core.RouteOption {
	return core.StatsAuth(func(r *http.Request) error {
		c := Context(r)
		if c == nil {
			return errNoContext
		}
		return fn(c)
	})
}

// Skipper reports whether c is an event-stream request (it accepts
// text/event-stream, as EventSource and the ssekit client always do), for
// middleware that breaks or wastes a stream, such as gin-contrib/gzip:
//
//	r.Use(gzip.Gzip(gzip.DefaultCompression, gzip.WithCustomShouldCompressFn(
//		func(c *gin.Context) bool { return !ginsse.Skipper(c) })))
func Skipper(c *gin.Context) bool {
	for _, a := range c.Request.Header.Values("Accept") {
		if core.AcceptsEventStream(a) {
			return true
		}
	}
	return false
}
