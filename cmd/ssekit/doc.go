// Command ssekit tails and publishes to an SSE stream served by ssekit (or,
// for tail, by any SSE server).
//
// Install:
//
//	go install github.com/ssekit/ssekit/cmd/ssekit@latest
//
// Usage:
//
//	ssekit tail URL [--topic t]... [--last-event-id id] [--json] [--raw] [--token tok]
//	ssekit publish URL --event e [--data json] [--topic t] [--filter k=v]... [--meta k=v]... [--token tok]
//
// URL is the mount, such as http://127.0.0.1:8080/events. tail prints the
// events as they arrive: one readable line per event on a terminal, JSON
// lines (the envelope, or {"id","event","data"} for a non-ssekit event)
// when stdout is not a terminal or with --json. It resumes across
// disconnects with Last-Event-ID, reports reconnects and resets on stderr,
// and exits 0 on Ctrl-C. publish posts to URL/broadcast with the token
// from --token or SSE_BROADCAST_TOKEN, and prints the event id; --data that
// is not JSON is sent as a JSON string.
//
// Exit status: 0 on success or interrupt, 1 when the stream or the publish
// fails, 2 for a usage error.
package main
