package redisbackend_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
	"github.com/ssekit/ssekit/redisbackend"
)

// Two instances of one application on one Redis: an event published on
// the first reaches the second (and its clients).
func Example() {
	ctx := context.Background()
	url := "redis://127.0.0.1:6379/0"

	b1, err := redisbackend.New(ctx, url, redisbackend.WithPrefix("example_app"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b1.Close()
	hub1, _ := core.NewHub(core.WithBroker(b1)) // broker and replay log in one option
	defer hub1.Shutdown(ctx)

	b2, err := redisbackend.New(ctx, url, redisbackend.WithPrefix("example_app"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b2.Close()
	hub2, _ := core.NewHub(core.WithBroker(b2))
	defer hub2.Shutdown(ctx)

	// Watch what instance 2 receives (its SSE clients would get it too).
	got := make(chan *core.Message, 16)
	unsubscribe, _ := b2.Subscribe(ext.HandlerFunc(func(m *core.Message) { got <- m }))
	defer unsubscribe()

	if _, err := hub1.Publish(ctx, "orders", "order.created", map[string]int{"id": 42}); err != nil {
		fmt.Println(err)
		return
	}
	select {
	case m := <-got:
		fmt.Println("instance 2 received", m.Event, string(m.Data))
	case <-time.After(5 * time.Second):
		fmt.Println("nothing received")
	}
	// Output: instance 2 received order.created {"id":42}
}

// A program that serves no SSE publishes to the clients of every instance.
func ExampleNewPublisher() {
	ctx := context.Background()
	url := "redis://127.0.0.1:6379/0"

	// An app instance, to show the event arriving.
	b, err := redisbackend.New(ctx, url, redisbackend.WithPrefix("example_pub"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	got := make(chan *core.Message, 16)
	unsubscribe, _ := b.Subscribe(ext.HandlerFunc(func(m *core.Message) { got <- m }))
	defer unsubscribe()

	p, err := redisbackend.NewPublisher(ctx, url, redisbackend.WithPrefix("example_pub"), redisbackend.WithProducer("billing"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	if _, err := p.Publish(ctx, "invoices", "invoice.paid", map[string]any{"amount": 99}, core.Where(core.Match{"user_id": "123"})); err != nil {
		fmt.Println(err)
		return
	}
	select {
	case m := <-got:
		fmt.Println(m.Producer, m.Topic, m.Event, string(m.Data), m.Filter)
	case <-time.After(5 * time.Second):
		fmt.Println("nothing received")
	}
	// Output: billing invoices invoice.paid {"amount":99} map[user_id:123]
}

// Cluster-wide counts: every instance shares its figures, so any instance
// can answer for all of them.
func ExampleBroker_ClusterCount() {
	ctx := context.Background()
	b, err := redisbackend.New(ctx, "redis://127.0.0.1:6379/0",
		redisbackend.WithPrefix("my_app"),
		redisbackend.WithStats(5*time.Second, 15*time.Second, "user_id"))
	if err != nil {
		return
	}
	defer b.Close()
	hub, _ := core.NewHub(core.WithBroker(b))
	defer hub.Shutdown(ctx)

	n, err := b.ClusterCount(ctx, "user_id", "123") // connections of user 123, on every instance
	if err == nil {
		fmt.Println("user 123 has", n, "open streams")
	}
	cs, _ := b.ClusterStats(ctx) // also in hub.ClusterStats(ctx) and the stats endpoint
	_ = cs
}
