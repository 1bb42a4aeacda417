package conformance_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/gofiber/fiber/v2"
	fiber3 "github.com/gofiber/fiber/v3"
	"github.com/labstack/echo/v4"
	echo5 "github.com/labstack/echo/v5"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/echo5sse"
	"github.com/ssekit/ssekit/echosse"
	"github.com/ssekit/ssekit/fiber3sse"
	"github.com/ssekit/ssekit/fibersse"
	"github.com/ssekit/ssekit/ginsse"
)

// A mount serves a hub's routes, with the given options, on a real
// loopback server.
type mount struct {
	name  string
	serve func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) served
	// stopEndsStreams: stopping the server alone ends open streams.
	stopEndsStreams bool
	// hubOpts are added to the hub options of every test (the detached
	// mounts run the whole suite with core.WithDetachedStreams).
	hubOpts []core.HubOption
	// detach, when set, is serve for the mount's detached variant (an app
	// that must be told to let streams go: Fiber's KeepHijackedConns).
	detach func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) served
}

// served is a running server of a mount.
type served struct {
	// url is where the routes live: url+"/events" is the stream.
	url string
	// stop stops the server; the suite ends the hub's streams first,
	// except where the mount's stopEndsStreams is tested.
	stop func(context.Context) error
	// client talks to the server; nil means plain HTTP/1.1 without
	// keep-alive.
	client *http.Client
	// h2 is set when the client speaks HTTP/2.
	h2 bool
}

// mounts is every way of serving ssekit; each test runs against each.
var mounts = []mount{
	{name: "nethttp", serve: func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) served {
		return serveHTTP(t, netHTTP(hub, opts), false)
	}},
	{name: "nethttp-h2", serve: func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) served {
		return serveHTTP(t, netHTTP(hub, opts), true)
	}},
	{name: "echo", serve: func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) served {
		e := newEcho()
		if err := echosse.SSE(e, "/events", hub, opts...); err != nil {
			panic(err)
		}
		return serveHTTP(t, e, false)
	}},
	{name: "echo-group", serve: func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) served {
		e := newEcho()
		if err := echosse.SSE(e.Group("/api"), "/events", hub, opts...); err != nil {
			panic(err)
		}
		return under(serveHTTP(t, e, false), "/api")
	}},
	{name: "echo-h2", serve: func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) served {
		e := newEcho()
		if err := echosse.SSE(e, "/events", hub, opts...); err != nil {
			panic(err)
		}
		return serveHTTP(t, e, true)
	}},
	{name: "echo5", serve: func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) served {
		e := echo5.New()
		must(t, echo5sse.SSE(e, "/events", hub, opts...))
		return serveHTTP(t, e, false)
	}},
	{name: "echo5-group", serve: func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) served {
		e := echo5.New()
		must(t, echo5sse.SSE(e.Group("/api"), "/events", hub, opts...))
		return under(serveHTTP(t, e, false), "/api")
	}},
	{name: "echo5-h2", serve: func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) served {
		e := echo5.New()
		must(t, echo5sse.SSE(e, "/events", hub, opts...))
		return serveHTTP(t, e, true)
	}},
	{name: "gin", serve: func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) served {
		r := gin.New()
		if err := ginsse.SSE(r, "/events", hub, opts...); err != nil {
			panic(err)
		}
		return serveHTTP(t, r, false)
	}},
	{name: "gin-group", serve: func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) served {
		r := gin.New()
		if err := ginsse.SSE(r.Group("/api"), "/events", hub, opts...); err != nil {
			panic(err)
		}
		return under(serveHTTP(t, r, false), "/api")
	}},
	{name: "gin-h2", serve: func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) served {
		r := gin.New()
		if err := ginsse.SSE(r, "/events", hub, opts...); err != nil {
			panic(err)
		}
		return serveHTTP(t, r, true)
	}},
	{name: "fiber", stopEndsStreams: true, serve: fiberMount("", false), detach: fiberMount("", true)},
	{name: "fiber-group", stopEndsStreams: true, serve: fiberMount("/api", false), detach: fiberMount("/api", true)},
	{name: "fiber3", stopEndsStreams: true, serve: fiber3Mount("", false), detach: fiber3Mount("", true)},
	{name: "fiber3-group", stopEndsStreams: true, serve: fiber3Mount("/api", false), detach: fiber3Mount("/api", true)},
}

// detached is every mount again, with streams detached from their
// goroutines (core.WithDetachedStreams; the Fiber apps keep hijacked
// connections); the HTTP/2 mounts check that those streams keep the
// goroutine path. A detached stream is no longer the server's: stopping
// the server does not end it, the hub's Shutdown does.
var detached = []string{"nethttp", "nethttp-h2", "echo", "echo-group", "echo-h2", "echo5", "echo5-group", "echo5-h2", "gin", "gin-group", "gin-h2",
	"fiber", "fiber-group", "fiber3", "fiber3-group"}

func init() {
	gin.SetMode(gin.ReleaseMode)
	for _, m := range mounts[:len(mounts):len(mounts)] {
		if slices.Contains(detached, m.name) {
			m.name += "-detached"
			m.hubOpts = []core.HubOption{core.WithDetachedStreams()}
			m.stopEndsStreams = false
			if m.detach != nil {
				m.serve = m.detach
			}
			mounts = append(mounts, m)
		}
	}
}

// fiberMount serves the routes on a Fiber v2 app, under prefix on a group
// when it is set; keep lets the app detach streams.
func fiberMount(prefix string, keep bool) func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) served {
	return func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) served {
		app := newFiber()
		if keep {
			fibersse.KeepHijackedConns(app)
		}
		var r fiber.Router = app
		if prefix != "" {
			r = app.Group(prefix)
		}
		must(t, fibersse.SSE(r, "/events", hub, opts...))
		return under(serveFiber(t, app), prefix)
	}
}

// fiber3Mount is fiberMount on Fiber v3.
func fiber3Mount(prefix string, keep bool) func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) served {
	return func(t testing.TB, hub *core.Hub, opts ...core.RouteOption) served {
		app := newFiber3()
		if keep {
			fiber3sse.KeepHijackedConns(app)
		}
		var r fiber3.Router = app
		if prefix != "" {
			r = app.Group(prefix)
		}
		must(t, fiber3sse.SSE(r, "/events", hub, opts...))
		return under(serveFiber3(t, app), prefix)
	}
}

// must fails t when a mount's SSE returns an error.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func netHTTP(hub *core.Hub, opts []core.RouteOption) http.Handler {
	mux := http.NewServeMux()
	if err := core.Mount(mux, "/events", hub, opts...); err != nil {
		panic(err)
	}
	return mux
}

func newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	return e
}

func newFiber() *fiber.App { return fiber.New(fiber.Config{DisableStartupMessage: true}) }

func newFiber3() *fiber3.App { return fiber3.New(fiber3.Config{ErrorHandler: fiber3sse.ErrorHandler}) }

// under moves s's routes under a path prefix.
func under(s served, prefix string) served {
	s.url += prefix
	return s
}

// serveHTTP serves h with net/http: HTTP/1.1, or HTTP/2 over TLS.
func serveHTTP(t testing.TB, h http.Handler, h2 bool) served {
	srv := httptest.NewUnstartedServer(h)
	var client *http.Client
	if h2 {
		srv.EnableHTTP2 = true
		srv.StartTLS()
		client = srv.Client()
	} else {
		srv.Start()
	}
	var once sync.Once
	var err error
	stop := func(ctx context.Context) error {
		once.Do(func() {
			err = srv.Config.Shutdown(ctx)
			srv.Close()
		})
		return err
	}
	return served{url: srv.URL, stop: stop, client: client, h2: h2}
}

// serveFiber serves app with fasthttp (HTTP/1.1 only).
func serveFiber(t testing.TB, app *fiber.App) served {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Listener(ln) }()
	var once sync.Once
	var stopErr error
	stop := func(ctx context.Context) error {
		once.Do(func() {
			if stopErr = app.ShutdownWithContext(ctx); stopErr == nil {
				stopErr = <-done
			}
		})
		return stopErr
	}
	return served{url: "http://" + ln.Addr().String(), stop: stop}
}

// serveFiber3 serves a Fiber v3 app with fasthttp (HTTP/1.1 only).
func serveFiber3(t testing.TB, app *fiber3.App) served {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Listener(ln, fiber3.ListenConfig{DisableStartupMessage: true}) }()
	var once sync.Once
	var stopErr error
	stop := func(ctx context.Context) error {
		once.Do(func() {
			if stopErr = app.ShutdownWithContext(ctx); stopErr == nil {
				stopErr = <-done
			}
		})
		return stopErr
	}
	return served{url: "http://" + ln.Addr().String(), stop: stop}
}
