package servers

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/labstack/echo/v4"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/echosse"
	"github.com/ssekit/ssekit/ginsse"
)

// The detached variants (issue 17): the same hubs as "ssekit", "ssekit-echo"
// and "ssekit-gin", with core.WithDetachedStreams, so that an idle stream
// owns no goroutine. "ssekit-detached" runs with the core servers (B0–B2);
// the framework ones with the adapters (B7).
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
}
