package fiber3sse_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v3"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
	"github.com/ssekit/ssekit/fiber3sse"
)

func newHub(t *testing.T, opts ...core.HubOption) *core.Hub {
	t.Helper()
	hub, err := core.NewHub(append([]core.HubOption{core.WithHeartbeat(0), core.WithShutdownSpread(0)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return hub
}

// serve runs app on loopback; at cleanup the hub ends its streams, then
// the app shuts down.
func serve(t *testing.T, hub *core.Hub, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveOn(t, hub, app, ln)
}

// serveOn is serve on a listener of the test's.
func serveOn(t *testing.T, hub *core.Hub, app *fiber.App, ln net.Listener) string {
	t.Helper()
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true}) }()
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

// mount is fiber3sse.SSE that fails the test on an error.
func mount(t *testing.T, r fiber.Router, hub *core.Hub, opts ...core.RouteOption) {
	t.Helper()
	if err := fiber3sse.SSE(r, "/events", hub, opts...); err != nil {
		t.Fatal(err)
	}
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
	app := fiber.New()
	mount(t, app.Group("/api"), hub)
	var ranMiddleware bool
	feed, err := fiber3sse.Stream(hub, core.Topics("news"))
	if err != nil {
		t.Fatal(err)
	}
	app.Get("/feed", func(c fiber.Ctx) error { ranMiddleware = true; return c.Next() }, feed)
	url := serve(t, hub, app)

	if status, body := do(t, http.MethodGet, url+"/api/events/stats", nil, ""); status != http.StatusOK || !strings.Contains(body, `"connections":0`) {
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

// An invalid route option is core's error, and nothing is registered.
func TestSSEWithAnInvalidOptionRegistersNothing(t *testing.T) {
	hub := newHub(t)
	defer hub.Shutdown(context.Background())
	app := fiber.New()
	if err := fiber3sse.SSE(app, "/events", hub, core.MaxBodyBytes(-1)); err == nil {
		t.Fatal("SSE with MaxBodyBytes(-1) returned nil")
	}
	if routes := app.GetRoutes(); len(routes) != 0 {
		t.Errorf("routes registered: %v", routes)
	}
}

func TestHooksReceiveTheFiberCtx(t *testing.T) {
	hub := newHub(t)
	app := fiber.New()
	app.Use(func(c fiber.Ctx) error {
		if u := c.Get("X-User"); u != "" {
			c.Locals("user", u) // not copied: valid only in the handler
		}
		return c.Next()
	})
	mount(t, app, hub,
		fiber3sse.Authorize(func(c fiber.Ctx) (core.Access, error) {
			user, _ := c.Locals("user").(string)
			if user == "" {
				return core.Access{}, core.Unauthorized("log in")
			}
			return core.Access{Identity: user, Meta: map[string]string{"user": user}}, nil
		}),
		fiber3sse.OnConnect(func(conn *core.Conn, c fiber.Ctx) error {
			return conn.Send("welcome", c.Locals("user"))
		}),
		fiber3sse.BroadcastAuth(func(c fiber.Ctx) error {
			if c.Locals("user") != "admin" {
				return core.Forbidden("admins only")
			}
			return nil
		}),
	)
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
	s, err := core.NewStream(hub, fiber3sse.Authorize(func(fiber.Ctx) (core.Access, error) { return core.Access{}, nil }))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := http.NewRequest(http.MethodGet, "/events", nil)
	if _, err := ext.Accept(s, r); err == nil || !strings.Contains(err.Error(), "fiber3sse") {
		t.Errorf("Accept = %v, want an error naming fiber3sse", err)
	}
	if c := fiber3sse.Context(r); c != nil {
		t.Errorf("Context outside fiber3sse = %v", c)
	}
}

// fasthttp reuses a connection's request buffers for its next request: a
// topic or metadata value that aliased them would change under the hub's
// feet once the stream that brought it has ended. The connection serves
// that next request after the stream.
func TestStreamKeepsCopiesOfTheRequestStrings(t *testing.T) {
	hub := newHub(t)
	app := fiber.New()
	mount(t, app, hub)
	url := serve(t, hub, app)

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
	var reused bool
	trace := &http.Client{Transport: first.Transport}
	req, _ = http.NewRequest(http.MethodGet, url+"/events/stats?topic=bbbb", nil)
	req = req.WithContext(withReuseTrace(req.Context(), &reused))
	resp, err = trace.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !reused {
		t.Fatalf("stats after the stream: %d, connection reused: %v", resp.StatusCode, reused)
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
