package servers

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	gosse "github.com/tmaxmax/go-sse"

	"github.com/ssekit/ssekit/bench/internal/ctl"
)

func init() {
	register("go-sse", "github.com/tmaxmax/go-sse v0.11.0, Server with its default Joe provider",
		func(o Options) (Server, error) { return newGoSSE(), nil })
}

type goSSE struct {
	env  envelope
	sse  *gosse.Server
	http *http.Server
}

func newGoSSE() *goSSE {
	g := &goSSE{}
	g.sse = &gosse.Server{
		Provider: greeter{&gosse.Joe{}},
		OnSession: func(w http.ResponseWriter, r *http.Request) ([]string, bool) {
			t := r.URL.Query()["topic"]
			return t, len(t) > 0
		},
	}
	mux := http.NewServeMux()
	mux.Handle("GET /events", g.sse)
	mux.Handle("POST "+BroadcastPath, broadcastHandler(g.Publish))
	g.http = &http.Server{Handler: mux}
	return g
}

func (g *goSSE) Serve(ln net.Listener) error {
	if err := g.http.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (g *goSSE) Path() string            { return "/events?topic=%s" }
func (g *goSSE) Prepare(topics []string) {}

func (g *goSSE) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	g.sse.Shutdown(ctx)
	g.http.Close()
}

func (g *goSSE) Publish(topic string, payload []byte) error {
	id := g.env.next()
	data := g.env.appendData(make([]byte, 0, 320), id, ctl.EventName, topic, payload)
	m := &gosse.Message{ID: gosse.ID(id), Type: gosse.Type(ctl.EventName)}
	m.AppendData(string(data))
	return g.sse.Publish(m, topic)
}

// greeter wraps go-sse's default provider so that a new stream first gets a
// ": connected" comment, as ssekit and the baselines send: go-sse writes the
// response head only with the first message, and the load generator counts a
// connection as established when the head arrives.
type greeter struct{ *gosse.Joe }

func (g greeter) Subscribe(ctx context.Context, sub gosse.Subscription) error {
	hello := &gosse.Message{}
	hello.AppendComment("connected")
	if err := sub.Client.Send(hello); err != nil {
		return err
	}
	if err := sub.Client.Flush(); err != nil {
		return err
	}
	return g.Joe.Subscribe(ctx, sub)
}
