// Package ginsse mounts ssekit's Server-Sent Events routes on Gin in one
// line:
//
//	if err := ginsse.SSE(r, "/events", hub, core.BroadcastAuth(core.BearerToken(token))); err != nil {
//		log.Fatal(err)
//	}
//
// (hub is a *core.Hub from core.NewHub; go get github.com/ssekit/ssekit/ginsse).
// It registers GET /events (the stream), GET /events/stats and
// POST /events/broadcast on any gin.IRoutes (the engine or a router group),
// with the same behaviour, options and bytes on the wire as core.Mount: the
// adapter only translates between *gin.Context and core, which holds all
// behaviour.
//
// Hooks that need what Gin middleware stored on the context (c.Set) use
// this package's Authorize, OnConnect, BroadcastAuth and StatsAuth, which
// receive the *gin.Context; Context reads it from any core hook's request.
//
// Gin pitfalls and what this package does about them:
//   - The stream does not use c.Stream or c.SSEvent: it neither spins nor
//     misses a disconnect (the request context ends the stream) and it
//     never calls the deprecated CloseNotify, which panics on writers that
//     lack it.
//   - http.Server.WriteTimeout: each batch of writes gets its own deadline
//     through http.ResponseController (core.WithWriteTimeout), which reaches
//     the connection through gin's writer.
//   - gin-contrib/gzip compresses the stream (it still flushes each batch)
//     and, with WithMinLength, holds small events back. Exclude the stream:
//     gzip.WithExcludedPaths([]string{"/events"}), or Skipper in
//     gzip.WithCustomShouldCompressFn.
//   - gin-contrib/timeout buffers the whole response, which never ends for a
//     stream: do not put it on the stream route.
//
// What ssekit guarantees (ordering, resume without gaps or duplicates, what
// happens to slow clients) and where its limits are (event size, queue and
// replay bounds) is stated once, in the README's [Guarantees and limits].
//
// [Guarantees and limits]: https://github.com/ssekit/ssekit#guarantees-and-limits
package ginsse
