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
// gives a stream no disconnect signal, so a failed write or flush is the
// disconnect: keep the hub's heartbeat on (core.WithHeartbeat), or an idle
// stream whose client left lives until the next event. app.Shutdown ends
// open streams; hub.Shutdown ends them with a final retry hint.
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
