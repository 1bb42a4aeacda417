package servers

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

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

	"github.com/ssekit/ssekit/bench/internal/ctl"
)

// The adapters (B7): the same hub and options as "ssekit", mounted through
// each framework's one-liner.
func init() {
	register("ssekit-echo", "ssekit hub through echosse.SSE on Echo v4", func(o Options) (Server, error) {
		hub, err := core.NewHub(hubOptions(o)...)
		if err != nil {
			return nil, err
		}
		e := echo.New()
		e.HideBanner, e.HidePort = true, true
		if err := echosse.SSE(e, "/events", hub, routeOptions()...); err != nil {
			return nil, err
		}
		return &httpAdapter{hub: hub, http: &http.Server{Handler: e}}, nil
	})
	register("ssekit-echo5", "ssekit hub through echo5sse.SSE on Echo v5", func(o Options) (Server, error) {
		hub, err := core.NewHub(hubOptions(o)...)
		if err != nil {
			return nil, err
		}
		e := echo5.New()
		if err := echo5sse.SSE(e, "/events", hub, routeOptions()...); err != nil {
			return nil, err
		}
		return &httpAdapter{hub: hub, http: &http.Server{Handler: e}}, nil
	})
	register("ssekit-gin", "ssekit hub through ginsse.SSE on Gin", func(o Options) (Server, error) {
		hub, err := core.NewHub(hubOptions(o)...)
		if err != nil {
			return nil, err
		}
		gin.SetMode(gin.ReleaseMode)
		r := gin.New()
		if err := ginsse.SSE(r, "/events", hub, routeOptions()...); err != nil {
			return nil, err
		}
		return &httpAdapter{hub: hub, http: &http.Server{Handler: r}}, nil
	})
	register("ssekit-fiber", "ssekit hub through fibersse.SSE on Fiber v2 (fasthttp, native streaming; fibersse.Config: write buffer of 4 KiB + 16)", func(o Options) (Server, error) {
		hub, err := core.NewHub(hubOptions(o)...)
		if err != nil {
			return nil, err
		}
		app := fiber.New(fibersse.Config(fiber.Config{DisableStartupMessage: true}))
		if err := fibersse.SSE(app, "/events", hub, routeOptions()...); err != nil {
			return nil, err
		}
		return &fiberAdapter{hub: hub, app: app}, nil
	})
	register("ssekit-fiber3", "ssekit hub through fiber3sse.SSE on Fiber v3 (fasthttp, native streaming; fiber3sse.Config: write buffer of 4 KiB + 16)", func(o Options) (Server, error) {
		hub, err := core.NewHub(hubOptions(o)...)
		if err != nil {
			return nil, err
		}
		app := fiber3.New(fiber3sse.Config(fiber3.Config{ErrorHandler: fiber3sse.ErrorHandler}))
		if err := fiber3sse.SSE(app, "/events", hub, routeOptions()...); err != nil {
			return nil, err
		}
		return &fiber3Adapter{hub: hub, app: app}, nil
	})
}

// httpAdapter serves a framework that is an http.Handler (Echo, Gin).
type httpAdapter struct {
	hub  *core.Hub
	http *http.Server
}

func (a *httpAdapter) Serve(ln net.Listener) error {
	if err := a.http.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (a *httpAdapter) Path() string            { return "/events?topic=%s" }
func (a *httpAdapter) Prepare(topics []string) {}

func (a *httpAdapter) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	a.hub.Shutdown(ctx)
	a.http.Close()
}

func (a *httpAdapter) Publish(topic string, payload []byte) error {
	_, err := a.hub.PublishRaw(context.Background(), topic, ctl.EventName, payload)
	return err
}

// fiberAdapter serves Fiber on fasthttp.
type fiberAdapter struct {
	hub *core.Hub
	app *fiber.App
}

func (a *fiberAdapter) Serve(ln net.Listener) error { return a.app.Listener(ln) }
func (a *fiberAdapter) Path() string                { return "/events?topic=%s" }
func (a *fiberAdapter) Prepare(topics []string)     {}

func (a *fiberAdapter) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	a.hub.Shutdown(ctx)
	a.app.ShutdownWithTimeout(time.Second)
}

func (a *fiberAdapter) Publish(topic string, payload []byte) error {
	_, err := a.hub.PublishRaw(context.Background(), topic, ctl.EventName, payload)
	return err
}

// fiber3Adapter serves Fiber v3 on fasthttp.
type fiber3Adapter struct {
	hub *core.Hub
	app *fiber3.App
}

func (a *fiber3Adapter) Serve(ln net.Listener) error {
	return a.app.Listener(ln, fiber3.ListenConfig{DisableStartupMessage: true})
}
func (a *fiber3Adapter) Path() string            { return "/events?topic=%s" }
func (a *fiber3Adapter) Prepare(topics []string) {}

func (a *fiber3Adapter) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	a.hub.Shutdown(ctx)
	a.app.ShutdownWithTimeout(time.Second)
}

func (a *fiber3Adapter) Publish(topic string, payload []byte) error {
	_, err := a.hub.PublishRaw(context.Background(), topic, ctl.EventName, payload)
	return err
}
