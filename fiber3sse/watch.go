package fiber3sse

import (
	"errors"
	"net"
	"sync"
	"time"

	"github.com/ssekit/ssekit/core"
)

// clientWatch ends a stream as soon as its client closes the connection.
// fasthttp has no per-request close signal (RequestCtx.Done is the
// server's), and a write to a closed connection may succeed once before
// the peer's reset arrives, so a failed write alone can take two heartbeat
// intervals to notice a client that left. Nothing reads the connection
// while a response is written, so a read on it returns exactly when the
// client closes it (EOF or reset).
//
// A client sends nothing during a stream; if it does (a pipelined
// request), those bytes cannot be handed back to fasthttp, so the
// connection is closed with the stream.
type clientWatch struct {
	conn     net.Conn
	stream   *core.Conn
	done     chan struct{}
	mu       sync.Mutex // orders stop against the read loop's deadline reset
	stopping bool
}

// watchClient starts watching conn for the client leaving; stop ends the
// watch before the connection serves anything else.
func watchClient(conn net.Conn, stream *core.Conn) *clientWatch {
	w := &clientWatch{conn: conn, stream: stream, done: make(chan struct{})}
	go w.run()
	return w
}

func (w *clientWatch) run() {
	defer close(w.done)
	var b [1]byte
	for {
		n, err := w.conn.Read(b[:])
		if n > 0 {
			_ = w.conn.Close()
			w.stream.Close()
			return
		}
		if err == nil {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() && w.keepReading() {
			continue
		}
		if !w.isStopping() {
			w.stream.Close()
		}
		return
	}
}

// keepReading clears a read deadline that is not stop's: fasthttp's
// ReadTimeout, set for reading the request, which the stream outlives.
func (w *clientWatch) keepReading() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return !w.stopping && w.conn.SetReadDeadline(time.Time{}) == nil
}

func (w *clientWatch) isStopping() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stopping
}

// stop ends the watch and waits for its read to return, then clears the
// read deadline it used, so that fasthttp reads the next request as usual.
func (w *clientWatch) stop() {
	w.mu.Lock()
	w.stopping = true
	_ = w.conn.SetReadDeadline(time.Unix(1, 0))
	w.mu.Unlock()
	<-w.done
	_ = w.conn.SetReadDeadline(time.Time{})
}
