package redisbackend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/redis/go-redis/v9"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
)

// Publisher publishes events from a program that serves no SSE itself (a
// worker, a cron job, another service): they reach the clients of every
// hub on the same Redis and prefix, and enter the replay stream, exactly
// as if a hub had published them. It holds no subscription.
//
// All methods are safe for concurrent use.
type Publisher struct {
	client    redis.UniversalClient
	ownClient bool
	cfg       config
	pub       *publisher
	once      sync.Once
}

// NewPublisher connects to the Redis at redisURL (see ClientOptions) and
// returns a Publisher. Use the hubs' prefix:
//
//	p, err := redisbackend.NewPublisher(ctx, os.Getenv("REDIS_URL"),
//		redisbackend.WithPrefix("my_app"), redisbackend.WithProducer("billing"))
//	id, err := p.Publish(ctx, "orders", "order.paid", order)
func NewPublisher(ctx context.Context, redisURL string, opts ...Option) (*Publisher, error) {
	ropt, err := ClientOptions(redisURL)
	if err != nil {
		return nil, err
	}
	c := redis.NewClient(ropt)
	p, err := newPublisherFrom(ctx, c, true, opts)
	if err != nil {
		c.Close()
		return nil, err
	}
	return p, nil
}

// NewPublisherFromClient is NewPublisher over an existing go-redis client,
// which the Publisher does not close.
func NewPublisherFromClient(ctx context.Context, client redis.UniversalClient, opts ...Option) (*Publisher, error) {
	if client == nil {
		return nil, errors.New("redisbackend: nil client")
	}
	return newPublisherFrom(ctx, client, false, opts)
}

func newPublisherFrom(ctx context.Context, client redis.UniversalClient, own bool, opts []Option) (*Publisher, error) {
	cfg, err := buildConfig(opts)
	if err != nil {
		return nil, err
	}
	if cfg.producer == "" {
		cfg.producer = core.DefaultProducer
	}
	pctx, cancel := context.WithTimeout(ctx, cfg.publishTimeout)
	defer cancel()
	if err := client.Ping(pctx).Err(); err != nil {
		return nil, fmt.Errorf("redisbackend: connect: %w", err)
	}
	p := &Publisher{client: client, ownClient: own, cfg: cfg}
	p.pub = newPublisher(client, &p.cfg, newKeys(cfg.prefix))
	return p, nil
}

// Publish sends data, JSON-encoded, as event on topic (core.AllTopics: to
// every connection) and returns the event id. Options are the hub's:
// core.Where, core.Meta, core.TraceID, core.ToConn.
func (p *Publisher) Publish(ctx context.Context, topic, event string, data any, opts ...core.PublishOption) (string, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return "", fmt.Errorf("redisbackend: publish %q: encode data: %w", event, err)
	}
	return p.PublishRaw(ctx, topic, event, raw, opts...)
}

// PublishRaw is Publish with the data given as bytes: valid JSON is used
// as-is (compacted), anything else is sent as a JSON string.
func (p *Publisher) PublishRaw(ctx context.Context, topic, event string, raw []byte, opts ...core.PublishOption) (string, error) {
	if len(raw) > p.cfg.maxEventSize {
		return "", fmt.Errorf("%w: %d bytes (max %d)", core.ErrTooLarge, len(raw), p.cfg.maxEventSize)
	}
	m, err := ext.NewMessage(p.cfg.producer, topic, event, raw, opts...)
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("redisbackend: encode message: %w", err)
	}
	id, err := p.pub.publish(ctx, body)
	if err != nil {
		return "", fmt.Errorf("redisbackend: publish %q to %q: %w", event, topic, err)
	}
	return id, nil
}

// Close fails publishes still queued with core.ErrClosed and, when
// NewPublisher created the client, closes it. It is idempotent.
func (p *Publisher) Close() error {
	var err error
	p.once.Do(func() {
		p.pub.close()
		if p.ownClient {
			err = p.client.Close()
		}
	})
	return err
}
