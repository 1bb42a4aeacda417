// Package clientparse holds the client-side parser benchmark: ssekit's
// client.Decoder (and its whole Events loop) against go-sse's sse.Read and
// r3labs/sse's client, all reading the same in-memory stream of ssekit
// frames. It has no code of its own; run
//
//	go test -run '^$' -bench ClientParse -benchmem ./clientparse
//
// ns/op, B/op and allocs/op are per event; events/s is reported too.
package clientparse
