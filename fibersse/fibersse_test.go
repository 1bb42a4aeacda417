package fibersse_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/etag"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
	"github.com/ssekit/ssekit/fibersse"
)

func newHub(t *testing.T, opts ...core.HubOption) *core.Hub {
	t.Helper()
	hub, err := core.NewHub(append([]core.HubOption{core.WithHeartbeat(0), core.WithShutdownSpread(0)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return hub
}

func newApp(cfg ...fiber.Config) *fiber.App {
	c := fiber.Config{DisableStartupMessage: true}
	if len(cfg) > 0 {
		c = cfg[0]
		c.DisableStartupMessage = true
	}
	return fiber.New(c)
}

// serve runs app on loopback; at cleanup the hub ends its streams, then
// the app shuts down.
func serve(t *testing.T, hub *core.Hub, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := hub.Shutdown(ctx); err != nil {
			t.Errorf("hub shutdown: %v", err)
		}
		if err := app.ShutdownWithContext(ctx); err != nil {
			t.Errorf("app shutdown: %v", err)
		}
		<-served
		http.DefaultClient.CloseIdleConnections()
	})
	return "http://" + ln.Addr().String()
}

func do(t *testing.T, method, url string, header http.Header, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestSSEMountsOnAGroupAndStreamStandsAlone(t *testing.T) {
	hub := newHub(t)
	app := newApp()
	if err := fibersse.SSE(app.Group("/api"), "/events", hub); err != nil {
		t.Fatal(err)
	}
	var ranMiddleware bool
	feedRoute, err := fibersse.Stream(hub, core.Topics("news"))
	if err != nil {
		t.Fatal(err)
	}
	app.Get("/feed", func(c *fiber.Ctx) error { ranMiddleware = true; return c.Next() }, feedRoute)
	url := serve(t, hub, app)

	if status, body := do(t, http.MethodGet, url+"/api/events/stats", nil, ""); status != http.StatusOK || !strings.Contains(body, `"connections":0`) {
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

func TestHooksReceiveTheFiberCtx(t *testing.T) {
	hub := newHub(t)
	app := newApp()
	app.Use(func(c *fiber.Ctx) error {
		if u := c.Get("X-User"); u != "" {
			c.Locals("user", u) // not copied: valid only in the handler
		}
		return c.Next()
	})
	if err := fibersse.SSE(app, "/events", hub,
		fibersse.Authorize(func(c *fiber.Ctx) (core.Access, error) {
			user, _ := c.Locals("user").(string)
			if user == "" {
				return core.Access{}, core.Unauthorized("log in")
			}
			return core.Access{Identity: user, Meta: map[string]string{"user": user}}, nil
		}),
		fibersse.OnConnect(func(conn *core.Conn, c *fiber.Ctx) error {
			return conn.Send("welcome", c.Locals("user"))
		}),
		fibersse.BroadcastAuth(func(c *fiber.Ctx) error {
			if c.Locals("user") != "admin" {
				return core.Forbidden("admins only")
			}
			return nil
		}),
	); err != nil {
		t.Fatal(err)
	}
	url := serve(t, hub, app)

	if status, _ := do(t, http.MethodGet, url+"/events?user=mallory", nil, ""); status != http.StatusUnauthorized {
		t.Errorf("no user: %d, want 401", status)
	}
	s := open(t, url+"/events?user=mallory", http.Header{"X-User": {"ann"}})
	if got := s.Event(); got != "welcome" {
		t.Errorf("OnConnect event %q", got)
	}
	// Other requests reuse fasthttp's buffers: the stream's identity and
	// metadata must be copies.
	for _, user := range []string{"bob", "admin"} {
		do(t, http.MethodPost, url+"/events/broadcast", http.Header{"X-User": {user}}, `{"event":"hi"}`)
	}
	if n := hub.CountWhere(core.Match{"user": "ann"}); n != 1 {
		t.Errorf("streams of user ann: %d (trusted metadata must beat the query)", n)
	}
	if conns := hub.Conns(nil); len(conns) != 1 || conns[0].Identity() != "ann" {
		t.Errorf("identity of the stream changed: %v", conns)
	}
	for user, want := range map[string]int{"ann": http.StatusForbidden, "admin": http.StatusAccepted} {
		if status, body := do(t, http.MethodPost, url+"/events/broadcast", http.Header{"X-User": {user}}, `{"event":"hi"}`); status != want {
			t.Errorf("broadcast as %s: %d %s, want %d", user, status, body, want)
		}
	}
}

func TestFiberHookOutsideAFiberRouteIsAnError(t *testing.T) {
	hub, err := core.NewHub()
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Shutdown(context.Background())
	s, err := core.NewStream(hub, fibersse.Authorize(func(*fiber.Ctx) (core.Access, error) { return core.Access{}, nil }))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := http.NewRequest(http.MethodGet, "/events", nil)
	if _, err := ext.Accept(s, r); err == nil || !strings.Contains(err.Error(), "fibersse") {
		t.Errorf("Accept = %v, want an error naming fibersse", err)
	}
	if c := fibersse.Context(r); c != nil {
		t.Errorf("Ctx outside fibersse = %v", c)
	}
}

// fasthttp sets one write deadline for a whole response; the stream moves
// it forward before each batch.
func TestWriteTimeoutDoesNotCutTheStream(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(10*time.Millisecond))
	const writeTimeout = 100 * time.Millisecond
	app := newApp(fiber.Config{WriteTimeout: writeTimeout})
	if err := fibersse.SSE(app, "/events", hub); err != nil {
		t.Fatal(err)
	}
	url := serve(t, hub, app)
	s := open(t, url+"/events", nil)
	began := time.Now()
	for time.Since(began) < 3*writeTimeout {
		if l := s.Line(); l != ": ping\n" && l != "retry: 3000\n" {
			t.Fatalf("unexpected line %q", l)
		}
	}
}

// etag reads the whole body after the handler, which never ends for a
// stream; Skipper in its Next keeps it off the stream.
func TestSkipperKeepsBodyReadingMiddlewareOffTheStream(t *testing.T) {
	hub := newHub(t)
	app := newApp()
	app.Use(etag.New(etag.Config{Next: fibersse.Skipper}))
	if err := fibersse.SSE(app, "/events", hub); err != nil {
		t.Fatal(err)
	}
	url := serve(t, hub, app)
	s := open(t, url+"/events?topic=t", nil)
	if _, err := hub.Publish(context.Background(), "t", "through", nil); err != nil {
		t.Fatal(err)
	}
	if got := s.Event(); got != "through" {
		t.Errorf("got %q", got)
	}
}

func TestErrorsAreCoreJSON(t *testing.T) {
	hub := newHub(t)
	app := newApp()
	if err := fibersse.SSE(app, "/events", hub); err != nil {
		t.Fatal(err)
	}
	url := serve(t, hub, app)
	req, _ := http.NewRequest(http.MethodGet, url+"/events?topic=a%0Ab", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Content-Type") != "application/json" ||
		resp.Header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(string(b), `{"error":`) {
		t.Errorf("got %d %v %s", resp.StatusCode, resp.Header, b)
	}
}

// fasthttp reuses a connection's request buffers for its next request: a
// topic or metadata value that aliased them would change under the hub's
// feet once the stream that brought it has ended.
func TestStreamKeepsCopiesOfTheRequestStrings(t *testing.T) {
	hub := newHub(t)
	app := newApp()
	if err := fibersse.SSE(app, "/events", hub); err != nil {
		t.Fatal(err)
	}
	url := serve(t, hub, app)

	// The first stream's connection is reused after the stream ends.
	first := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	t.Cleanup(first.CloseIdleConnections)

	req, _ := http.NewRequest(http.MethodGet, url+"/events?topic=aaaa&who=first", nil)
	resp, err := first.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	other := open(t, url+"/events?topic=aaaa&who=other", nil)
	conns := hub.Conns(core.Match{"who": "first"})
	if len(conns) != 1 {
		t.Fatalf("first stream not registered: %d", len(conns))
	}
	conns[0].Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The same connection now carries a shorter request, read into the
	// same buffers.
	if status, _ := doWith(t, first, url+"/events/stats?topic=bbbb"); status != http.StatusOK {
		t.Fatalf("stats: %d", status)
	}
	if _, err := hub.Publish(context.Background(), "aaaa", "still.here", nil); err != nil {
		t.Fatal(err)
	}
	if got := other.Event(); got != "still.here" {
		t.Errorf("got %q", got)
	}
	if n := hub.CountWhere(core.Match{"who": "other"}); n != 1 {
		t.Errorf("metadata of the other stream changed: %d", n)
	}
}

func doWith(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
