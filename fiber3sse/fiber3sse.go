package fiber3sse

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
)

// SSE registers the three routes of ssekit's HTTP contract under path on an
// app or a group, as core.Mount does for net/http:
//
//	GET  path            the event stream (Stream)
//	GET  path/stats      counters as JSON (Stats)
//	POST path/broadcast  publish over HTTP, off until core.BroadcastAuth (Broadcast)
//
// The same options go to all three; each route takes those that concern
// it. Each route answers 405 to other methods, with the same JSON error as
// core. An invalid option makes SSE return an error and register nothing.
func SSE(r fiber.Router, path string, hub *core.Hub, opts ...core.RouteOption) error {
	m, err := ext.NewMount(path, hub, opts...)
	if err != nil {
		return err
	}
	r.All(m.StreamPath, stream(m.Stream))
	r.All(m.StatsPath, wrap(m.Stats))
	r.All(m.BroadcastPath, wrap(m.Broadcast))
	return nil
}

// Stream returns the stream route alone (core.NewStream), for custom
// routing or per-route middleware:
//
//	feed, err := fiber3sse.Stream(hub, core.Topics("news"))
//	app.Get("/feed", authMiddleware, feed)
func Stream(hub *core.Hub, opts ...core.RouteOption) (fiber.Handler, error) {
	s, err := core.NewStream(hub, opts...)
	if err != nil {
		return nil, err
	}
	return stream(s), nil
}

// stream serves s natively on fasthttp: the stream is detached (see
// KeepHijackedConns) or written by the body stream writer, after the
// handler has returned; the writer peeks at the socket for the client
// leaving before each heartbeat (streamWriter.PeerGone).
func stream(s *core.Stream) fiber.Handler {
	return func(c fiber.Ctx) error {
		r := request(c)
		if r.Method != http.MethodGet {
			c.Set("Allow", http.MethodGet)
		}
		sess, err := ext.Accept(s, r)
		if err != nil {
			return respond(c, func(w http.ResponseWriter) { ext.WriteError(w, err) })
		}
		ext.StreamHeaders(1, c.Set) // fasthttp speaks HTTP/1.x only
		c.Status(http.StatusOK)
		if detach(c, sess) {
			return nil
		}
		// Everything the writer uses is taken now: after the handler
		// returns, the Ctx and the RequestCtx belong to the next request.
		rc := c.RequestCtx()
		conn := rc.Conn()
		ctx := serverContext{rc.Done()}
		return c.SendStreamWriter(func(bw *bufio.Writer) {
			_ = sess.Run(ctx, &streamWriter{Writer: bw, conn: conn})
			// The next response on this connection must not inherit the
			// stream's deadline (fasthttp resets only its own).
			_ = conn.SetWriteDeadline(time.Time{})
		})
	}
}

// Stats returns the stats route alone (core.NewStats).
func Stats(hub *core.Hub, opts ...core.RouteOption) (fiber.Handler, error) {
	h, err := core.NewStats(hub, opts...)
	if err != nil {
		return nil, err
	}
	return wrap(h), nil
}

// Broadcast returns the broadcast route alone (core.NewBroadcast).
func Broadcast(hub *core.Hub, opts ...core.RouteOption) (fiber.Handler, error) {
	h, err := core.NewBroadcast(hub, opts...)
	if err != nil {
		return nil, err
	}
	return wrap(h), nil
}

// wrap serves a short, non-streaming core handler: its response is
// buffered and then copied to the Ctx.
func wrap(h http.Handler) fiber.Handler {
	return func(c fiber.Ctx) error {
		r := request(c)
		return respond(c, func(w http.ResponseWriter) { h.ServeHTTP(w, r) })
	}
}

// streamWriter is the body stream writer as an ext.Writer. Its write
// deadline is the connection's: fasthttp copies the stream to the socket as
// it is flushed, so the deadline bounds the copy of each batch. fasthttp
// sets its own WriteTimeout deadline from the connection's goroutine when
// the response starts, which races with this writer's goroutine; so the
// stream's deadline is applied again at every flush, and fasthttp's never
// outlives the first batch.
type streamWriter struct {
	*bufio.Writer
	conn     net.Conn
	deadline time.Time
}

// PeerGone tells core, before each heartbeat, whether the client closed
// the connection: fasthttp does not report it, and a write to a closed
// socket only fails once the peer's reset has come back, one or two
// heartbeats later.
func (w *streamWriter) PeerGone() bool { return ext.PeerGone(w.conn) }

func (w *streamWriter) SetWriteDeadline(t time.Time) error {
	w.deadline = t
	return w.conn.SetWriteDeadline(t)
}

func (w *streamWriter) Flush() error {
	if err := w.Writer.Flush(); err != nil {
		return err
	}
	if !w.deadline.IsZero() {
		return w.conn.SetWriteDeadline(w.deadline)
	}
	return nil
}

// serverContext is done when the fasthttp server shuts down: RequestCtx.Done
// is the server's done channel, not a per-request signal, and it is closed
// by app.Shutdown, which would otherwise wait for every stream forever.
type serverContext struct{ done <-chan struct{} }

func (serverContext) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c serverContext) Done() <-chan struct{}     { return c.done }
func (serverContext) Value(any) any               { return nil }
func (c serverContext) Err() error {
	select {
	case <-c.done:
		return context.Canceled
	default:
		return nil
	}
}
