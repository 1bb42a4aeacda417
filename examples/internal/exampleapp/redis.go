package exampleapp

import (
	"context"
	"os"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/redisbackend"
)

// RedisPrefix is the key prefix every example (and examples/publisher)
// uses, so that they all see each other's events; REDIS_PREFIX overrides
// it.
const RedisPrefix = "ssekit_examples"

func init() {
	NewBroker = func(ctx context.Context, url, producer string) (core.Broker, func() error, error) {
		prefix := os.Getenv("REDIS_PREFIX")
		if prefix == "" {
			prefix = RedisPrefix
		}
		b, err := redisbackend.New(ctx, url,
			redisbackend.WithPrefix(prefix),
			// Share per-user connection counts with the cluster: the
			// stats endpoint and Broker.ClusterCount answer for every
			// instance.
			redisbackend.WithStats(0, 0, "user_id"))
		if err != nil {
			return nil, nil, err
		}
		return b, b.Close, nil
	}
}
