package core

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/ssekit/ssekit/core/internal/bridge"
)

// Panics in user callbacks are contained here: a callback the hub calls
// (FilterEvents predicates, Authorize, OnConnect, BroadcastAuth, StatsAuth,
// and the framework hooks built on them) that panics never takes the
// process down and never stops an event on its way to other connections.
// Each panic is counted in Stats.Panics and logged with its stack.
//
//   - A predicate that panics while an event is delivered (on the
//     publisher's or the broker's goroutine) counts as "does not pass" for
//     that stream alone; the delivery goes on with the next connection, and
//     one log line with the first stack covers the whole delivery.
//   - A predicate that panics during a replay skips that event for the
//     resuming stream, the same way.
//   - Authorize or OnConnect panicking ends that stream request only: it is
//     answered as a stream carrying nothing but a jittered "retry:" hint, so
//     the client comes back later, and nothing is registered.
//   - BroadcastAuth or StatsAuth panicking answers that request 500.

// errPanicked marks a stream request whose hook panicked (see
// Stream.accept): it is answered with a retry hint, not an error status.
var errPanicked = errors.New("core: a hook panicked")

// errInternal answers a request whose hook panicked on a non-stream route.
var errInternal = &HTTPError{Status: http.StatusInternalServerError, Message: "internal error"}

// recovered counts and logs one contained panic, with its stack.
func (h *Hub) recovered(where string, v any, stack []byte) {
	h.stats.panics.Add(1)
	h.log.Error("ssekit: "+where+" panicked (contained)", "panic", fmt.Sprint(v), "stack", string(stack))
}

// safeCall runs fn, turning a panic into errPanicked (counted and logged
// as where).
func (h *Hub) safeCall(where string, fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			h.recovered(where, v, debug.Stack())
			err = errPanicked
		}
	}()
	return fn()
}

// safeAccepts is Conn.accepts with a panicking predicate contained: it
// counts as not accepted. For single calls (replay, ToConn); a fan-out uses
// deliverFrom, which pays for one recover per delivery.
func (c *Conn) safeAccepts(m *Message) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			c.hub.recovered("FilterEvents predicate", v, debug.Stack())
			ok = false
		}
	}()
	return c.accepts(m)
}

// retryOnly answers a stream request whose hook panicked: a stream that
// holds only a jittered retry hint and ends, so the client comes back
// later instead of failing for good (EventSource gives up on an error
// status). It is a bridge.Session with no connection.
type retryOnly struct{ hub *Hub }

func (r retryOnly) Run(_ context.Context, w bridge.Writer) error {
	if _, err := w.Write(appendRetry(nil, r.hub.spreadRetry())); err != nil {
		return err
	}
	return w.Flush()
}

func (retryOnly) Close() {}

// Detachable reports false: the hint is written by Run.
func (retryOnly) Detachable() bool { return false }

// Detach writes the hint on nc with a response head, and closes it.
func (r retryOnly) Detach(_ context.Context, nc net.Conn, h http.Header) {
	h.Set("Connection", "close")
	cw := &chunkWriter{nc: nc, chunks: chunks{b: detachedHead(h), start: -1}}
	_ = nc.SetWriteDeadline(time.Now().Add(r.hub.cfg.writeTimeout))
	if r.Run(context.Background(), cw) == nil {
		cw.end()
		_ = cw.Flush()
	}
	_ = nc.Close()
}

// Conn returns nil: nothing was registered.
func (retryOnly) Conn() *Conn { return nil }
