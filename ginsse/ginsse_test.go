package ginsse_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/ginsse"
)

func init() { gin.SetMode(gin.ReleaseMode) }

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
	r := gin.New()
	if err := ginsse.SSE(r.Group("/api"), "/events", hub); err != nil {
		t.Fatal(err)
	}
	var ranMiddleware bool
	feedRoute, err := ginsse.Stream(hub, core.Topics("news"))
	if err != nil {
		t.Fatal(err)
	}
	r.GET("/feed", func(c *gin.Context) { ranMiddleware = true }, feedRoute)
	url := serve(t, hub, r)

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

func TestHooksReceiveTheGinContext(t *testing.T) {
	hub := newHub(t)
	r := gin.New()
	r.Use(func(c *gin.Context) {
		if u := c.GetHeader("X-User"); u != "" {
			c.Set("user", u)
		}
	})
	if err := ginsse.SSE(r, "/events", hub,
		ginsse.Authorize(func(c *gin.Context) (core.Access, error) {
			user := c.GetString("user")
			if user == "" {
				return core.Access{}, core.Unauthorized("log in")
			}
			return core.Access{Identity: user, Meta: map[string]string{"user": user}}, nil
		}),
		ginsse.OnConnect(func(conn *core.Conn, c *gin.Context) error {
			return conn.Send("welcome", c.GetString("user"))
		}),
		ginsse.BroadcastAuth(func(c *gin.Context) error {
			if c.GetString("user") != "admin" {
				return core.Forbidden("admins only")
			}
			return nil
		}),
		ginsse.StatsAuth(func(c *gin.Context) error {
			if c.GetString("user") == "" {
				return core.Unauthorized("log in")
			}
			return nil
		}),
	); err != nil {
		t.Fatal(err)
	}
	url := serve(t, hub, r)

	if status, _ := do(t, http.MethodGet, url+"/events?user=mallory", nil, ""); status != http.StatusUnauthorized {
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
		if status, body := do(t, http.MethodPost, url+"/events/broadcast", http.Header{"X-User": {user}}, `{"event":"hi"}`); status != want {
			t.Errorf("broadcast as %s: %d %s, want %d", user, status, body, want)
		}
	}
	if status, _ := do(t, http.MethodGet, url+"/events/stats", nil, ""); status != http.StatusUnauthorized {
		t.Errorf("stats without user: %d, want 401", status)
	}
}

func TestGinHookOutsideAGinRouteIsAnError(t *testing.T) {
	hub := newHub(t)
	mux := http.NewServeMux()
	if err := core.Mount(mux, "/events", hub, ginsse.Authorize(func(*gin.Context) (core.Access, error) { return core.Access{}, nil })); err != nil {
		t.Fatal(err)
	}
	url := serve(t, hub, mux)
	if status, body := do(t, http.MethodGet, url+"/events", nil, ""); status != http.StatusInternalServerError || !strings.Contains(body, "ginsse") {
		t.Errorf("got %d %s, want a 500 naming ginsse", status, body)
	}
	if c := ginsse.Context(httptest.NewRequest(http.MethodGet, "/", nil)); c != nil {
		t.Errorf("Context outside ginsse = %v", c)
	}
}

func TestServerWriteTimeoutDoesNotCutTheStream(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(10*time.Millisecond))
	r := gin.New()
	if err := ginsse.SSE(r, "/events", hub); err != nil {
		t.Fatal(err)
	}
	const writeTimeout = 100 * time.Millisecond
	url := serve(t, hub, r, func(s *http.Server) { s.WriteTimeout = writeTimeout })
	s := open(t, url+"/events", nil)
	began := time.Now()
	for time.Since(began) < 3*writeTimeout {
		if l := s.Line(); l != ": ping\n" && l != "retry: 3000\n" {
			t.Fatalf("unexpected line %q", l)
		}
	}
}

// gin's c.Stream notices a client that left only between steps, so an idle
// stream would live on; the request context ends this one at once.
func TestIdleStreamEndsWhenTheClientLeaves(t *testing.T) {
	hub := newHub(t) // no heartbeat: nothing is ever written
	r := gin.New()
	if err := ginsse.SSE(r, "/events", hub); err != nil {
		t.Fatal(err)
	}
	url := serve(t, hub, r)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if hub.Count() != 1 {
		t.Fatalf("hub.Count() = %d", hub.Count())
	}
	cancel()
	resp.Body.Close()
	deadline := time.Now().Add(wait)
	for hub.Count() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the stream outlived its client")
		}
		<-time.After(5 * time.Millisecond)
	}
}
