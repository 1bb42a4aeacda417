package echo5sse

import (
	"net/http"

	"github.com/labstack/echo/v5"
	"github.com/ssekit/ssekit/core"
)

// errNoContext answers a hook that runs outside this package's routes (for
// example when the options are also given to core.Mount).
var errNoContext = &core.HTTPError{Status: http.StatusInternalServerError, Message: "echo5sse: hook used outside an echo5sse route"}

// Authorize is core.Authorize with the *echo.Context, so the hook can read
// what authentication middleware stored (c.Get("user")).
func Authorize(fn func(c *echo.Context) (core.Access, error)) core.RouteOption {
	return core.Authorize(func(r *http.Request) (core.Access, error) {
		c := Context(r)
		if c == nil {
			return core.Access{}, errNoContext
		}
		return fn(c)
	})
}

// OnConnect is core.OnConnect with the *echo.Context.
func OnConnect(fn func(conn *core.Conn, c *echo.Context) error) core.RouteOption {
	return core.OnConnect(func(conn *core.Conn, r *http.Request) error {
		c := Context(r)
		if c == nil {
			return errNoContext
		}
		return fn(conn, c)
	})
}

// BroadcastAuth is core.BroadcastAuth with the *echo.Context: it enables the
// broadcast route and authorizes each request (nil error) or rejects it.
func BroadcastAuth(fn func(c *echo.Context) error) core.RouteOption {
	return core.BroadcastAuth(func(r *http.Request) error {
		c := Context(r)
		if c == nil {
			return errNoContext
		}
		return fn(c)
	})
}

// StatsAuth is core.StatsAuth with the *echo.Context.
func StatsAuth(fn func(c *echo.Context) error) core.RouteOption {
	return core.StatsAuth(func(r *http.Request) error {
		c := Context(r)
		if c == nil {
			return errNoContext
		}
		return fn(c)
	})
}

// Skipper is a middleware.Skipper that skips event-stream requests (those
// that accept text/event-stream, as EventSource and the ssekit client
// always do), for middleware that breaks or wastes a stream: ContextTimeout,
// Gzip, BodyDump.
//
//	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{Skipper: echo5sse.Skipper}))
func Skipper(c *echo.Context) bool {
	for _, a := range c.Request().Header.Values("Accept") {
		if core.AcceptsEventStream(a) {
			return true
		}
	}
	return false
}
