// Package echo5sse mounts ssekit's Server-Sent Events routes on Echo v5 in
// one line:
//
//	hub, _ := core.NewHub()
//	if err := echo5sse.SSE(e, "/events", hub, core.BroadcastAuth(core.BearerToken(token))); err != nil { … }
//
// registers GET /events (the stream), GET /events/stats and
// POST /events/broadcast on an *echo.Echo or an *echo.Group, with the same
// behaviour, options and bytes on the wire as core.Mount: the adapter only
// translates between *echo.Context and core, which holds all behaviour. It
// is the Echo v5 twin of package echosse (Echo v4); both can live in one
// program.
//
// Hooks that need what Echo middleware stored on the context (c.Get) use
// this package's Authorize, OnConnect, BroadcastAuth and StatsAuth, which
// receive the *echo.Context; Context reads it from any core hook's request.
//
// # Why not Echo's own streaming
//
// Echo v5 has no SSE helper. Context.Stream copies a reader into the
// response without flushing, so events would wait in the server's buffer;
// the cookbook recipe writes and flushes by hand, one goroutine and one
// ticker per client, with no replay. This package writes core's stream
// instead: the frame is encoded once per publish, each wake-up's frames go
// out in one flush, one hub-wide ticker sends heartbeats, and a client that
// reconnects with Last-Event-ID gets what it missed.
//
// # Echo v5 pitfalls and what this package does about them
//
//   - Response.Flush panics when the writer below cannot flush and drops
//     flush errors. The routes flush through http.ResponseController on the
//     writer below instead: a writer that cannot flush gets a 500 JSON
//     error, a failed flush ends the stream.
//   - http.Server.WriteTimeout (StartConfig leaves it 0; a BeforeServeFunc
//     may set it): each batch of writes gets its own deadline
//     (core.WithWriteTimeout), so a server-wide write timeout does not cut
//     the stream.
//   - StartConfig's graceful shutdown calls http.Server.Shutdown, which waits
//     for open streams until GracefulTimeout (10 s) and then gives up with
//     the streams still open. Register hub.Shutdown on the server's shutdown
//     (see Example_gracefulShutdown): streams then end at once, with a retry
//     hint.
//   - middleware.ContextTimeout: its deadline ends the stream. Skip it (see
//     Skipper).
//   - middleware.Gzip: the stream still works (each batch is flushed through
//     the compressor) but is sent gzip-encoded; skip it to save the CPU.
//   - middleware.BodyDump: it calls its handler only when the stream ends,
//     holding up to MaxResponseBytes (5 MB) per stream. Skip it.
//   - Errors returned by middleware before these routes (BodyLimit's 413,
//     auth middleware) are answered by e.HTTPErrorHandler, as
//     {"message": …}; the routes' own errors are core's {"error": …}.
//
// What ssekit guarantees (ordering, resume without gaps or duplicates, what
// happens to slow clients) and where its limits are (event size, queue and
// replay bounds) is stated once, in the README's [Guarantees and limits].
//
// [Guarantees and limits]: https://github.com/ssekit/ssekit#guarantees-and-limits
package echo5sse
