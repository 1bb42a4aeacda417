package servers

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/redisbackend"

	"github.com/ssekit/ssekit/bench/internal/ctl"
)

// B6: an ssekit hub whose broker is Redis; run it twice against one Redis.
func init() {
	register("ssekit-redis", "ssekit hub with the redisbackend broker (Lua XADD+PUBLISH, one subscriber per instance), net/http stream handler",
		func(o Options) (Server, error) { return newSSEKitRedis(o) })
}

type ssekitRedis struct {
	broker *redisbackend.Broker
	hub    *core.Hub
	http   *http.Server
}

func newSSEKitRedis(o Options) (*ssekitRedis, error) {
	if o.Backend == "" {
		return nil, errors.New("servers: ssekit-redis needs -backend redis://host:port/db")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := redisbackend.New(ctx, o.Backend, redisbackend.WithPrefix("ssekit-bench"))
	if err != nil {
		return nil, err
	}
	hub, err := core.NewHub(append(hubOptions(o), core.WithBroker(b))...)
	if err != nil {
		b.Close()
		return nil, err
	}
	stream, err := core.NewStream(hub)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/events", stream)
	return &ssekitRedis{broker: b, hub: hub, http: &http.Server{Handler: mux}}, nil
}

func (s *ssekitRedis) Serve(ln net.Listener) error {
	if err := s.http.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *ssekitRedis) Path() string            { return "/events?topic=%s" }
func (s *ssekitRedis) Prepare(topics []string) {}

func (s *ssekitRedis) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s.hub.Shutdown(ctx)
	s.http.Close()
	s.broker.Close()
}

func (s *ssekitRedis) Publish(topic string, payload []byte) error {
	_, err := s.hub.PublishRaw(context.Background(), topic, ctl.EventName, payload)
	return err
}
