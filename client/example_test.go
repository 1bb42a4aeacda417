package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/ssekit/ssekit/client"
	"github.com/ssekit/ssekit/core"
)

// An ssekit server publishes an order; the client decodes its payload and
// reads the envelope.
func ExampleClient_Events() {
	hub, _ := core.NewHub(core.WithProducer("shop"))
	defer hub.Shutdown(context.Background())
	ready := make(chan struct{})
	mux := http.NewServeMux()
	if err := core.Mount(mux, "/events", hub, core.OnConnect(func(*core.Conn, *http.Request) error { close(ready); return nil })); err != nil {
		panic(err)
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	go func() {
		<-ready
		hub.Publish(context.Background(), "orders", "order.paid", map[string]int{"id": 42})
	}()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, err := client.New(srv.URL + "/events?topic=orders")
	if err != nil {
		panic(err)
	}
	for ev, err := range c.Events(ctx) {
		var reset *client.ResetError
		switch {
		case errors.As(err, &reset):
			fmt.Println("refetch state:", reset.Reason)
		case err != nil:
			fmt.Println(err) // a reconnect, or the final error
		default:
			var order struct{ ID int }
			if err := ev.Decode(&order); err != nil {
				fmt.Println(err)
				continue
			}
			fmt.Println(ev.Name, order.ID, ev.Envelope.Meta["topic"], ev.Envelope.Meta["producer"])
			cancel() // or break
		}
	}
	// Output: order.paid 42 orders shop
}

// A Decoder reads the events of any SSE stream, exactly as a browser does.
func ExampleDecoder() {
	stream := "\uFEFF: a comment\r\nretry: 2500\r\nid: 7\r\nevent: greeting\r\ndata: hello\r\ndata: world\r\n\r\ndata: no id field\n\n"
	d := client.NewDecoder(strings.NewReader(stream), 0)
	for {
		f, err := d.Next()
		if err != nil {
			fmt.Println(err, d.Retry())
			return
		}
		fmt.Printf("%s %q id=%s\n", f.Event, f.Data, f.ID)
	}
	// Output:
	// greeting "hello\nworld" id=7
	// message "no id field" id=7
	// EOF 2.5s
}
