package redisbackend_test

import (
	"context"
	"log"
	"os"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/redisbackend"
)

// The README's Redis setup (compiled, not run): one option makes a hub
// part of a cluster.
func Example_cluster() {
	ctx := context.Background()
	b, err := redisbackend.New(ctx, os.Getenv("REDIS_URL"), redisbackend.WithPrefix("my_app"))
	if err != nil {
		log.Fatal(err)
	}
	// The hub does not close a broker it was given.
	defer b.Close()
	hub, err := core.NewHub(core.WithBroker(b)) // broker and replay log at once
	if err != nil {
		log.Fatal(err)
	}
	defer hub.Shutdown(ctx)
}

// The README's publisher for programs that serve no SSE (compiled, not
// run).
func Example_publisher() {
	ctx := context.Background()
	order := map[string]any{"id": 42}
	p, err := redisbackend.NewPublisher(ctx, os.Getenv("REDIS_URL"),
		redisbackend.WithPrefix("my_app"), redisbackend.WithProducer("billing"))
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	id, err := p.Publish(ctx, "orders", "order.paid", order, core.Where(core.Match{"user_id": "123"}))
	if err != nil {
		log.Fatal(err)
	}
	log.Println("published", id)
}
