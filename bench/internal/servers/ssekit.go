package servers

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/ssekit/ssekit/core"

	"github.com/ssekit/ssekit/bench/internal/ctl"
)

func init() {
	register("ssekit", "github.com/ssekit/ssekit/core: Hub (library defaults: in-memory broker with replay log, queue, heartbeat) + its net/http stream handler",
		func(o Options) (Server, error) { return newSSEKit(o) })
}

type ssekit struct {
	hub  *core.Hub
	http *http.Server
}

// hubOptions are the options every ssekit-based entry (core, adapters,
// Redis) uses: library defaults, except the connection limit, which must
// allow B0's 19k connections.
func hubOptions(o Options) []core.HubOption {
	opts := []core.HubOption{core.WithProducer(Producer), core.WithMaxConnections(o.MaxConnections)}
	if o.Heartbeat > 0 {
		opts = append(opts, core.WithHeartbeat(o.Heartbeat))
	}
	if o.QueueSize > 0 {
		opts = append(opts, core.WithQueueSize(o.QueueSize))
	}
	return opts
}

func newSSEKit(o Options) (*ssekit, error) {
	hub, err := core.NewHub(hubOptions(o)...)
	if err != nil {
		return nil, err
	}
	stream, err := core.NewStream(hub)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/events", stream)
	return &ssekit{hub: hub, http: &http.Server{Handler: mux}}, nil
}

func (s *ssekit) Serve(ln net.Listener) error {
	if err := s.http.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *ssekit) Path() string            { return "/events?topic=%s" }
func (s *ssekit) Prepare(topics []string) {}

func (s *ssekit) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s.hub.Shutdown(ctx)
	s.http.Close()
}

func (s *ssekit) Publish(topic string, payload []byte) error {
	_, err := s.hub.PublishRaw(context.Background(), topic, ctl.EventName, payload)
	return err
}
