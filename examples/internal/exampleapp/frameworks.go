package exampleapp

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/ssekit/ssekit/core"
)

// StaticHandler serves what Static registers (the browser client and the
// dashboard) as one http.Handler, for routers that are not an
// *http.ServeMux (Echo, Gin, Fiber).
func StaticHandler() http.Handler {
	mux := http.NewServeMux()
	Static(mux)
	return mux
}

// Serve is Run for servers that are not an http.Server (Fiber): it listens
// on cfg.Addr, prints "listening on http://ADDR", runs serve on the
// listener until SIGINT or SIGTERM (or ctx ends), then shuts the hub down
// and the server with shutdown.
func Serve(ctx context.Context, cfg Config, hub *core.Hub, serve func(net.Listener) error, shutdown func(context.Context) error) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- serve(ln) }()
	fmt.Printf("listening on http://%s\n", ln.Addr())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return Shutdown(hub, shutdown)
}
