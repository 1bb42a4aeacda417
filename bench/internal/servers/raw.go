package servers

import (
	"errors"
	"net"
	"net/http"
	"sync"

	"github.com/ssekit/ssekit/bench/internal/ctl"
)

func init() {
	register("raw-flush", "net/http, goroutine + chan per stream, one Flush per event (naive baseline)",
		func(o Options) (Server, error) { return newRaw(o, false), nil })
	register("raw-coalesce", "net/http, goroutine per stream with a mutex-guarded slice queue and a 1-slot wake channel (woken only when the queue becomes non-empty): drain the queue, write it, one Flush (the machine's limit)",
		func(o Options) (Server, error) { return newRaw(o, true), nil })
}

// raw is the hand-written baseline: a map of topic → clients, one buffered
// channel per client, and the handler goroutine as the writer. A client whose
// queue is full is disconnected so the publisher never blocks.
type raw struct {
	coalesce bool
	queue    int
	env      envelope
	srv      *http.Server

	mu     sync.RWMutex
	topics map[string][]*rawClient // copy-on-write: a publish walks a stable slice in a fixed order
}

type rawClient struct {
	ch   chan []byte // raw-flush: one slot per event
	gone chan struct{}
	once sync.Once

	// raw-coalesce: the publisher appends under mu and wakes the writer only
	// when the queue was empty, so a burst costs one wake-up and one flush.
	mu    sync.Mutex
	queue [][]byte
	spare [][]byte
	wake  chan struct{}
}

// push queues a frame for a coalescing client; false when its queue is full.
func (c *rawClient) push(frame []byte, limit int) bool {
	c.mu.Lock()
	if len(c.queue) >= limit {
		c.mu.Unlock()
		return false
	}
	first := len(c.queue) == 0
	c.queue = append(c.queue, frame)
	c.mu.Unlock()
	if first {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
	return true
}

// take swaps the queue out, reusing the previous batch's backing array.
func (c *rawClient) take() [][]byte {
	c.mu.Lock()
	q := c.queue
	c.queue = c.spare[:0]
	c.mu.Unlock()
	return q
}

func (c *rawClient) kick() { c.once.Do(func() { close(c.gone) }) }

func newRaw(o Options, coalesce bool) *raw {
	r := &raw{coalesce: coalesce, queue: o.QueueSize, topics: map[string][]*rawClient{}}
	if r.queue <= 0 {
		r.queue = 256
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /events", r.stream)
	mux.Handle("POST "+BroadcastPath, broadcastHandler(r.Publish))
	r.srv = &http.Server{Handler: mux}
	return r
}

func (r *raw) Serve(ln net.Listener) error {
	if err := r.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (r *raw) Path() string            { return "/events?topic=%s" }
func (r *raw) Prepare(topics []string) {}
func (r *raw) Close()                  { r.srv.Close() }

func (r *raw) Publish(topic string, payload []byte) error {
	id := r.env.next()
	data := r.env.appendData(make([]byte, 0, 320), id, ctl.EventName, topic, payload)
	frame := appendFrame(make([]byte, 0, len(data)+64), id, ctl.EventName, data)
	r.mu.RLock()
	for _, c := range r.topics[topic] {
		if r.coalesce {
			if !c.push(frame, r.queue) {
				c.kick()
			}
			continue
		}
		select {
		case c.ch <- frame:
		default:
			c.kick()
		}
	}
	r.mu.RUnlock()
	return nil
}

func (r *raw) stream(w http.ResponseWriter, req *http.Request) {
	topic := req.URL.Query().Get("topic")
	f, ok := w.(http.Flusher)
	if !ok || topic == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(": connected\n\n"))
	f.Flush()

	c := &rawClient{gone: make(chan struct{})}
	if r.coalesce {
		c.wake = make(chan struct{}, 1)
	} else {
		c.ch = make(chan []byte, r.queue)
	}
	r.mu.Lock()
	old := r.topics[topic]
	r.topics[topic] = append(old[:len(old):len(old)], c)
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		old := r.topics[topic]
		list := make([]*rawClient, 0, len(old))
		for _, x := range old {
			if x != c {
				list = append(list, x)
			}
		}
		r.topics[topic] = list
		r.mu.Unlock()
	}()

	done := req.Context().Done()
	for {
		select {
		case frame := <-c.ch: // raw-flush
			if _, err := w.Write(frame); err != nil {
				return
			}
			f.Flush()
		case <-c.wake: // raw-coalesce
			q := c.take()
			for _, frame := range q {
				if _, err := w.Write(frame); err != nil {
					return
				}
			}
			clear(q)
			c.mu.Lock()
			c.spare = q[:0]
			c.mu.Unlock()
			f.Flush()
		case <-c.gone:
			return
		case <-done:
			return
		}
	}
}
