package main

import (
	"context"
	"os"
	"time"

	"github.com/ssekit/ssekit/client"
)

// The commands and their flags.
func Example() {
	run(context.Background(), []string{"help"}, os.Stdout, os.Stderr)
	// Output:
	// usage:
	//   ssekit tail URL [--topic t]... [--last-event-id id] [--json] [--raw] [--token tok]
	//   ssekit publish URL --event e [--data json] [--topic t] [--filter k=v]... [--meta k=v]... [--token tok]
	//
	// URL is the mount, such as http://127.0.0.1:8080/events.
}

// When stdout is not a terminal, tail prints one JSON line per event: the
// ssekit envelope, or id, event and data for any other server's event.
func Example_jsonLines() {
	p := newPrinter(os.Stdout, true)
	p.print(&client.Event{ID: "1-0", Name: "order.paid", Envelope: &client.Envelope{
		ID: "1-0", Event: "order.paid", OccurredAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Data: []byte(`{"id":42}`), Meta: map[string]string{"topic": "orders"},
	}})
	p.print(&client.Event{ID: "7", Name: "message", Data: []byte("hello")})
	// Output:
	// {"id":"1-0","event":"order.paid","occurred_at":"2026-03-01T12:00:00Z","data":{"id":42},"meta":{"topic":"orders"}}
	// {"id":"7","event":"message","data":"hello"}
}
