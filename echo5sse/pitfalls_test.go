package echo5sse_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/echo5sse"
)

// The tests of the README's Echo v5 pitfalls table.

func TestServerWriteTimeoutDoesNotCutTheStream(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(10*time.Millisecond))
	e := echo.New()
	mount(t, e, hub)
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

// plainWriter is a middleware's response writer that cannot flush (like
// http.TimeoutHandler's): *echo.Response.Flush would panic on it.
type plainWriter struct{ http.ResponseWriter }

func (w plainWriter) Header() http.Header         { return w.ResponseWriter.Header() }
func (w plainWriter) Write(p []byte) (int, error) { return w.ResponseWriter.Write(p) }
func (w plainWriter) WriteHeader(status int)      { w.ResponseWriter.WriteHeader(status) }

func TestAWriterThatCannotFlushGetsAJSONErrorNotAPanic(t *testing.T) {
	hub := newHub(t)
	e := echo.New()
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			res := c.Response()
			c.SetResponse(echo.NewResponse(plainWriter{res}, e.Logger))
			defer c.SetResponse(res)
			return next(c)
		}
	})
	mount(t, e, hub)
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
	e := echo.New()
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{Skipper: echo5sse.Skipper}))
	mount(t, e, hub)
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

// ContextTimeout puts a deadline on the request context, which would end
// the stream; skipped, the stream outlives it.
func TestSkipperKeepsContextTimeoutOffTheStream(t *testing.T) {
	hub := newHub(t, core.WithHeartbeat(10*time.Millisecond))
	e := echo.New()
	const timeout = 50 * time.Millisecond
	e.Use(middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{Timeout: timeout, Skipper: echo5sse.Skipper}))
	mount(t, e, hub)
	url := serve(t, hub, e)
	s := open(t, url+"/events", nil)
	began := time.Now()
	for time.Since(began) < 4*timeout {
		if l := s.Line(); l != ": ping\n" && l != "retry: 3000\n" {
			t.Fatalf("unexpected line %q", l)
		}
	}
}

// StartConfig's graceful shutdown waits for open streams until its
// GracefulTimeout; hub.Shutdown registered on the server's shutdown ends
// them at once, with a retry hint.
func TestStartConfigShutdownEndsStreamsThroughTheHub(t *testing.T) {
	hub := newHub(t)
	e := echo.New()
	mount(t, e, hub)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	addr := make(chan net.Addr, 1)
	sc := echo.StartConfig{
		Address: "127.0.0.1:0", HideBanner: true, HidePort: true,
		GracefulTimeout:  time.Minute, // the test fails on its own timeout first
		ListenerAddrFunc: func(a net.Addr) { addr <- a },
		BeforeServeFunc: func(s *http.Server) error {
			s.RegisterOnShutdown(func() { _ = hub.Shutdown(context.Background()) })
			return nil
		},
	}
	served := make(chan error, 1)
	go func() { served <- sc.Start(ctx, e) }()
	s := open(t, "http://"+(<-addr).String()+"/events", nil)
	s.Line() // retry: 3000
	stop()
	if rest := s.Rest(); rest != "retry: 3000\n" {
		t.Errorf("after shutdown the stream got %q, want the final retry hint", rest)
	}
	select {
	case err := <-served:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Start: %v", err)
		}
	case <-time.After(wait):
		t.Fatal("StartConfig.Start did not return after the streams ended")
	}
}
