package client_test

import (
	"context"
	"errors"
	"log"
	"net/http"

	"github.com/ssekit/ssekit/client"
)

// The README's Go client (compiled, not run: it reads a server on
// 127.0.0.1:8080 until ctx ends).
func Example_readme() {
	ctx := context.Background()
	freshToken := func() string { return "token" }
	refetchState := func() {}
	type Order struct{ ID int }

	c, err := client.New("http://127.0.0.1:8080/events?topic=orders",
		client.WithHeaders(func(ctx context.Context, h http.Header) error { // per attempt
			h.Set("Authorization", "Bearer "+freshToken())
			return nil
		}))
	if err != nil {
		log.Fatal(err)
	}
	for ev, err := range c.Events(ctx) {
		switch {
		case errors.Is(err, client.ErrReset):
			refetchState() // the server could not replay what was missed
		case err != nil:
			log.Print(err) // a *ReconnectError, or the final error (204, 401, ...)
		default:
			var order Order
			_ = ev.Decode(&order) // the envelope's data; ev.Envelope has id, occurred_at, meta
		}
	}
}
