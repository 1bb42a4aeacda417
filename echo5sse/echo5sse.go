package echo5sse

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v5"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
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
// The same options go to all three; each route takes those that concern
// it. Each route answers 405 to other methods, with the same JSON error as
// core. An invalid option makes SSE return an error and register nothing;
// a route Echo refuses (AddRoute's error, say a path already taken) is
// returned too, with the routes before it registered.
func SSE(r Router, path string, hub *core.Hub, opts ...core.RouteOption) error {
	m, err := ext.NewMount(path, hub, opts...)
	if err != nil {
		return err
	}
	for _, route := range []echo.Route{
		{Method: echo.RouteAny, Path: m.StreamPath, Handler: serve(m.Stream)},
		{Method: echo.RouteAny, Path: m.StatsPath, Handler: serve(m.Stats)},
		{Method: echo.RouteAny, Path: m.BroadcastPath, Handler: serve(m.Broadcast)},
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
//	feed, err := echo5sse.Stream(hub, core.Topics("news"))
//	e.GET("/feed", feed, authMiddleware)
func Stream(hub *core.Hub, opts ...core.RouteOption) (echo.HandlerFunc, error) {
	s, err := core.NewStream(hub, opts...)
	if err != nil {
		return nil, err
	}
	return serve(s), nil
}

// Stats returns the stats route alone (core.NewStats).
func Stats(hub *core.Hub, opts ...core.RouteOption) (echo.HandlerFunc, error) {
	h, err := core.NewStats(hub, opts...)
	if err != nil {
		return nil, err
	}
	return serve(h), nil
}

// Broadcast returns the broadcast route alone (core.NewBroadcast).
func Broadcast(hub *core.Hub, opts ...core.RouteOption) (echo.HandlerFunc, error) {
	h, err := core.NewBroadcast(hub, opts...)
	if err != nil {
		return nil, err
	}
	return serve(h), nil
}

// serve runs a core route on the Context's current response writer
// (middleware such as Gzip replace it with c.SetResponse), with the
// *echo.Context in the request, for hooks.
func serve(h http.Handler) echo.HandlerFunc {
	return func(c *echo.Context) error {
		h.ServeHTTP(responseWriter{c.Response()}, ext.WithContext(c.Request(), c))
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
