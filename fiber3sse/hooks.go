package fiber3sse

import (
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v3"
	"github.com/ssekit/ssekit/core"
)

// errNoContext answers a hook that runs outside this package's routes (for
// example when the options are also given to core.Mount).
var errNoContext = &core.HTTPError{Status: http.StatusInternalServerError, Message: "fiber3sse: hook used outside a fiber3sse route"}

// Authorize is core.Authorize with the fiber.Ctx, so the hook can read
// what authentication middleware stored (c.Locals("user")). The Access it
// returns is copied: it may hold strings taken from the Ctx.
func Authorize(fn func(c fiber.Ctx) (core.Access, error)) core.RouteOption {
	return core.Authorize(func(r *http.Request) (core.Access, error) {
		c := Ctx(r)
		if c == nil {
			return core.Access{}, errNoContext
		}
		a, err := fn(c)
		return cloneAccess(a), err
	})
}

// cloneAccess copies every string of a, since the stream keeps them after
// fasthttp has reused the Ctx's buffers.
func cloneAccess(a core.Access) core.Access {
	a.Identity = strings.Clone(a.Identity)
	if a.Meta != nil {
		m := make(map[string]string, len(a.Meta))
		for k, v := range a.Meta {
			m[strings.Clone(k)] = strings.Clone(v)
		}
		a.Meta = m
	}
	if a.Topics != nil {
		t := make([]string, len(a.Topics))
		for i, s := range a.Topics {
			t[i] = strings.Clone(s)
		}
		a.Topics = t
	}
	return a
}

// OnConnect is core.OnConnect with the fiber.Ctx. A string taken from the
// Ctx and kept (conn.SetMeta) must be copied first (strings.Clone).
func OnConnect(fn func(conn *core.Conn, c fiber.Ctx) error) core.RouteOption {
	return core.OnConnect(func(conn *core.Conn, r *http.Request) error {
		c := Ctx(r)
		if c == nil {
			return errNoContext
		}
		return fn(conn, c)
	})
}

// BroadcastAuth is core.BroadcastAuth with the fiber.Ctx: it enables the
// broadcast route and authorizes each request (nil error) or rejects it.
func BroadcastAuth(fn func(c fiber.Ctx) error) core.RouteOption {
	return core.BroadcastAuth(func(r *http.Request) error {
		c := Ctx(r)
		if c == nil {
			return errNoContext
		}
		return fn(c)
	})
}

// StatsAuth is core.StatsAuth with the fiber.Ctx.
func StatsAuth(fn func(c fiber.Ctx) error) core.RouteOption {
	return core.StatsAuth(func(r *http.Request) error {
		c := Ctx(r)
		if c == nil {
			return errNoContext
		}
		return fn(c)
	})
}

// Skipper reports whether c is an event-stream request (it accepts
// text/event-stream, as EventSource and the ssekit client always do), for
// the Next of middleware that must not touch a stream. In Fiber v3,
// compress, etag, cache, idempotency and logger's ${resBody} read the
// whole response body after the handler, which for a stream never ends:
// the client gets nothing while the body grows in memory.
//
//	app.Use(compress.New(compress.Config{Next: fiber3sse.Skipper}))
func Skipper(c fiber.Ctx) bool {
	for _, v := range c.Request().Header.PeekAll(fiber.HeaderAccept) {
		if core.AcceptsEventStream(string(v)) {
			return true
		}
	}
	return false
}
