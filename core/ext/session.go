package ext

import (
	"context"
	"net"
	"net/http"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/internal/bridge"
)

// Writer is where a stream is written: a response body. Flush sends what
// was written to the client. A *bufio.Writer satisfies it as is. When the
// Writer also has SetWriteDeadline(time.Time) error, every batch of writes
// gets a deadline (core.WithWriteTimeout); a net/http adapter passes the
// response through http.ResponseController for that. When the Writer also
// has PeerGone() bool, it is asked before each heartbeat, and true ends the
// stream at once: a transport that does not tell when a client leaves
// (fasthttp) implements it, so a client that left is gone from the counts
// within one heartbeat interval.
type Writer interface {
	Write(p []byte) (int, error)
	Flush() error
}

// Session is a registered stream waiting to be run. It must be either Run
// or Closed, exactly once.
type Session struct {
	s    bridge.Session
	conn *core.Conn
}

// Accept checks a stream request for stream and registers its connection:
// method, the Authorize hook, topics, query metadata, limits, then the
// OnConnect hook. An error is one ErrorResponse understands; nothing is
// registered then. r must carry everything the session keeps (its query
// and Last-Event-ID): a framework that reuses request buffers copies them
// into r first.
func Accept(stream *core.Stream, r *http.Request) (*Session, error) {
	s, err := bridge.Accept(stream, r)
	if err != nil {
		return nil, err
	}
	return &Session{s: s, conn: s.(interface{ Conn() *core.Conn }).Conn()}, nil
}

// Conn returns the session's connection: nil when a hook (Authorize,
// OnConnect) panicked, and the session, registered nowhere, only tells the
// client to come back later (Run writes a jittered "retry:" hint).
func (s *Session) Conn() *core.Conn { return s.conn }

// Run writes the stream to w until the client goes away (ctx is done or a
// write fails) or the hub ends the stream (slow client, Disconnect,
// maximum lifetime, Shutdown), and then unregisters the connection. The
// caller has already sent the response headers (StreamHeaders). Each
// wake-up drains everything pending, writes it and flushes once. Run
// returns nil when the stream ended normally and the write error when the
// client went away mid-write.
//
// When ctx ends, Run returns at once without a final retry hint: only
// Shutdown and the maximum lifetime write one. When w has
// SetWriteDeadline, it is called before a batch of writes whenever less
// than half of the write timeout is left; the last deadline stays in place
// after Run, so the caller resets it before the connection serves another
// request.
func (s *Session) Run(ctx context.Context, w Writer) error { return s.s.Run(ctx, w) }

// Detachable reports whether the hub detaches its streams
// (core.WithDetachedStreams) on this platform. An adapter whose server can
// give up a connection (fasthttp's Hijack with KeepHijackedConns) then calls
// Detach instead of Run, so that the idle stream owns no goroutine.
func (s *Session) Detachable() bool { return s.s.Detachable() }

// Detach runs the session as a detached stream on nc, a plain HTTP/1.1
// connection the adapter has taken over from its server after the request
// was read and before any response byte was written. Detach writes the
// response head itself: status 200, h (the headers the adapter and its
// middleware set; a "Connection: close" there stays), the stream's own
// headers (StreamHeaders, which win) and a chunked body. Then it writes the
// stream's start (retry hint, resume or reset) and returns: from then on
// the hub's writer pool owns nc, writes its events and closes it when the
// stream ends. ctx bounds the start only. nc should expose its descriptor
// (syscall.Conn, as *net.TCPConn does); a connection that does not is
// written from the calling goroutine until the stream ends. A session whose
// hook panicked (Conn is nil) writes its retry hint and closes nc. Detach
// is called instead of Run, exactly once.
func (s *Session) Detach(ctx context.Context, nc net.Conn, h http.Header) { s.s.Detach(ctx, nc, h) }

// Close releases a session that will not be run.
func (s *Session) Close() { s.s.Close() }

// StreamHeaders calls set for every response header of a stream:
// Content-Type text/event-stream, Cache-Control no-cache,
// X-Accel-Buffering no (nginx must not buffer) and, on HTTP/1.x,
// Connection keep-alive.
func StreamHeaders(protoMajor int, set func(key, value string)) {
	bridge.StreamHeaders(protoMajor, set)
}
