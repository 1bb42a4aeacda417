// Package client is a Server-Sent Events client for Go that never loses an
// event: it reconnects on every disconnect, clean or not, and resumes with
// Last-Event-ID, with the standard library only.
//
//	c, err := client.New("http://127.0.0.1:8080/events?topic=orders")
//	...
//	for ev, err := range c.Events(ctx) {
//		if err != nil {
//			if errors.Is(err, client.ErrReset) {
//				refetch() // the server could not resume: events may be missing
//			}
//			log.Print(err) // reconnects are reported too; the loop ends after a final error
//			continue
//		}
//		var order Order
//		if err := ev.Decode(&order); err != nil { ... }
//		log.Print(ev.Name, ev.Envelope.Meta["topic"], order)
//	}
//
// # Why an iterator
//
// tmaxmax/go-sse's client registers callbacks on a Connection
// (SubscribeEvent, SubscribeToAll, each returning an unsubscribe function)
// and then blocks in Connect; errors and reconnects go to yet other hooks
// (OnRetry, ResponseValidator). Control flow is split over closures that run
// on the client's goroutine, so a handler that wants to stop, return an
// error, or share state with the code around it needs channels or
// captured variables. Since Go 1.23 a range-over-func iterator gives the
// same streaming with ordinary control flow: the loop body is the handler,
// break (or cancelling ctx) stops and closes the connection, and reconnects,
// resets and the final error arrive in the same loop as values the caller
// can switch on. There is nothing to unsubscribe and no goroutine of the
// client's own to leak. (go-sse's sse.Read iterator reads one response,
// with no reconnect or resume; Events is that plus everything this package
// is for.)
//
// # What it guarantees
//
//   - Parsing exactly per the WHATWG standard (Decoder): CRLF, LF and CR line
//     ends, even split across reads; a leading BOM; comments; retry hints;
//     an id with NUL ignored; multi-line data; no line-length limit below
//     the maximum event size (WithMaxEventSize); no allocation per line.
//   - Every disconnect is followed by a reconnect, after the server's retry
//     hint with jittered exponential backoff capped by WithMaxDelay, sending
//     Last-Event-ID. Events stops only when ctx is done, on 204, on a status
//     the retry policy refuses (WithRetryStatus: by default every 4xx but
//     408, 425 and 429), on a response that is not text/event-stream, and on
//     an event over the maximum size.
//   - A stall watchdog (WithStallTimeout) drops and resumes a connection that
//     sends no byte, not even a heartbeat comment, for the timeout.
//   - ssekit's envelope is decoded (Event.Envelope, Event.Decode); WithRaw
//     reads any other SSE server. An ssekit.reset event arrives as a
//     *ResetError (errors.Is(err, ErrReset)) so the application refetches.
//   - Request headers are built per attempt (WithHeaders, for a refreshed
//     token); any *http.Client (WithHTTPClient), HTTP/2 included.
//
// What ssekit guarantees (ordering, resume without gaps or duplicates, what
// happens to slow clients) and where its limits are (event size, queue and
// replay bounds) is stated once, in the README's [Guarantees and limits].
//
// [Guarantees and limits]: https://github.com/ssekit/ssekit#guarantees-and-limits
package client
