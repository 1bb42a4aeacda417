package fiber3sse

import (
	"github.com/gofiber/fiber/v3"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
)

// hooks copy the Access an Authorize hook returns: it may hold strings
// taken from the Ctx, whose buffers fasthttp reuses.
var hooks = ext.Hooks[fiber.Ctx]{Package: "fiber3sse", Context: ext.ContextOf[fiber.Ctx], CopyStrings: true}

// Authorize is core.Authorize with the fiber.Ctx, so the hook can read what
// authentication middleware stored (c.Locals("user")). The Access it
// returns is copied: it may hold strings taken from the Ctx.
func Authorize(fn func(c fiber.Ctx) (core.Access, error)) core.RouteOption {
	return hooks.Authorize(fn)
}

// OnConnect is core.OnConnect with the fiber.Ctx. A string taken from the
// Ctx and kept (conn.SetMeta) must be copied first (strings.Clone).
func OnConnect(fn func(conn *core.Conn, c fiber.Ctx) error) core.RouteOption {
	return hooks.OnConnect(fn)
}

// BroadcastAuth is core.BroadcastAuth with the fiber.Ctx: it enables the
// broadcast route and authorizes each request (nil error) or rejects it.
func BroadcastAuth(fn func(c fiber.Ctx) error) core.RouteOption {
	return hooks.BroadcastAuth(fn)
}

// StatsAuth is core.StatsAuth with the fiber.Ctx.
func StatsAuth(fn func(c fiber.Ctx) error) core.RouteOption {
	return hooks.StatsAuth(fn)
}

// Skipper reports whether c is an event-stream request (any Accept value
// asks for text/event-stream, as EventSource and the ssekit clients always
// do), for the Next of middleware that must not touch a stream. In Fiber
// v3, compress, etag, cache, idempotency and logger's ${resBody} read the
// whole response body after the handler, which for a stream never ends:
// the client gets nothing while the body grows in memory.
//
//	app.Use(compress.New(compress.Config{Next: fiber3sse.Skipper}))
func Skipper(c fiber.Ctx) bool {
	for _, a := range c.Request().Header.PeekAll(fiber.HeaderAccept) {
		if ext.IsEventStream(map[string][]string{"Accept": {string(a)}}) {
			return true
		}
	}
	return false
}
