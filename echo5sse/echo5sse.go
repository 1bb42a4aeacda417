package echo5sse

import (
	"context"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v5"
	"github.com/ssekit/ssekit/core"
)

// Router is what SSE registers routes on: *echo.Echo and *echo.Group.
// SSE uses AddRoute, Echo v5's registration that returns an error instead
// of panicking.
type Router interface {
	AddRoute(route echo.Route) (echo.RouteInfo, error)
}

// SSE registers the three routes of ssekit's HTTP contract under path, as
// core.Mount does for net/http:
//
//	GET  path            the event stream (Stream)
//	GET  path/stats      counters as JSON (Stats)
//	POST path/broadcast  publish over HTTP, off until core.BroadcastAuth (Broadcast)
//
// The same options go to all three. Each route answers 405 to other
// methods, with the same JSON error as core. The error is Echo's, when a
// route cannot be added (for example, it is already taken).
func SSE(r Router, path string, hub *core.Hub, opts ...core.RouteOption) error {
	stream, stats, broadcast := core.Routes(path)
	for _, route := range []echo.Route{
		{Method: echo.RouteAny, Path: stream, Handler: Stream(hub, opts...)},
		{Method: echo.RouteAny, Path: stats, Handler: Stats(hub, opts...)},
		{Method: echo.RouteAny, Path: broadcast, Handler: Broadcast(hub, opts...)},
	} {
		if _, err := r.AddRoute(route); err != nil {
			return fmt.Errorf("echo5sse: %s: %w", route.Path, err)
		}
	}
	return nil
}

// Stream returns the stream route alone (core.NewStream), for custom
// routing or per-route middleware:
//
//	e.GET("/feed", echo5sse.Stream(hub, core.Topics("news")), authMiddleware)
func Stream(hub *core.Hub, opts ...core.RouteOption) echo.HandlerFunc {
	return wrap(core.NewStream(hub, opts...))
}

// Stats returns the stats route alone (core.NewStats).
func Stats(hub *core.Hub, opts ...core.RouteOption) echo.HandlerFunc {
	return wrap(core.NewStats(hub, opts...))
}

// Broadcast returns the broadcast route alone (core.NewBroadcast).
func Broadcast(hub *core.Hub, opts ...core.RouteOption) echo.HandlerFunc {
	return wrap(core.NewBroadcast(hub, opts...))
}

// wrap serves h on the Context's current response writer (middleware such
// as Gzip replace it with c.SetResponse) and its request, which carries c.
func wrap(h http.Handler) echo.HandlerFunc {
	return func(c *echo.Context) error {
		h.ServeHTTP(responseWriter{c.Response()}, request(c))
		return nil
	}
}

// responseWriter writes through the Context's writer (so Echo records the
// status, size and commit, and runs its Before hooks) but skips
// *echo.Response's Flush, which panics when the writer below cannot flush
// and swallows flush errors. http.ResponseController (in core) follows
// Unwrap instead: a flush error then ends the stream, per-write deadlines
// reach the connection, and a writer that cannot flush gets a 500 JSON
// error before the stream starts. A middleware writer (Gzip) keeps its own
// Flush, which flushes the compressor.
type responseWriter struct{ w http.ResponseWriter }

func (w responseWriter) Header() http.Header         { return w.w.Header() }
func (w responseWriter) WriteHeader(status int)      { w.w.WriteHeader(status) }
func (w responseWriter) Write(p []byte) (int, error) { return w.w.Write(p) }
func (w responseWriter) Unwrap() http.ResponseWriter {
	if res, ok := w.w.(*echo.Response); ok {
		return res.ResponseWriter
	}
	return w.w
}

type ctxKey struct{}

// request returns c's request carrying c, for Context.
func request(c *echo.Context) *http.Request {
	r := c.Request()
	return r.WithContext(context.WithValue(r.Context(), ctxKey{}, c))
}

// Context returns the *echo.Context of a request served by this package's
// routes, or nil for any other request. Core hooks (core.Authorize and the
// like) can use it to read what Echo middleware stored with c.Set.
func Context(r *http.Request) *echo.Context {
	c, _ := r.Context().Value(ctxKey{}).(*echo.Context)
	return c
}
