package servers

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/gofiber/fiber/v2"
	fiber3 "github.com/gofiber/fiber/v3"
	"github.com/labstack/echo/v4"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/echosse"
	"github.com/ssekit/ssekit/fiber3sse"
	"github.com/ssekit/ssekit/fibersse"
	"github.com/ssekit/ssekit/ginsse"
)

// The detached variants (issue 17): the same hubs as "ssekit", "ssekit-echo",
// "ssekit-gin", "ssekit-fiber" and "ssekit-fiber3", with
// core.WithDetachedStreams (and, on Fiber, KeepHijackedConns), so that an
// idle stream owns no goroutine. "ssekit-detached" runs with the core
// servers (B0–B2); the framework ones with the adapters (B7).
func init() {
	register("ssekit-detached", "ssekit hub with core.WithDetachedStreams (no goroutine per idle stream) + its net/http stream handler",
		func(o Options) (Server, error) {
			hub, err := core.NewHub(append(hubOptions(o), core.WithDetachedStreams())...)
			if err != nil {
				return nil, err
			}
			mux := http.NewServeMux()
			if err := core.Mount(mux, "/events", hub, routeOptions()...); err != nil {
				return nil, err
			}
			return &ssekit{hub: hub, http: &http.Server{Handler: mux}}, nil
		})
	register("ssekit-echo-detached", "ssekit-echo with core.WithDetachedStreams", func(o Options) (Server, error) {
		hub, err := core.NewHub(append(hubOptions(o), core.WithDetachedStreams())...)
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
	register("ssekit-gin-detached", "ssekit-gin with core.WithDetachedStreams", func(o Options) (Server, error) {
		hub, err := core.NewHub(append(hubOptions(o), core.WithDetachedStreams())...)
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
	register("ssekit-fiber-detached", "ssekit-fiber with core.WithDetachedStreams and fibersse.KeepHijackedConns", func(o Options) (Server, error) {
		hub, err := core.NewHub(append(hubOptions(o), core.WithDetachedStreams())...)
		if err != nil {
			return nil, err
		}
		app := fiber.New(fibersse.Config(fiber.Config{DisableStartupMessage: true}))
		fibersse.KeepHijackedConns(app)
		if err := fibersse.SSE(app, "/events", hub, routeOptions()...); err != nil {
			return nil, err
		}
		return &fiberAdapter{hub: hub, app: app}, nil
	})
	register("ssekit-fiber3-detached", "ssekit-fiber3 with core.WithDetachedStreams and fiber3sse.KeepHijackedConns", func(o Options) (Server, error) {
		hub, err := core.NewHub(append(hubOptions(o), core.WithDetachedStreams())...)
		if err != nil {
			return nil, err
		}
		app := fiber3.New(fiber3sse.Config(fiber3.Config{ErrorHandler: fiber3sse.ErrorHandler}))
		fiber3sse.KeepHijackedConns(app)
		if err := fiber3sse.SSE(app, "/events", hub, routeOptions()...); err != nil {
			return nil, err
		}
		return &fiber3Adapter{hub: hub, app: app}, nil
	})
}
