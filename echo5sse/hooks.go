package echo5sse

import (
	"net/http"

	"github.com/labstack/echo/v5"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
)

var hooks = ext.Hooks[*echo.Context]{Package: "echo5sse", Context: ext.ContextOf[*echo.Context]}

// Context returns the *echo.Context of a request served by this package's
// routes, or nil for any other request. Core hooks (core.Authorize and the
// like) can use it to read what Echo middleware stored with c.Set.
func Context(r *http.Request) *echo.Context {
	c, _ := ext.ContextOf[*echo.Context](r)
	return c
}

// Authorize is core.Authorize with the *echo.Context, so the hook can read
// what authentication middleware stored (c.Get("user")).
func Authorize(fn func(c *echo.Context) (core.Access, error)) core.RouteOption {
	return hooks.Authorize(fn)
}

// OnConnect is core.OnConnect with the *echo.Context.
func OnConnect(fn func(conn *core.Conn, c *echo.Context) error) core.RouteOption {
	return hooks.OnConnect(fn)
}

// BroadcastAuth is core.BroadcastAuth with the *echo.Context: it enables
// the broadcast route and authorizes each request (nil error) or rejects
// it.
func BroadcastAuth(fn func(c *echo.Context) error) core.RouteOption {
	return hooks.BroadcastAuth(fn)
}

// StatsAuth is core.StatsAuth with the *echo.Context.
func StatsAuth(fn func(c *echo.Context) error) core.RouteOption {
	return hooks.StatsAuth(fn)
}

// Skipper is a middleware.Skipper that skips event-stream requests (any
// Accept value asks for text/event-stream, as EventSource and the ssekit
// clients always do), for middleware that breaks or wastes a stream:
// ContextTimeout, Gzip, BodyDump.
//
//	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{Skipper: echo5sse.Skipper}))
func Skipper(c *echo.Context) bool { return ext.IsEventStream(c.Request().Header) }
