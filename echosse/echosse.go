package echosse

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/ssekit/ssekit/core"
)

// Router is what SSE registers routes on: *echo.Echo and *echo.Group.
type Router interface {
	Any(path string, handler echo.HandlerFunc, middleware ...echo.MiddlewareFunc) []*echo.Route
}

// SSE registers the three routes of ssekit's HTTP contract under path, as
// core.Mount does for net/http:
//
//	GET  path            the event stream (Stream)
//	GET  path/stats      counters as JSON (Stats)
//	POST path/broadcast  publish over HTTP, off until core.BroadcastAuth (Broadcast)
//
// The same options go to all three. Each route answers 405 to other
// methods, with the same JSON error as core.
func SSE(r Router, path string, hub *core.Hub, opts ...core.RouteOption) {
	stream, stats, broadcast := core.Routes(path)
	r.Any(stream, Stream(hub, opts...))
	r.Any(stats, Stats(hub, opts...))
	r.Any(broadcast, Broadcast(hub, opts...))
}

// Stream returns the stream route alone (core.NewStream), for custom
// routing or per-route middleware:
//
//	e.GET("/feed", echosse.Stream(hub, core.Topics("news")), authMiddleware)
func Stream(hub *core.Hub, opts ...core.RouteOption) echo.HandlerFunc {
	s := core.NewStream(hub, opts...)
	return func(c echo.Context) error {
		s.ServeHTTP(responseWriter{c.Response()}, request(c))
		return nil
	}
}

// Stats returns the stats route alone (core.NewStats).
func Stats(hub *core.Hub, opts ...core.RouteOption) echo.HandlerFunc {
	return wrap(core.NewStats(hub, opts...))
}

// Broadcast returns the broadcast route alone (core.NewBroadcast).
func Broadcast(hub *core.Hub, opts ...core.RouteOption) echo.HandlerFunc {
	return wrap(core.NewBroadcast(hub, opts...))
}

func wrap(h http.Handler) echo.HandlerFunc {
	return func(c echo.Context) error {
		h.ServeHTTP(c.Response(), request(c))
		return nil
	}
}

// responseWriter writes through *echo.Response (so Echo records the status,
// size and commit, and runs its Before hooks) but hides Response.Flush,
// which panics when the writer below cannot flush and swallows flush
// errors. Without it, http.ResponseController (in core) follows Unwrap to
// the writer below: a flush error then ends the stream, per-write deadlines
// reach the connection, and a writer that cannot flush (middleware.Timeout)
// gets a 500 before the stream starts.
type responseWriter struct{ res *echo.Response }

func (w responseWriter) Header() http.Header         { return w.res.Header() }
func (w responseWriter) WriteHeader(status int)      { w.res.WriteHeader(status) }
func (w responseWriter) Write(p []byte) (int, error) { return w.res.Write(p) }
func (w responseWriter) Unwrap() http.ResponseWriter { return w.res.Writer }

type ctxKey struct{}

// request returns c's request carrying c, for Context.
func request(c echo.Context) *http.Request {
	r := c.Request()
	return r.WithContext(context.WithValue(r.Context(), ctxKey{}, c))
}

// Context returns the echo.Context of a request served by this package's
// routes, or nil for any other request. Core hooks (core.Authorize and the
// like) can use it to read what Echo middleware stored with c.Set.
func Context(r *http.Request) echo.Context {
	c, _ := r.Context().Value(ctxKey{}).(echo.Context)
	return c
}
