// Package echosse mounts ssekit's Server-Sent Events routes on Echo v4 in
// one line:
//
//	if err := echosse.SSE(e, "/events", hub, core.BroadcastAuth(core.BearerToken(token))); err != nil {
//		log.Fatal(err)
//	}
//
// (hub is a *core.Hub from core.NewHub; go get github.com/ssekit/ssekit/echosse).
// It registers GET /events (the stream), GET /events/stats and
// POST /events/broadcast on an *echo.Echo or an *echo.Group, with the same
// behaviour, options and bytes on the wire as core.Mount: the adapter only
// translates between echo.Context and core, which holds all behaviour.
//
// Hooks that need what Echo middleware stored on the context (c.Get) use
// this package's Authorize, OnConnect, BroadcastAuth and StatsAuth, which
// receive the echo.Context; Context reads it from any core hook's request.
//
// Echo pitfalls and what this package does about them:
//   - http.Server.WriteTimeout (e.Server.WriteTimeout): each batch of writes
//     gets its own deadline through http.ResponseController
//     (core.WithWriteTimeout), so a server-wide write timeout does not cut
//     the stream.
//   - middleware.Timeout: its writer cannot flush; the stream answers 500
//     with a JSON error instead of Echo's Response.Flush panic. Skip the
//     stream route with the middleware's Skipper (see Skipper).
//   - middleware.ContextTimeout: its deadline ends the stream. Skip it.
//   - middleware.Gzip: the stream still works (each batch is flushed through
//     the compressor) but is sent gzip-encoded; skip it to save the CPU.
//   - middleware.BodyDump: it copies the whole response into memory, which
//     never ends for a stream. Skip it.
//
// What ssekit guarantees (ordering, resume without gaps or duplicates, what
// happens to slow clients) and where its limits are (event size, queue and
// replay bounds) is stated once, in the README's [Guarantees and limits].
//
// [Guarantees and limits]: https://github.com/ssekit/ssekit#guarantees-and-limits
package echosse
