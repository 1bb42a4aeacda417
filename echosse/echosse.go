package echosse

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
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
// The same options go to all three; each route takes those that concern
// it. Each route answers 405 to other methods, with the same JSON error as
// core. An invalid option makes SSE return an error and register nothing.
func SSE(r Router, path string, hub *core.Hub, opts ...core.RouteOption) error {
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
//	feed, err := echosse.Stream(hub, core.Topics("news"))
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

// serve runs a core route with the echo.Context in the request, for hooks.
func serve(h http.Handler) echo.HandlerFunc {
	return func(c echo.Context) error {
		h.ServeHTTP(responseWriter{c.Response()}, ext.WithContext(c.Request(), c))
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
