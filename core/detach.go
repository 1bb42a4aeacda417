package core

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Detached streams (WithDetachedStreams): after the response head, an
// HTTP/1.1 stream is taken over from net/http (hijacked) and owns no
// goroutine while it is idle. A writer from a small pool (detachrun.go)
// drains whichever connections have pending events with non-blocking
// writes; only a connection whose socket buffer is full holds a goroutine,
// a blocking write under the write deadline, until it drains or is
// dropped. The OS reports closed connections (epoll EPOLLRDHUP on Linux,
// detach_linux.go). The body keeps net/http's chunked framing, so the bytes
// on the wire are those of the goroutine path.
//
// The standard library's syscall package is enough for the one thing
// needed beyond net (a readiness notification for hang-ups), so core stays
// dependency-free. Event-loop libraries such as lesismal/nbio or gnet bring
// their own HTTP server and connection types: they would replace net/http
// (and Echo and Gin, which run on it) rather than serve beside it, and put
// a third-party module under every app.

// WithDetachedStreams serves plain HTTP/1.1 streams of Stream.ServeHTTP
// (core.Mount, echosse, echo5sse, ginsse) without a goroutine per stream:
// after the response head the connection is taken from the HTTP server
// (http.ResponseController.Hijack), and a pool of about GOMAXPROCS writers
// drains connections that have events, with non-blocking writes. An idle
// stream then costs a few KiB instead of about 27 KiB. Adapters for other
// servers take the connection over themselves and call
// ext.Session.Detach: fibersse and fiber3sse do on an app whose fasthttp
// server keeps hijacked connections (their KeepHijackedConns). Heartbeats,
// resume, the write timeout, slow-client drops, Shutdown's jittered retry
// hint and the maximum lifetime behave as on the goroutine path. While the
// writers are behind (more than 1,024 streams waiting, the oldest with 8
// events or more), a publish yields the processor to them a few times
// before it returns, so publishers cannot outrun them.
//
// HTTP/2, TLS, HTTP/1.0, writers that cannot be hijacked and platforms
// without epoll (anything but Linux) keep the goroutine path: the option
// never refuses a stream. A detached stream is no longer the HTTP server's:
// http.Server.Shutdown neither waits for it nor ends it, so an app shuts
// the hub down first (Hub.Shutdown ends every stream), as it should anyway.
func WithDetachedStreams() HubOption {
	return func(c *hubConfig) error {
		c.detached = true
		return nil
	}
}

// serveDetached takes the stream over from net/http; it reports false when
// it cannot (the caller then writes the stream itself). The response
// headers are set, not yet written.
func (s *Stream) serveDetached(w http.ResponseWriter, r *http.Request, sess *session) bool {
	if !detachSupported || r.TLS != nil || !r.ProtoAtLeast(1, 1) || r.ProtoMajor != 1 {
		return false
	}
	nc, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return false
	}
	// net/http's read and write buffers are dropped with the ReadWriter:
	// a GET stream has no body to read, and the chunked body is framed
	// here.
	sess.detach(r.Context(), nc, responseHead(w.Header(), r.Close))
	return true
}

// Detachable reports whether the hub detaches streams on this platform
// (for ext.Session: an adapter that can take a connection over from its
// server then calls Detach).
func (s *session) Detachable() bool { return detachSupported && s.hub.cfg.detached }

// Detach runs the stream on nc, taken over from its server before any
// response was written, as a detached stream (for ext.Session).
func (s *session) Detach(ctx context.Context, nc net.Conn, h http.Header) {
	s.detach(ctx, nc, detachedHead(h))
}

// detachedHead is the head of a stream detached by an adapter: h (the
// adapter's and middleware's headers) with the stream's own, which win. A
// "Connection: close" in h stays.
func detachedHead(h http.Header) []byte {
	closing := strings.EqualFold(h.Get("Connection"), "close")
	streamHeaders(1, h.Set)
	return responseHead(h, closing)
}

// detach writes head and the stream's start on nc, a connection taken over
// from its server, then hands the stream to the writer pool and returns.
// A connection the poller cannot watch is written from this goroutine
// instead (serveHijacked).
func (s *session) detach(ctx context.Context, nc net.Conn, head []byte) {
	cw := &chunkWriter{nc: nc, chunks: chunks{b: head, start: -1}}
	var raw syscall.RawConn
	if sc, ok := nc.(syscall.Conn); ok {
		raw, _ = sc.SyscallConn()
	}
	d := &s.hub.detach
	dc := &dconn{d: d, s: s, nc: nc, raw: raw, running: true}
	if raw == nil || !detachSupported || d.add(dc) != nil {
		s.serveHijacked(ctx, cw)
		return
	}
	// This goroutine owns the stream until release: a hang-up or an event
	// meanwhile only marks it for the first writer run.
	s.once.Do(func() {})
	s.conn.det.Store(dc)
	if err := s.open(ctx, cw, cw); err != nil {
		if errors.Is(err, errLogUnavailable) { // the retry hint is written: end the body
			cw.end()
			_ = cw.Flush()
		}
		s.hub.log.Debug("ssekit: stream ended", "conn", s.conn.id, "err", err)
		dc.teardown()
		dc.release()
		return
	}
	_ = nc.SetWriteDeadline(time.Time{})
	dc.mu.Lock()
	dc.again = true
	dc.mu.Unlock()
	dc.release()
}

// serveHijacked writes a hijacked stream from this goroutine, for a
// connection the poller cannot watch (a listener's own net.Conn type, or
// epoll failing): a reader notices the client going away.
func (s *session) serveHijacked(ctx context.Context, cw *chunkWriter) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		_, _ = io.Copy(io.Discard, cw.nc)
		cancel()
	}()
	err := s.Run(ctx, cw)
	if err == nil || errors.Is(err, errLogUnavailable) {
		cw.chunks.end()
		err = cw.Flush()
	}
	if err != nil {
		s.hub.log.Debug("ssekit: stream ended", "conn", s.conn.id, "err", err)
	}
	_ = cw.nc.Close()
}

// responseHead is the head net/http would write for a stream: status 200,
// a Date, the handler's headers (sorted) and chunked transfer coding. A
// request that asked to close gets Connection: close, as from net/http.
func responseHead(h http.Header, closing bool) []byte {
	if closing {
		h.Set("Connection", "close")
	}
	b := make([]byte, 0, 256)
	b = append(b, "HTTP/1.1 200 OK\r\n"...)
	if _, ok := h["Date"]; !ok {
		b = append(b, "Date: "...)
		b = time.Now().UTC().AppendFormat(b, http.TimeFormat)
		b = append(b, "\r\n"...)
	}
	hb := &appendBuffer{b: b}
	_ = h.WriteSubset(hb, map[string]bool{"Transfer-Encoding": true, "Content-Length": true})
	b = append(hb.b, "Transfer-Encoding: chunked\r\n\r\n"...)
	return b
}

// appendBuffer is an io.Writer appending to a byte slice.
type appendBuffer struct{ b []byte }

func (a *appendBuffer) Write(p []byte) (int, error) {
	a.b = append(a.b, p...)
	return len(p), nil
}

// chunks builds an HTTP/1.1 chunked body in memory. Every chunk size is
// written as eight hex digits (leading zeros are valid), so its place is
// reserved before the data is known.
type chunks struct {
	b     []byte
	start int // offset of the open chunk's size line; -1 when none is open
}

const (
	chunkHead = 10      // "%08x\r\n"
	chunkMax  = 1 << 20 // a chunk is cut at the next write past this
)

// Write appends p to the open chunk.
func (c *chunks) Write(p []byte) (int, error) {
	if c.start >= 0 && len(c.b)-c.start-chunkHead >= chunkMax {
		c.close()
	}
	if c.start < 0 {
		c.start = len(c.b)
		c.b = append(c.b, "00000000\r\n"...)
	}
	c.b = append(c.b, p...)
	return len(p), nil
}

// Flush ends the open chunk; the bytes stay in the buffer.
func (c *chunks) Flush() error {
	c.close()
	return nil
}

// close ends the open chunk, dropping it when it is empty.
func (c *chunks) close() {
	if c.start < 0 {
		return
	}
	n := len(c.b) - c.start - chunkHead
	if n == 0 {
		c.b = c.b[:c.start]
	} else {
		hex := strconv.AppendUint(make([]byte, 0, 8), uint64(n), 16)
		copy(c.b[c.start+8-len(hex):], hex)
		c.b = append(c.b, "\r\n"...)
	}
	c.start = -1
}

// end ends the body: the open chunk, then the last (empty) chunk.
func (c *chunks) end() {
	c.close()
	c.b = append(c.b, "0\r\n\r\n"...)
}

// chunkWriter writes chunks to a connection with blocking writes, for the
// start of a detached stream (and hijacked streams that stay on their
// goroutine).
type chunkWriter struct {
	chunks
	nc net.Conn
}

// Flush ends the open chunk and writes everything buffered.
func (w *chunkWriter) Flush() error {
	w.close()
	if len(w.b) == 0 {
		return nil
	}
	_, err := w.nc.Write(w.b)
	w.b = w.b[:0]
	return err
}

func (w *chunkWriter) SetWriteDeadline(t time.Time) error { return w.nc.SetWriteDeadline(t) }
