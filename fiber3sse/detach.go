package fiber3sse

import (
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/gofiber/fiber/v3"
	"github.com/ssekit/ssekit/core/ext"
)

// KeepHijackedConns lets app detach streams: it sets KeepHijackedConns on
// app's fasthttp server (app.Server()), which a stream of a hub built with
// core.WithDetachedStreams needs so that, once open, it owns no goroutine
// (an idle stream then costs a few KiB instead of about 37). Call it before
// app.Listen; fiber.Config has no field for it.
//
// The setting is server-wide: fasthttp then no longer closes any
// connection taken over with RequestCtx.Hijack when the hijack handler
// returns. The streams of this package close theirs (the hub does, when a
// stream ends), but every other Hijack user on the app must close its
// connection itself: a websocket handler (gofiber/contrib/websocket,
// fasthttp/websocket, whose upgraders do not close it) needs
// defer c.Close(), or each websocket that ends leaves its connection open.
// Hijacked connections are not the server's any more: app.Shutdown neither
// waits for nor ends a detached stream, so shut the hub down first
// (hub.Shutdown ends every stream with a retry hint), as an app should
// anyway.
//
// Without it, or with a hub without core.WithDetachedStreams, streams keep
// the goroutine path (fasthttp's body stream writer); so do streams over
// TLS, HTTP/1.0 requests, connections that do not expose their descriptor
// (fasthttp.Server.MaxConnsPerIP wraps them, so does app.Test) and
// platforms without epoll (anything but Linux).
func KeepHijackedConns(app *fiber.App) { app.Server().KeepHijackedConns = true }

// detach serves sess as a detached stream when it can (see
// KeepHijackedConns) and reports whether it did. The response head is the
// one the body stream writer would send: the headers set on the Ctx
// (middleware's), then the stream's (see ext.Session.Detach).
func detach(c fiber.Ctx, sess *ext.Session) bool {
	rc := c.RequestCtx()
	if !sess.Detachable() || sess.Conn() == nil || rc.IsTLS() || !rc.Request.Header.IsHTTP11() {
		return false
	}
	if srv := c.App().Server(); srv == nil || !srv.KeepHijackedConns {
		return false
	}
	nc := rc.Conn()
	if _, ok := nc.(syscall.Conn); !ok {
		return false
	}
	h := streamHead(c.GetRespHeaders())
	if rc.Request.Header.ConnectionClose() {
		h.Set("Connection", "close")
	}
	ctx := serverContext{rc.Done()}
	rc.HijackSetNoResponse(true)
	// fasthttp runs the handler on its own goroutine once this handler has
	// returned and clears the connection's deadlines first; Detach returns
	// as soon as the stream has started.
	rc.Hijack(func(net.Conn) { sess.Detach(ctx, nc, h) })
	return true
}

// streamHead is the header of a detached stream as far as the adapter
// knows it: the response headers already set (CORS and the like), copied
// out of fasthttp's buffers. Detach adds the stream's own and frames the
// body (dropping any Content-Length or Transfer-Encoding).
func streamHead(resp map[string][]string) http.Header {
	h := make(http.Header, len(resp)+4)
	for k, vs := range resp {
		for _, v := range vs {
			h.Add(strings.Clone(k), strings.Clone(v))
		}
	}
	return h
}
