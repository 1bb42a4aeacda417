package servers

import (
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	r3 "github.com/r3labs/sse/v2"

	"github.com/ssekit/ssekit/bench/internal/ctl"
)

func init() {
	register("r3labs", "github.com/r3labs/sse/v2 v2.10.0, AutoReplay off, streams created up front",
		func(o Options) (Server, error) { return newR3(), nil })
}

type r3labs struct {
	env  envelope
	sse  *r3.Server
	http *http.Server
	mu   sync.Mutex
	subs atomic.Int64
}

func newR3() *r3labs {
	s := r3.New()
	s.AutoReplay = false // its replay log grows forever (r3labs#100); off for a fair fight
	s.AutoStream = false
	r := &r3labs{sse: s}
	s.OnSubscribe = func(string, *r3.Subscriber) { r.subs.Add(1) }
	s.OnUnsubscribe = func(string, *r3.Subscriber) { r.subs.Add(-1) }
	mux := http.NewServeMux()
	mux.Handle("GET /events", s)
	mux.Handle("POST "+BroadcastPath, broadcastHandler(r.Publish))
	r.http = &http.Server{Handler: mux}
	r.Prepare([]string{"t0"})
	return r
}

func (r *r3labs) Serve(ln net.Listener) error {
	if err := r.http.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (r *r3labs) Path() string { return "/events?stream=%s" }

func (r *r3labs) Prepare(topics []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range topics {
		if !r.sse.StreamExists(t) {
			r.sse.CreateStream(t)
		}
	}
}

// Close ends the HTTP side first and lets every subscriber unregister before
// closing the streams: r3labs leaks the goroutine of a subscriber that
// unregisters after its stream closed.
func (r *r3labs) Close() {
	r.http.Close()
	for end := time.Now().Add(2 * time.Second); r.subs.Load() > 0 && time.Now().Before(end); {
		time.Sleep(5 * time.Millisecond)
	}
	r.sse.Close()
}

func (r *r3labs) Publish(topic string, payload []byte) error {
	id := r.env.next()
	data := r.env.appendData(make([]byte, 0, 320), id, ctl.EventName, topic, payload)
	r.sse.Publish(topic, &r3.Event{ID: []byte(id), Event: []byte(ctl.EventName), Data: data})
	return nil
}
