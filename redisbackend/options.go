package redisbackend

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Defaults of New and NewPublisher, each overridable with its option.
const (
	DefaultPrefix           = "ssekit"
	DefaultStreamMaxLen     = 10000
	DefaultStreamMaxAge     = 10 * time.Minute
	DefaultPublishTimeout   = 2 * time.Second
	DefaultPublishBatch     = 256
	DefaultPublishWorkers   = 4
	DefaultHealthCheck      = 3 * time.Second
	DefaultBackoffMin       = 100 * time.Millisecond
	DefaultBackoffMax       = 5 * time.Second
	DefaultStatsInterval    = 5 * time.Second
	DefaultStatsTTLMultiple = 3
)

type config struct {
	prefix         string
	producer       string
	maxLen         int64
	maxAge         time.Duration
	publishTimeout time.Duration
	batch          int
	workers        int
	healthCheck    time.Duration
	backoffMin     time.Duration
	backoffMax     time.Duration
	statsInterval  time.Duration
	statsTTL       time.Duration
	statsKeys      []string
	maxEventSize   int
	log            *slog.Logger
}

func defaultConfig() config {
	return config{
		prefix:         DefaultPrefix,
		maxLen:         DefaultStreamMaxLen,
		maxAge:         DefaultStreamMaxAge,
		publishTimeout: DefaultPublishTimeout,
		batch:          DefaultPublishBatch,
		workers:        DefaultPublishWorkers,
		healthCheck:    DefaultHealthCheck,
		backoffMin:     DefaultBackoffMin,
		backoffMax:     DefaultBackoffMax,
		statsInterval:  DefaultStatsInterval,
		maxEventSize:   1 << 20,
		log:            slog.Default(),
	}
}

// Option configures New and NewPublisher. An option given an invalid value
// makes the constructor return an error.
type Option func(*config) error

// WithPrefix names the keys and the channel of one application, so that
// several applications share one Redis (default DefaultPrefix). Every key
// is "{prefix}:…": the braces make it a Redis Cluster hash tag, so the
// stream and the channel of one prefix live on one shard and the publish
// script can write both atomically. Hubs and publishers that should see
// each other's events use the same prefix.
func WithPrefix(prefix string) Option {
	return func(c *config) error {
		if prefix == "" || strings.ContainsAny(prefix, "{} \r\n") {
			return fmt.Errorf("redisbackend: WithPrefix: %q: want a non-empty name without braces or spaces", prefix)
		}
		c.prefix = prefix
		return nil
	}
}

// WithStreamLimits bounds the Redis Stream that serves replay: about
// maxLen entries (trimmed with MAXLEN ~, default DefaultStreamMaxLen) no
// older than about maxAge (trimmed with MINID ~, default
// DefaultStreamMaxAge; negative: no age limit). Zero keeps a default. A
// client whose Last-Event-ID was trimmed away gets the reset event.
func WithStreamLimits(maxLen int64, maxAge time.Duration) Option {
	return func(c *config) error {
		if maxLen < 0 {
			return fmt.Errorf("redisbackend: WithStreamLimits: negative length %d", maxLen)
		}
		if maxLen > 0 {
			c.maxLen = maxLen
		}
		if maxAge != 0 {
			c.maxAge = maxAge
		}
		return nil
	}
}

// WithPublishTimeout bounds one publish round trip to Redis (default
// DefaultPublishTimeout): while Redis is unreachable, Publish fails after
// at most this long instead of hanging.
func WithPublishTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("redisbackend: WithPublishTimeout: %v is not positive", d)
		}
		c.publishTimeout = d
		return nil
	}
}

// WithPublishBatching sets how many publishing connections work at once
// (default DefaultPublishWorkers) and how many publishes one of them sends
// in a single pipeline (default DefaultPublishBatch). Under load, publishes
// that queue up while a pipeline is in flight go out together in the next.
func WithPublishBatching(workers, batch int) Option {
	return func(c *config) error {
		if workers < 1 || batch < 1 {
			return fmt.Errorf("redisbackend: WithPublishBatching: workers %d and batch %d must be at least 1", workers, batch)
		}
		c.workers, c.batch = workers, batch
		return nil
	}
}

// WithReconnect sets the bounds of the subscriber's exponential backoff,
// with jitter, between attempts to reach Redis again (default
// DefaultBackoffMin to DefaultBackoffMax), and how long the subscription
// may stay silent before it is pinged; a ping unanswered for as long again
// means a dead connection (default DefaultHealthCheck).
func WithReconnect(minBackoff, maxBackoff, healthCheck time.Duration) Option {
	return func(c *config) error {
		if minBackoff <= 0 || maxBackoff < minBackoff || healthCheck <= 0 {
			return fmt.Errorf("redisbackend: WithReconnect: want 0 < min (%v) <= max (%v) and a positive health check (%v)", minBackoff, maxBackoff, healthCheck)
		}
		c.backoffMin, c.backoffMax, c.healthCheck = minBackoff, maxBackoff, healthCheck
		return nil
	}
}

// WithStats sets how often this instance writes its connection counts to
// Redis (default DefaultStatsInterval) and how long they live there
// (default three intervals): an instance that stops refreshing them, because
// it died, leaves the cluster figures after ttl. keys names metadata keys,
// such as "user_id", whose per-value counts are shared too, so that
// Broker.ClusterCount can answer "connections of user 123" for the whole
// cluster.
func WithStats(interval, ttl time.Duration, keys ...string) Option {
	return func(c *config) error {
		if interval < 0 || ttl < 0 || (ttl > 0 && interval > 0 && ttl <= interval) {
			return fmt.Errorf("redisbackend: WithStats: want a ttl (%v) longer than the interval (%v)", ttl, interval)
		}
		if interval > 0 {
			c.statsInterval = interval
		}
		c.statsTTL = ttl
		c.statsKeys = append([]string(nil), keys...)
		return nil
	}
}

// WithProducer sets the envelope's meta.producer of events sent through a
// Publisher (default core.DefaultProducer). A hub sets its own.
func WithProducer(name string) Option {
	return func(c *config) error {
		if name == "" {
			return fmt.Errorf("redisbackend: WithProducer: empty name")
		}
		c.producer = name
		return nil
	}
}

// WithMaxEventSize caps the data of one event published through a
// Publisher, in bytes (default core.DefaultMaxEventSize).
func WithMaxEventSize(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("redisbackend: WithMaxEventSize: %d is below 1", n)
		}
		c.maxEventSize = n
		return nil
	}
}

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return fmt.Errorf("redisbackend: WithLogger: nil logger")
		}
		c.log = l
		return nil
	}
}

func buildConfig(opts []Option) (config, error) {
	c := defaultConfig()
	for _, o := range opts {
		if err := o(&c); err != nil {
			return c, err
		}
	}
	if c.statsTTL == 0 {
		c.statsTTL = DefaultStatsTTLMultiple * c.statsInterval
	}
	return c, nil
}

// keys are the Redis names of one prefix, all in one hash slot.
type keys struct {
	stream, channel, nodes, nodePrefix string
}

func newKeys(prefix string) keys {
	tag := "{" + prefix + "}"
	return keys{
		stream:     tag + ":stream",
		channel:    tag + ":events",
		nodes:      tag + ":nodes",
		nodePrefix: tag + ":node:",
	}
}
