package core

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"time"

	"github.com/ssekit/ssekit/core/internal/bridge"
)

// session is a registered stream waiting to be run: the stream handler
// creates it with Stream.accept and runs it on the response body; a
// framework adapter does the same through ext.Accept and ext.Session. A
// session must be either Run or Closed, exactly once.
type session struct {
	hub         *Hub
	conn        *Conn
	lastEventID string
	lastTooLong bool // the client's id was over MaxLastEventIDLen: unknown
	once        sync.Once
	deadlineAt  int64 // UnixNano of the write deadline last set (Run's goroutine only)
}

// Conn returns the session's connection (for ext.Session).
func (s *session) Conn() *Conn { return s.conn }

// Close releases a session that will not be run.
func (s *session) Close() {
	s.once.Do(func() {
		s.conn.end(reasonDisconnected)
		s.hub.unregister(s.conn)
	})
}

// Run writes the stream to w until the client goes away (ctx is done or a
// write fails), the hub ends the stream (slow client, Disconnect, maximum
// lifetime, Shutdown), and then unregisters the connection. The caller has
// already sent the response headers. Each wake-up drains everything pending,
// writes it and flushes once. Run returns nil when the stream ended
// normally and the write error when the client went away mid-write.
//
// A wake-up by a publish that reached few streams (smallFanOut) first
// yields the processor once. The send that woke the writer put it in its
// processor's runnext slot, ahead of the goroutines already runnable there,
// often publishers with more events for this stream and others; behind
// them the batch holds several events instead of one, one write syscall
// for all. A publish to many streams already takes long enough for events
// to pile up, and there a yield only adds a switch per stream.
//
// When ctx ends, Run returns at once without a final retry hint: only
// Hub.Shutdown and the maximum lifetime write one. When w has
// SetWriteDeadline, it is called before a batch of writes whenever less
// than half of the write timeout is left, and the last deadline stays in
// place after Run: a net/http caller resets it (as
// Stream.ServeHTTP does) before the connection serves another request.
func (s *session) Run(ctx context.Context, w bridge.Writer) error {
	ran := false
	s.once.Do(func() { ran = true })
	if !ran {
		return ErrClosed
	}
	h, c := s.hub, s.conn
	defer h.unregister(c)
	dl, _ := w.(bridge.Deadliner)
	if err := s.open(ctx, w, dl); err != nil {
		return err
	}
	for {
		select {
		case <-c.wake:
			if c.smallFan.Load() {
				runtime.Gosched()
			}
			if err := s.writePending(w, dl); err != nil {
				return err
			}
		case <-ctxDone(ctx):
			return nil
		case <-c.done:
			return s.finish(w, dl)
		}
	}
}

// open writes the start of a stream: the connected comment, the retry hint
// and, for a resume, what the client missed; then it flushes.
func (s *session) open(ctx context.Context, w bridge.Writer, dl bridge.Deadliner) error {
	h, c := s.hub, s.conn
	pre := make([]byte, 0, 64)
	pre = append(pre, connectedComment...)
	if h.cfg.retry > 0 {
		pre = appendRetry(pre, h.cfg.retry)
	}
	s.deadline(dl, time.Now())
	if _, err := w.Write(pre); err != nil {
		return err
	}
	if s.lastEventID != "" {
		if err := s.resume(ctx, w, dl); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	c.lastWrite.Store(time.Now().UnixNano())
	return nil
}

// deadline gives the next batch of writes at least half the write timeout:
// the deadline moves forward only when less than half of it is left, so a
// busy stream pays for it once per half timeout, not once per flush.
func (s *session) deadline(dl bridge.Deadliner, now time.Time) {
	if dl == nil {
		return
	}
	wt := s.hub.cfg.writeTimeout
	if s.deadlineAt-now.UnixNano() > int64(wt/2) {
		return
	}
	d := now.Add(wt)
	s.deadlineAt = d.UnixNano()
	_ = dl.SetWriteDeadline(d)
}

// writePending writes every queued frame and flushes once.
func (s *session) writePending(w bridge.Writer, dl bridge.Deadliner) error {
	c := s.conn
	q, at := c.take()
	if len(q) == 0 {
		c.release(q)
		return nil
	}
	// A heartbeat is where a transport that does not report a client that
	// left gets asked (fasthttp: a written ping only fails once the peer's
	// reset came back, one or two heartbeats later).
	if pc, ok := w.(bridge.PeerChecker); ok && q[0] == s.hub.ping && pc.PeerGone() {
		c.release(q)
		return errPeerGone
	}
	now := time.Now()
	s.deadline(dl, now)
	events := 0
	for _, m := range q {
		if _, err := w.Write(m.Frame()); err != nil {
			c.release(q)
			return err
		}
		if m != s.hub.ping && !m.reset {
			events++
		}
	}
	c.release(q)
	if events > 0 {
		s.hub.stats.delivered.Add(uint64(events))
		if o := s.hub.obs; o != nil {
			o.Flushed(events, sinceNs(now.UnixNano(), at))
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	c.lastWrite.Store(now.UnixNano())
	return nil
}

// smallFanOut is the largest fan-out after which a woken writer yields
// (Run). Measured on bench B3 (1k topics × 5 streams): yielding cut CPU per
// delivery by about a third; on B8 at 10k streams of one topic it added a
// quarter, so a publish to more streams than this does not ask for it.
const smallFanOut = 64

// errPeerGone ends a stream whose writer reports that the client left.
var errPeerGone = errors.New("core: the client has gone")

// finish ends a stream the hub closed. Unless it was dropped for a full
// queue, it first gets what is already queued. On shutdown, after a broker
// gap and at the end of its lifetime it then gets a final retry hint;
// shutdown and gaps spread that hint with jitter (WithShutdownSpread) so
// clients do not all come back at once.
func (s *session) finish(w bridge.Writer, dl bridge.Deadliner) error {
	h := s.hub
	reason := s.conn.endReason()
	if reason == reasonDropped {
		return nil
	}
	if err := s.writePending(w, dl); err != nil {
		return err
	}
	if reason != reasonShutdown && reason != reasonLifetime && reason != reasonGap {
		return nil
	}
	retry := h.cfg.retry
	if retry <= 0 {
		retry = DefaultRetry
	}
	if reason == reasonShutdown || reason == reasonGap {
		retry = h.spreadRetry()
	}
	s.deadline(dl, time.Now())
	if _, err := w.Write(appendRetry(nil, retry)); err != nil {
		return err
	}
	return w.Flush()
}

// ctxDone is a nil-safe ctx.Done.
func ctxDone(ctx context.Context) <-chan struct{} {
	if ctx == nil {
		return nil
	}
	return ctx.Done()
}
