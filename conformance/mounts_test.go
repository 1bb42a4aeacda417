package conformance_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/gofiber/fiber/v2"
	"github.com/labstack/echo/v4"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/echosse"
	"github.com/ssekit/ssekit/fibersse"
	"github.com/ssekit/ssekit/ginsse"
)

// A mount serves hub's routes with opts on a real loopback server and
// returns the URL under which they live (url+"/events" is the stream) and a
// function that stops the server (after the hub's streams have ended,
// except where stopEndsStreams).
type mount struct {
	name  string
	serve func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) (url string, stop func(context.Context) error)
	// stopEndsStreams: stopping the server alone ends open streams.
	stopEndsStreams bool
}

// mounts is every way of serving ssekit; each test runs against each.
var mounts = []mount{
	{name: "nethttp", serve: func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) (string, func(context.Context) error) {
		mux := http.NewServeMux()
		core.Mount(mux, "/events", hub, opts...)
		return serveHTTP(t, mux)
	}},
	{name: "echo", serve: func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) (string, func(context.Context) error) {
		e := echo.New()
		e.HideBanner, e.HidePort = true, true
		echosse.SSE(e, "/events", hub, opts...)
		return serveHTTP(t, e)
	}},
	{name: "gin", serve: func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) (string, func(context.Context) error) {
		r := gin.New()
		ginsse.SSE(r, "/events", hub, opts...)
		return serveHTTP(t, r)
	}},
	{name: "echo-group", serve: func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) (string, func(context.Context) error) {
		e := echo.New()
		e.HideBanner, e.HidePort = true, true
		echosse.SSE(e.Group("/api"), "/events", hub, opts...)
		url, stop := serveHTTP(t, e)
		return url + "/api", stop
	}},
	{name: "gin-group", serve: func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) (string, func(context.Context) error) {
		r := gin.New()
		ginsse.SSE(r.Group("/api"), "/events", hub, opts...)
		url, stop := serveHTTP(t, r)
		return url + "/api", stop
	}},
	{name: "fiber", stopEndsStreams: true, serve: func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) (string, func(context.Context) error) {
		app := fiber.New(fiber.Config{DisableStartupMessage: true})
		fibersse.SSE(app, "/events", hub, opts...)
		return serveFiber(t, app)
	}},
	{name: "fiber-group", stopEndsStreams: true, serve: func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) (string, func(context.Context) error) {
		app := fiber.New(fiber.Config{DisableStartupMessage: true})
		fibersse.SSE(app.Group("/api"), "/events", hub, opts...)
		url, stop := serveFiber(t, app)
		return url + "/api", stop
	}},
}

func serveFiber(t testing.TB, app *fiber.App) (string, func(context.Context) error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	var once sync.Once
	var stopErr error
	stop := func(ctx context.Context) error {
		once.Do(func() {
			if stopErr = app.ShutdownWithContext(ctx); stopErr == nil {
				stopErr = <-served
			}
		})
		return stopErr
	}
	return "http://" + ln.Addr().String(), stop
}

func init() { gin.SetMode(gin.ReleaseMode) }

func serveHTTP(t testing.TB, h http.Handler) (string, func(context.Context) error) {
	srv := httptest.NewServer(h)
	var once sync.Once
	var err error
	stop := func(ctx context.Context) error {
		once.Do(func() {
			err = srv.Config.Shutdown(ctx)
			srv.Close()
		})
		return err
	}
	return srv.URL, stop
}
