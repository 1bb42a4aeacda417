package ext

import (
	"context"
	"net/http"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/internal/bridge"
)

// Writer is where a stream is written: a response body. Flush sends what
// was written to the client. A *bufio.Writer satisfies it as is. When the
// Writer also has SetWriteDeadline(time.Time) error, every batch of writes
// gets a deadline (core.WithWriteTimeout); a net/http adapter passes the
// response through http.ResponseController for that.
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

// Conn returns the session's connection.
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

// Close releases a session that will not be run.
func (s *Session) Close() { s.s.Close() }

// StreamHeaders calls set for every response header of a stream:
// Content-Type text/event-stream, Cache-Control no-cache,
// X-Accel-Buffering no (nginx must not buffer) and, on HTTP/1.x,
// Connection keep-alive.
func StreamHeaders(protoMajor int, set func(key, value string)) {
	bridge.StreamHeaders(protoMajor, set)
}
