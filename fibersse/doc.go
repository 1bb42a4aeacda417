// Package fibersse mounts ssekit's Server-Sent Events routes on Fiber v2 in
// one line:
//
//	if err := fibersse.SSE(app, "/events", hub, core.BroadcastAuth(core.BearerToken(token))); err != nil {
//		log.Fatal(err)
//	}
//
// (hub is a *core.Hub from core.NewHub; go get github.com/ssekit/ssekit/fibersse).
// It registers GET /events (the stream), GET /events/stats and
// POST /events/broadcast on any fiber.Router (the app or a group), with the
// same behaviour, options and bytes on the wire as core.Mount: the adapter
// only translates between *fiber.Ctx and core, which holds all behaviour.
//
// The stream is written natively through fasthttp's body stream writer,
// never through the net/http adaptor (which buffers). Because Fiber pools
// its Ctx and reuses it once the handler returns, the handler copies what the
// stream needs (the request, as an *http.Request of copied strings, and the
// connection) before it returns and the writer never touches the Ctx. fasthttp
// gives a stream no disconnect signal, so before each heartbeat the writer
// peeks at the socket (ext.PeerGone) and ends the stream of a client that
// left; keep the hub's heartbeat on (core.WithHeartbeat), or an idle stream
// whose client left lives until the next event. app.Shutdown ends
// open streams (not detached ones, below); hub.Shutdown ends them with a
// final retry hint.
//
// # Detached streams
//
// With a hub built with core.WithDetachedStreams and KeepHijackedConns(app)
// called before app.Listen, an open stream owns no goroutine: the handler
// takes the connection over from fasthttp (RequestCtx.Hijack, fasthttp
// writing no response), core writes the response head (the headers set on
// the Ctx, by CORS middleware say, and the stream's) and hands the
// connection to the hub's writers and epoll poller. An idle stream then
// costs about 4 KiB of RSS instead of 33 (bench B7, 1k streams; about 3 KiB
// at 10k), and a client that leaves is counted as gone at once, with
// heartbeats or without. A detached stream is no longer fasthttp's:
// app.Shutdown neither waits for it nor ends it, so call hub.Shutdown
// first. KeepHijackedConns is server-wide: any other handler that hijacks
// (websockets) must then close its connection itself. Streams over TLS,
// HTTP/1.0 requests, connections that hide their descriptor and platforms
// other than Linux keep the goroutine path.
//
// Hooks that need the *fiber.Ctx (c.Locals set by auth middleware) use this
// package's Authorize, OnConnect, BroadcastAuth and StatsAuth; they run
// while the Ctx is valid. Strings taken from the Ctx are only valid until the
// handler returns (unless fiber.Config.Immutable): Authorize copies the
// Access it returns, but anything an OnConnect hook keeps (conn.SetMeta)
// must be copied with utils.CopyString.
//
// Fiber pitfalls and what this package does about them:
//   - fiber.Config.WriteBufferSize: with the 4 KiB default, every full chunk
//     of a busy stream costs fasthttp two write syscalls; Config raises it
//     to StreamWriteBufferSize (one write per chunk, about 0.75 KiB more
//     per open stream).
//   - fiber.Config.WriteTimeout: fasthttp sets one deadline for the whole
//     response, from another goroutine once the stream has started; the
//     stream's writer re-applies its own deadline (core.WithWriteTimeout)
//     at every flush, so it is not cut.
//   - etag, cache, idempotency and logger's ${resBody} read the whole body
//     after the handler, which blocks forever on a stream: skip the stream
//     route with their Next (see Skipper).
//   - compress still streams (fasthttp flushes each chunk) but compressed:
//     skip it with Next.
//   - The Content-Type is exactly text/event-stream (no charset), which
//     otelfiber recognises and skips.
//
// What ssekit guarantees (ordering, resume without gaps or duplicates, what
// happens to slow clients) and where its limits are (event size, queue and
// replay bounds) is stated once, in the README's [Guarantees and limits].
//
// [Guarantees and limits]: https://github.com/ssekit/ssekit#guarantees-and-limits
package fibersse
