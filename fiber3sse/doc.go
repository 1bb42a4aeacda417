// Package fiber3sse mounts ssekit's Server-Sent Events routes on Fiber v3 in
// one line:
//
//	hub, _ := core.NewHub()
//	app := fiber.New(fiber3sse.Config(fiber.Config{ErrorHandler: fiber3sse.ErrorHandler}))
//	if err := fiber3sse.SSE(app, "/events", hub, core.BroadcastAuth(core.BearerToken(token))); err != nil { … }
//
// registers GET /events (the stream), GET /events/stats and
// POST /events/broadcast on any fiber.Router (the app or a group), with the
// same behaviour, options and bytes on the wire as core.Mount: the adapter
// only translates between fiber.Ctx and core, which holds all behaviour. It
// is the Fiber v3 twin of package fibersse (Fiber v2); both can live in one
// program.
//
// The stream is written natively through c.SendStreamWriter (fasthttp's body
// stream writer), never through the net/http adaptor. Fiber pools its Ctx
// and reuses it once the handler returns, so the handler copies what the
// stream needs (the request, as an *http.Request of copied strings, and the
// connection) and the writer never touches the Ctx; no c.Abandon is needed.
//
// fasthttp gives a stream no per-request close signal (RequestCtx.Done is
// closed only when the server shuts down), and a write to a closed
// connection can succeed once before the peer's reset arrives. So before
// each heartbeat the stream peeks at its socket without blocking and
// without consuming anything (MSG_PEEK|MSG_DONTWAIT, on Unix): the
// client's FIN or reset ends the stream there, within one heartbeat
// interval of the client leaving, on the stream's own goroutine (no
// goroutine, timer or read per stream for it). With heartbeats off
// (core.WithHeartbeat(0)) a client that left is noticed only when a write
// to it fails; elsewhere than Unix, likewise. Bytes the client sends during
// a stream (a pipelined request) are not read: the peek sees them as a
// client still there, and once the stream ends fasthttp reads them as the
// connection's next request, as HTTP/1.1 pipelining wants; a client that
// sent such bytes and then left is noticed when a write fails, one or two
// heartbeats later. app.Shutdown ends open streams (not detached ones,
// below); hub.Shutdown ends them with a final retry hint.
//
// # Detached streams
//
// With a hub built with core.WithDetachedStreams and KeepHijackedConns(app)
// called before app.Listen, an open stream owns no goroutine: the handler
// takes the connection over from fasthttp (RequestCtx.Hijack, fasthttp
// writing no response), core writes the response head (the headers set on
// the Ctx, by CORS middleware say, and the stream's) and hands the
// connection to the hub's writers and epoll poller. An idle stream then
// costs about 4 KiB of RSS instead of 37 (bench B7, 1k streams; about 3 KiB
// at 10k), and a client that leaves is counted as gone at once, with
// heartbeats or without. A detached stream is no longer fasthttp's:
// app.Shutdown neither waits for it nor ends it, so call hub.Shutdown
// first. KeepHijackedConns is server-wide: any other handler that hijacks
// (websockets) must then close its connection itself. Streams over TLS,
// HTTP/1.0 requests, connections that hide their descriptor and platforms
// other than Linux keep the goroutine path.
//
// Hooks that need the fiber.Ctx (c.Locals set by auth middleware) use this
// package's Authorize, OnConnect, BroadcastAuth and StatsAuth; they run
// while the Ctx is valid. Strings taken from the Ctx are only valid until
// the handler returns (unless fiber.Config.Immutable): Authorize copies the
// Access it returns, but anything an OnConnect hook keeps (conn.SetMeta)
// must be copied (strings.Clone).
//
// # Why not Fiber's own SSE middleware
//
// Fiber's SSE middleware (on Fiber's main branch, not in v3.1.0) gives
// each stream a handler, its own heartbeat ticker, a flush per write, and
// sees a client leave only when a write fails. This package writes core's
// stream: the frame is encoded once per publish, each wake-up's frames go
// out in one flush, one hub-wide ticker sends heartbeats, the data is
// ssekit's JSON envelope (so every mount sends the same bytes), a client
// that reconnects with Last-Event-ID gets what it missed, and a client that
// leaves is noticed by the peek above.
//
// # Fiber v3 pitfalls and what this package does about them
//
//   - Errors fasthttp makes before any route runs (a body over
//     Config.BodyLimit: 413; headers over Config.ReadBufferSize: 431) go to
//     Config.ErrorHandler, whose default answers in plain text. Use
//     ErrorHandler for the {"error": …} JSON of the routes.
//   - Config.WriteTimeout: fasthttp sets one deadline for the whole
//     response, from another goroutine once the stream has started; the
//     stream's writer re-applies its own deadline (core.WithWriteTimeout)
//     at every flush, so it is not cut.
//   - Config.WriteBufferSize: fasthttp copies a stream to the socket in
//     chunks of up to 4 KiB and flushes each; with the default 4 KiB buffer
//     every full chunk takes two writes. Config raises it to
//     StreamWriteBufferSize.
//   - Config.ReadTimeout: its deadline, set to read the request, is still
//     on the connection while the stream runs; nothing reads the connection
//     then (the peek bypasses deadlines), so it cuts nothing, and fasthttp
//     sets a fresh one before it reads the next request.
//   - compress, etag, cache, idempotency and logger's ${resBody} read the
//     whole body after the handler, which never ends for a stream (v3's
//     compress does so too, unlike v2's): skip the stream with their Next
//     (see Skipper).
//   - app.Shutdown waits for open connections; it closes the server's done
//     channel first, which ends the streams. Call hub.Shutdown before it
//     (app.Hooks().OnPreShutdown) to send clients the retry hint.
//   - The Content-Type is exactly text/event-stream (no charset), which
//     otelfiber recognises and skips.
//
// What ssekit guarantees (ordering, resume without gaps or duplicates, what
// happens to slow clients) and where its limits are (event size, queue and
// replay bounds) is stated once, in the README's [Guarantees and limits].
//
// [Guarantees and limits]: https://github.com/ssekit/ssekit#guarantees-and-limits
package fiber3sse
