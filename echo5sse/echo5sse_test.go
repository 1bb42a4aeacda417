package echo5sse_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v5"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/echo5sse"
)

// newHub returns a hub without heartbeat or shutdown jitter.
func newHub(t *testing.T, opts ...core.HubOption) *core.Hub {
	t.Helper()
	hub, err := core.NewHub(append([]core.HubOption{core.WithHeartbeat(0), core.WithShutdownSpread(0)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return hub
}

// serve starts h on loopback; at cleanup the hub ends its streams, then
// the server closes.
func serve(t *testing.T, hub *core.Hub, h http.Handler, configure ...func(*http.Server)) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	for _, f := range configure {
		f(srv.Config)
	}
	srv.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := hub.Shutdown(ctx); err != nil {
			t.Errorf("hub shutdown: %v", err)
		}
		srv.Close()
	})
	return srv.URL
}

// mount is echo5sse.SSE that fails the test on an error.
func mount(t *testing.T, r echo5sse.Router, hub *core.Hub, opts ...core.RouteOption) {
	t.Helper()
	if err := echo5sse.SSE(r, "/events", hub, opts...); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, url string, header http.Header) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestSSEMountsOnAGroupAndStreamStandsAlone(t *testing.T) {
	hub := newHub(t)
	e := echo.New()
	mount(t, e.Group("/api"), hub)
	var ranMiddleware bool
	mark := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error { ranMiddleware = true; return next(c) }
	}
	feed, err := echo5sse.Stream(hub, core.Topics("news"))
	if err != nil {
		t.Fatal(err)
	}
	e.GET("/feed", feed, mark)
	url := serve(t, hub, e)

	if status, _, body := get(t, url+"/api/events/stats", nil); status != http.StatusOK || !strings.Contains(body, `"connections":0`) {
		t.Fatalf("group stats: %d %s", status, body)
	}
	grouped := open(t, url+"/api/events?topic=news", nil)
	fed := open(t, url+"/feed", nil)
	if !ranMiddleware {
		t.Error("per-route middleware did not run")
	}
	if _, err := hub.Publish(context.Background(), "news", "headline", "x"); err != nil {
		t.Fatal(err)
	}
	if got := grouped.Event(); got != "headline" {
		t.Errorf("group stream got %q", got)
	}
	if got := fed.Event(); got != "headline" {
		t.Errorf("standalone stream got %q", got)
	}
}

// Echo v5 refuses a route through AddRoute's error; SSE returns it
// instead of panicking as e.Any would.
func TestSSEReturnsTheRouteError(t *testing.T) {
	hub := newHub(t)
	defer hub.Shutdown(context.Background())
	e := echo.New()
	refused := errors.New("no more routes")
	e.OnAddRoute = func(r echo.Route) error {
		if strings.HasSuffix(r.Path, "/broadcast") {
			return refused
		}
		return nil
	}
	err := echo5sse.SSE(e, "/events", hub)
	if !errors.Is(err, refused) || !strings.HasPrefix(err.Error(), "echo5sse: /events/broadcast") {
		t.Errorf("SSE = %v, want the route's error prefixed with the package and path", err)
	}
}

// An invalid route option is core's error, and nothing is registered.
func TestSSEWithAnInvalidOptionRegistersNothing(t *testing.T) {
	hub := newHub(t)
	defer hub.Shutdown(context.Background())
	e := echo.New()
	if err := echo5sse.SSE(e, "/events", hub, core.MaxBodyBytes(-1)); err == nil {
		t.Fatal("SSE with MaxBodyBytes(-1) returned nil")
	}
	if routes := e.Router().Routes(); len(routes) != 0 {
		t.Errorf("routes registered: %v", routes)
	}
}

func TestHooksReceiveTheEchoContext(t *testing.T) {
	hub := newHub(t)
	e := echo.New()
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			if u := c.Request().Header.Get("X-User"); u != "" {
				c.Set("user", u)
			}
			return next(c)
		}
	})
	mount(t, e, hub,
		echo5sse.Authorize(func(c *echo.Context) (core.Access, error) {
			user, _ := c.Get("user").(string)
			if user == "" {
				return core.Access{}, core.Unauthorized("log in")
			}
			return core.Access{Identity: user, Meta: map[string]string{"user": user}}, nil
		}),
		echo5sse.OnConnect(func(conn *core.Conn, c *echo.Context) error {
			return conn.Send("welcome", c.Get("user"))
		}),
		echo5sse.BroadcastAuth(func(c *echo.Context) error {
			if c.Get("user") != "admin" {
				return core.Forbidden("admins only")
			}
			return nil
		}),
		echo5sse.StatsAuth(func(c *echo.Context) error {
			if c.Get("user") == nil {
				return core.Unauthorized("log in")
			}
			return nil
		}),
	)
	url := serve(t, hub, e)

	if status, _, _ := get(t, url+"/events?user=mallory", nil); status != http.StatusUnauthorized {
		t.Errorf("no user: %d, want 401", status)
	}
	if status, _, _ := get(t, url+"/events/stats", nil); status != http.StatusUnauthorized {
		t.Errorf("stats without user: %d, want 401", status)
	}
	s := open(t, url+"/events?user=mallory", http.Header{"X-User": {"ann"}})
	if got := s.Event(); got != "welcome" {
		t.Errorf("OnConnect event %q", got)
	}
	if n := hub.CountWhere(core.Match{"user": "ann"}); n != 1 {
		t.Errorf("streams of user ann: %d (trusted metadata must beat the query)", n)
	}
	for user, want := range map[string]int{"ann": http.StatusForbidden, "admin": http.StatusAccepted} {
		req, _ := http.NewRequest(http.MethodPost, url+"/events/broadcast", strings.NewReader(`{"event":"hi"}`))
		req.Header.Set("X-User", user)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("broadcast as %s: %d, want %d", user, resp.StatusCode, want)
		}
	}
}

func TestEchoHookOutsideAnEchoRouteIsAnError(t *testing.T) {
	hub := newHub(t)
	mux := http.NewServeMux()
	core.Mount(mux, "/events", hub, echo5sse.Authorize(func(*echo.Context) (core.Access, error) { return core.Access{}, nil }))
	url := serve(t, hub, mux)
	if status, _, body := get(t, url+"/events", nil); status != http.StatusInternalServerError || !strings.Contains(body, "echo5sse") {
		t.Errorf("got %d %s, want a 500 naming echo5sse", status, body)
	}
	if c := echo5sse.Context(httptest.NewRequest(http.MethodGet, "/", nil)); c != nil {
		t.Errorf("Context outside echo5sse = %v", c)
	}
}
