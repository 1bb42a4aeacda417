// Package exampleapp holds what every runnable example shares, so that each
// example's main.go shows only its framework's one-line setup: the
// environment contract (ADDR, REDIS_URL, SSE_BROADCAST_TOKEN, SSE_HEARTBEAT),
// the hub, the demo publisher, and a graceful SIGINT/SIGTERM shutdown.
package exampleapp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
)

// Config is the examples' environment contract.
type Config struct {
	// Addr is the listen address (ADDR, default 127.0.0.1:8080).
	Addr string
	// Token authorizes POST /events/broadcast (SSE_BROADCAST_TOKEN;
	// generated and printed when unset).
	Token string
	// Heartbeat is the hub's heartbeat interval (SSE_HEARTBEAT, a Go
	// duration, default 15s).
	Heartbeat time.Duration
	// RedisURL selects the Redis backend when set (REDIS_URL).
	RedisURL string
	// MaxStreams caps the hub's streams (SSE_MAX_STREAMS; default
	// StreamCap()): over it a stream request gets 503 and its socket is
	// closed, and the sockets left under the process's file limit keep the
	// stats and broadcast routes answering.
	MaxStreams int
}

// FromEnv reads the Config from the environment.
func FromEnv() (Config, error) {
	cfg := Config{Addr: os.Getenv("ADDR"), Token: os.Getenv("SSE_BROADCAST_TOKEN"), Heartbeat: core.DefaultHeartbeat, RedisURL: os.Getenv("REDIS_URL")}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8080"
	}
	if v := os.Getenv("SSE_HEARTBEAT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return cfg, fmt.Errorf("SSE_HEARTBEAT=%q: want a Go duration such as 15s", v)
		}
		cfg.Heartbeat = d
	}
	cfg.MaxStreams = StreamCap()
	if v := os.Getenv("SSE_MAX_STREAMS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return cfg, fmt.Errorf("SSE_MAX_STREAMS=%q: want a positive number", v)
		}
		cfg.MaxStreams = n
	}
	if cfg.Token == "" {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return cfg, err
		}
		cfg.Token = hex.EncodeToString(b)
		fmt.Printf("SSE_BROADCAST_TOKEN not set; generated broadcast token: %s\n", cfg.Token)
	}
	return cfg, nil
}

// NewBroker, when set (by the Redis backend's file in this package), builds
// a broker from REDIS_URL.
var NewBroker func(ctx context.Context, url string, producer string) (core.Broker, func() error, error)

// NewHub builds the example hub: memory broker by default, the Redis backend
// when REDIS_URL is set, with a Prometheus exporter as its observer (served
// by OpsHandler). The returned function releases the broker.
func NewHub(ctx context.Context, cfg Config, producer string) (*core.Hub, func() error, error) {
	// Detached streams: an idle HTTP/1.1 stream owns no goroutine (about
	// 2 KiB instead of 27); Shutdown (below) ends the hub's streams before
	// the server's, which no longer waits for them.
	opts := []core.HubOption{core.WithProducer(producer), core.WithHeartbeat(cfg.Heartbeat), core.WithDetachedStreams()}
	if cfg.MaxStreams > 0 {
		opts = append(opts, core.WithMaxConnections(cfg.MaxStreams))
	}
	closeBroker := func() error { return nil }
	if cfg.RedisURL != "" {
		if NewBroker == nil {
			return nil, nil, errors.New("REDIS_URL is set but this build has no Redis backend")
		}
		b, closer, err := NewBroker(ctx, cfg.RedisURL, producer)
		if err != nil {
			return nil, nil, fmt.Errorf("redis backend: %w", err)
		}
		opts = append(opts, core.WithBroker(b))
		closeBroker = closer
	}
	exp, reg, err := newExporter()
	if err != nil {
		closeBroker()
		return nil, nil, err
	}
	opts = append(opts, core.WithObserver(exp))
	hub, err := core.NewHub(opts...)
	if err != nil {
		closeBroker()
		return nil, nil, err
	}
	if err := exp.Watch(hub); err != nil {
		closeBroker()
		return nil, nil, err
	}
	registries.Store(hub, reg)
	return hub, closeBroker, nil
}

// RouteOptions are the stream/broadcast options every example uses: the
// broadcast route behind the bearer token, and the Authorize hook that sets
// user_id from the signed login cookie (user.go).
func RouteOptions(cfg Config) []core.RouteOption {
	return []core.RouteOption{core.BroadcastAuth(core.BearerToken(cfg.Token)), core.Authorize(Authorize(cfg))}
}

// DropHandler serves POST /admin/drop (bearer token): it ends every stream,
// or the one named by ?conn=, as a network drop would; clients come back
// with their last event id. The dashboard and the browser tests use it.
func DropHandler(hub *core.Hub, cfg Config) http.Handler {
	auth := core.BearerToken(cfg.Token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			ext.WriteError(w, &core.HTTPError{Status: http.StatusMethodNotAllowed, Message: "POST only"})
			return
		}
		if err := auth(r); err != nil {
			ext.WriteError(w, err)
			return
		}
		n := 0
		if id := r.URL.Query().Get("conn"); id != "" {
			if hub.Disconnect(id) {
				n++
			}
		} else {
			for _, c := range hub.Conns(nil) {
				c.Close()
				n++
			}
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, "{\"dropped\":%d}\n", n)
	})
}

// Demo publishes a "clock.tick" event to the topic "demo" every interval
// until ctx ends, so the dashboard has something to show.
func Demo(ctx context.Context, hub *core.Hub, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if _, err := hub.Publish(ctx, "demo", "clock.tick", map[string]any{"n": n, "time": now.UTC().Format(time.RFC3339)}); err != nil && !errors.Is(err, core.ErrClosed) {
				slog.Warn("demo publish", "err", err)
			}
		}
	}
}

// Server is what an example serves: an *http.Server has these methods
// (see HTTPServer), and a Fiber app takes a two-method wrapper.
type Server interface {
	Serve(net.Listener) error
	Shutdown(context.Context) error
}

// Setup builds an example's server around its hub: the framework's one-line
// SSE mount plus Static (or StaticHandler) and DropHandler.
type Setup func(cfg Config, hub *core.Hub) (Server, error)

// HTTPServer is the examples' http.Server for h, with the settings an app
// serving streams should copy (README "Guarantees and limits"): a slow or
// silent client gets 10 s to send its headers (slowloris), idle keep-alive
// sockets close after a minute, and headers are capped at 64 KiB. No
// ReadTimeout or WriteTimeout: a stream is a long response, and the hub
// bounds each write itself (core.WithWriteTimeout).
func HTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute, MaxHeaderBytes: 64 << 10}
}

// Main runs the example called name and exits the process: it reads the
// environment contract, builds the hub (memory, or Redis with REDIS_URL),
// lets setup build the server, starts the demo publisher, listens on
// cfg.Addr and prints "listening on http://ADDR" followed by TryIt's lines,
// and on SIGINT (Ctrl-C) or SIGTERM shuts the hub down (every stream gets a
// jittered retry hint) and then the server, and exits 0.
func Main(name string, setup Setup) {
	if err := run(name, setup); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

func run(name string, setup Setup) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := FromEnv()
	if err != nil {
		return err
	}
	hub, closeBroker, err := NewHub(ctx, cfg, "example-"+name)
	if err != nil {
		return err
	}
	defer closeBroker()
	srv, err := setup(cfg, hub)
	if err != nil {
		return errors.Join(err, hub.Shutdown(ctx))
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return errors.Join(err, hub.Shutdown(ctx))
	}
	demoCtx, stopDemo := context.WithCancel(ctx)
	defer stopDemo()
	go Demo(demoCtx, hub, 5*time.Second)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Printf("listening on http://%s\n", ln.Addr())
	fmt.Print(TryIt(ln.Addr(), cfg.Token))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return Shutdown(hub, srv.Shutdown)
}

// Shutdown ends the hub's streams first (http.Server.Shutdown would wait
// for them forever) and then the server, within 10 seconds.
func Shutdown(hub *core.Hub, server func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	herr := hub.Shutdown(ctx)
	serr := server(ctx)
	return errors.Join(herr, serr)
}
