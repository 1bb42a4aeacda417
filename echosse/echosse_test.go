package echosse_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/echosse"
)

// newHub returns a hub shut down at cleanup, before the servers close.
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

func newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	return e
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
	e := newEcho()
	if err := echosse.SSE(e.Group("/api"), "/events", hub); err != nil {
		t.Fatal(err)
	}
	var ranMiddleware bool
	mark := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { ranMiddleware = true; return next(c) }
	}
	feedRoute, err := echosse.Stream(hub, core.Topics("news"))
	if err != nil {
		t.Fatal(err)
	}
	e.GET("/feed", feedRoute, mark)
	url := serve(t, hub, e)

	if status, _, body := get(t, url+"/api/events/stats", nil); status != http.StatusOK || !strings.Contains(body, `"connections":0`) {
		t.Fatalf("group stats: %d %s", status, body)
	}
	grouped := open(t, url+"/api/events?topic=news", nil)
	feed := open(t, url+"/feed", nil)
	if !ranMiddleware {
		t.Error("per-route middleware did not run")
	}
	if _, err := hub.Publish(context.Background(), "news", "headline", "x"); err != nil {
		t.Fatal(err)
	}
	if got := grouped.Event(); got != "headline" {
		t.Errorf("group stream got %q", got)
	}
	if got := feed.Event(); got != "headline" {
		t.Errorf("standalone stream got %q", got)
	}
}

func TestHooksReceiveTheEchoContext(t *testing.T) {
	hub := newHub(t)
	e := newEcho()
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if u := c.Request().Header.Get("X-User"); u != "" {
				c.Set("user", u)
			}
			return next(c)
		}
	})
	if err := echosse.SSE(e, "/events", hub,
		echosse.Authorize(func(c echo.Context) (core.Access, error) {
			user, _ := c.Get("user").(string)
			if user == "" {
				return core.Access{}, core.Unauthorized("log in")
			}
			return core.Access{Identity: user, Meta: map[string]string{"user": user}}, nil
		}),
		echosse.OnConnect(func(conn *core.Conn, c echo.Context) error {
			return conn.Send("welcome", c.Get("user"))
		}),
		echosse.BroadcastAuth(func(c echo.Context) error {
			if c.Get("user") != "admin" {
				return core.Forbidden("admins only")
			}
			return nil
		}),
	); err != nil {
		t.Fatal(err)
	}
	url := serve(t, hub, e)

	if status, _, _ := get(t, url+"/events?user=mallory", nil); status != http.StatusUnauthorized {
		t.Errorf("no user: %d, want 401", status)
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
	if err := core.Mount(mux, "/events", hub, echosse.Authorize(func(echo.Context) (core.Access, error) { return core.Access{}, nil })); err != nil {
		t.Fatal(err)
	}
	url := serve(t, hub, mux)
	if status, _, body := get(t, url+"/events", nil); status != http.StatusInternalServerError || !strings.Contains(body, "echosse") {
		t.Errorf("got %d %s, want a 500 naming echosse", status, body)
	}
}

func TestServerWriteTimeoutDoesNotCutTheStream(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(10*time.Millisecond))
	e := newEcho()
	if err := echosse.SSE(e, "/events", hub); err != nil {
		t.Fatal(err)
	}
	const writeTimeout = 100 * time.Millisecond
	url := serve(t, hub, e, func(s *http.Server) { s.WriteTimeout = writeTimeout })
	s := open(t, url+"/events", nil)
	began := time.Now()
	for time.Since(began) < 3*writeTimeout {
		if l := s.Line(); l != ": ping\n" && l != "retry: 3000\n" {
			t.Fatalf("unexpected line %q", l)
		}
	}
}

func TestTimeoutMiddlewareGetsAJSONErrorNotAPanic(t *testing.T) {
	hub := newHub(t)
	e := newEcho()
	e.Use(middleware.TimeoutWithConfig(middleware.TimeoutConfig{Timeout: wait}))
	if err := echosse.SSE(e, "/events", hub); err != nil {
		t.Fatal(err)
	}
	url := serve(t, hub, e)
	status, h, body := get(t, url+"/events", nil)
	if status != http.StatusInternalServerError || h.Get("Content-Type") != "application/json" || !strings.Contains(body, "streaming unsupported") {
		t.Errorf("got %d %q %s", status, h.Get("Content-Type"), body)
	}
	if n := hub.Count(); n != 0 {
		t.Errorf("hub.Count() = %d", n)
	}
}

func TestSkipperKeepsGzipOffTheStream(t *testing.T) {
	hub := newHub(t)
	e := newEcho()
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{Skipper: echosse.Skipper}))
	if err := echosse.SSE(e, "/events", hub); err != nil {
		t.Fatal(err)
	}
	url := serve(t, hub, e)
	s := open(t, url+"/events?topic=t", http.Header{"Accept-Encoding": {"gzip"}})
	if ce := s.Response().Header.Get("Content-Encoding"); ce != "" {
		t.Fatalf("stream Content-Encoding %q", ce)
	}
	if _, err := hub.Publish(context.Background(), "t", "plain", nil); err != nil {
		t.Fatal(err)
	}
	if got := s.Event(); got != "plain" {
		t.Errorf("got %q", got)
	}
	if _, h, _ := get(t, url+"/events/stats", http.Header{"Accept-Encoding": {"gzip"}}); h.Get("Content-Encoding") != "gzip" {
		t.Error("the Skipper skipped a request that is not a stream")
	}
}

func TestContextIsNilOutsideEchosse(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if c := echosse.Context(r); c != nil {
		t.Errorf("Context = %v", c)
	}
}

// Without the Skipper, Gzip compresses the stream, and each batch still
// reaches the client at once: Gzip's Flush flushes the compressor.
func TestGzipWithoutSkipperStillStreams(t *testing.T) {
	hub := newHub(t)
	e := newEcho()
	e.Use(middleware.Gzip())
	if err := echosse.SSE(e, "/events", hub); err != nil {
		t.Fatal(err)
	}
	url := serve(t, hub, e)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/events?topic=t", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ce := resp.Header.Get("Content-Encoding"); ce != "gzip" {
		t.Fatalf("Content-Encoding %q", ce)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 16)
	go func() {
		defer close(lines)
		r := bufio.NewReader(zr)
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return
			}
			lines <- l
		}
	}()
	next := func() string {
		select {
		case l := <-lines:
			return l
		case <-time.After(wait):
			t.Fatal("no line through gzip")
		}
		return ""
	}
	if l := next(); l != ": connected\n" {
		t.Fatalf("first line %q", l)
	}
	if _, err := hub.Publish(context.Background(), "t", "zipped", nil); err != nil {
		t.Fatal(err)
	}
	for l := next(); l != "event: zipped\n"; l = next() {
	}
	cancel()
	for range lines {
	}
}
