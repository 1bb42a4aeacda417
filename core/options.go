package core

import (
	"context"
	"log/slog"
	"time"
)

// Defaults of NewHub, each overridable with its option.
const (
	DefaultProducer       = "ssekit"
	DefaultHeartbeat      = 15 * time.Second
	DefaultRetry          = 3 * time.Second
	DefaultQueueSize      = 1024
	DefaultMaxQueueBytes  = 4 << 20
	DefaultMaxConnections = 10000
	DefaultMaxTopics      = 32
	DefaultMaxEventSize   = 1 << 20
	DefaultWriteTimeout   = 10 * time.Second
	DefaultShutdownSpread = 5 * time.Second
)

// IdentityPolicy says what happens when an identity (see Access.Identity)
// opens one connection more than WithMaxConnectionsPerIdentity allows.
type IdentityPolicy uint8

const (
	// RefuseNewest answers the new stream request with 429.
	RefuseNewest IdentityPolicy = iota
	// CloseOldest ends the identity's oldest stream to make room.
	CloseOldest
)

type hubConfig struct {
	producer       string
	heartbeat      time.Duration
	heartbeatEvent string
	retry          time.Duration
	queueSize      int
	maxQueueBytes  int
	broker         Broker
	replaySize     int
	replayAge      time.Duration
	log            *slog.Logger
	maxConns       int
	maxPerIdentity int
	identityPolicy IdentityPolicy
	maxTopics      int
	maxEventSize   int
	writeTimeout   time.Duration
	maxLifetime    time.Duration
	shutdownSpread time.Duration
	observer       Observer
	traceIDFrom    func(context.Context) string
	detached       bool
}

// HubOption configures NewHub. An option given an invalid value makes
// NewHub return an error wrapping ErrInvalidOption.
type HubOption func(*hubConfig) error

// WithProducer sets the envelope's meta.producer (default DefaultProducer).
func WithProducer(name string) HubOption {
	return func(c *hubConfig) error {
		if name == "" {
			return invalid("WithProducer", "empty name")
		}
		c.producer = name
		return nil
	}
}

// WithHeartbeat sets how long a connection may stay silent before it gets a
// ": ping" comment (default DefaultHeartbeat; 0 disables heartbeats). One
// hub-wide ticker serves every connection.
func WithHeartbeat(d time.Duration) HubOption {
	return func(c *hubConfig) error {
		if d < 0 {
			return invalid("WithHeartbeat", "negative interval %v", d)
		}
		c.heartbeat = d
		return nil
	}
}

// WithHeartbeatEvent makes heartbeats an event named name, with empty data
// and no id, instead of a ": ping" comment. A browser's EventSource never
// shows comments, so a client-side stall watchdog on the native transport
// needs a visible event (the jsclient option heartbeatEvent). Heartbeat
// events are not counted as delivered events.
func WithHeartbeatEvent(name string) HubOption {
	return func(c *hubConfig) error {
		if err := ValidateEvent(name); err != nil {
			return invalid("WithHeartbeatEvent", "%v", err)
		}
		c.heartbeatEvent = name
		return nil
	}
}

// WithRetry sets the "retry:" reconnect hint sent when a stream opens
// (default DefaultRetry; 0 sends none).
func WithRetry(d time.Duration) HubOption {
	return func(c *hubConfig) error {
		if d < 0 {
			return invalid("WithRetry", "negative delay %v", d)
		}
		c.retry = d
		return nil
	}
}

// WithQueueSize sets how many events may wait for one connection's writer
// (default DefaultQueueSize). A connection whose queue is full is
// disconnected and counted as dropped; it never blocks a publisher.
func WithQueueSize(n int) HubOption {
	return func(c *hubConfig) error {
		if n < 1 {
			return invalid("WithQueueSize", "%d is below 1", n)
		}
		c.queueSize = n
		return nil
	}
}

// WithMaxQueueBytes caps the memory of the events that may wait for one
// connection's writer, each counting its frame and its data (default
// DefaultMaxQueueBytes), beside the event count of WithQueueSize: a
// connection whose queue would grow past it is disconnected and counted as
// dropped, as with a full queue. A single event larger than n is still
// queued when the queue is empty. Together the two
// caps bound what a stalled client holds: see "Guarantees and limits" in
// the README for the worst case per stream.
func WithMaxQueueBytes(n int) HubOption {
	return func(c *hubConfig) error {
		if n < 1 {
			return invalid("WithMaxQueueBytes", "%d is below 1", n)
		}
		c.maxQueueBytes = n
		return nil
	}
}

// WithBroker replaces the default in-memory broker (for example with the
// redisbackend module). When the broker implements ReplayLog, it is also the
// replay log. The hub does not close a broker given to it.
func WithBroker(b Broker) HubOption {
	return func(c *hubConfig) error {
		if b == nil {
			return invalid("WithBroker", "nil broker")
		}
		c.broker = b
		return nil
	}
}

// WithReplayLimits bounds the default in-memory broker's replay log: at most
// size events (default DefaultReplaySize; negative disables replay) for at
// most maxAge (default DefaultReplayMaxAge; negative: no age limit). Zero
// keeps a default. It has no effect with WithBroker.
func WithReplayLimits(size int, maxAge time.Duration) HubOption {
	return func(c *hubConfig) error {
		c.replaySize, c.replayAge = size, maxAge
		return nil
	}
}

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) HubOption {
	return func(c *hubConfig) error {
		if l == nil {
			return invalid("WithLogger", "nil logger")
		}
		c.log = l
		return nil
	}
}

// WithMaxConnections caps the hub's open streams (default
// DefaultMaxConnections; negative: no cap). A stream request over the cap
// gets 503.
func WithMaxConnections(n int) HubOption {
	return func(c *hubConfig) error {
		if n == 0 {
			return invalid("WithMaxConnections", "0 would refuse every stream")
		}
		c.maxConns = n
		return nil
	}
}

// WithMaxConnectionsPerIdentity caps the streams one identity (set by an
// Authorize hook) may hold; policy says whether the newest is refused (429)
// or the oldest is closed. Default: no cap.
func WithMaxConnectionsPerIdentity(n int, policy IdentityPolicy) HubOption {
	return func(c *hubConfig) error {
		if n < 1 {
			return invalid("WithMaxConnectionsPerIdentity", "%d is below 1", n)
		}
		c.maxPerIdentity, c.identityPolicy = n, policy
		return nil
	}
}

// WithMaxTopics caps the topics of one connection (default
// DefaultMaxTopics). A stream request for more gets 400.
func WithMaxTopics(n int) HubOption {
	return func(c *hubConfig) error {
		if n < 1 {
			return invalid("WithMaxTopics", "%d is below 1", n)
		}
		c.maxTopics = n
		return nil
	}
}

// WithMaxEventSize caps the encoded data of one event, in bytes (default
// DefaultMaxEventSize). A bigger publish fails with ErrTooLarge.
func WithMaxEventSize(n int) HubOption {
	return func(c *hubConfig) error {
		if n < 1 {
			return invalid("WithMaxEventSize", "%d is below 1", n)
		}
		c.maxEventSize = n
		return nil
	}
}

// WithWriteTimeout bounds the writes to a client (default
// DefaultWriteTimeout): every batch of writes has at least half of d and at
// most d before the write fails and the stream ends. The deadline is set
// through http.ResponseController and moved forward only when less than
// half of it is left, so a server-wide http.Server.WriteTimeout does not cut
// long streams, and a busy stream does not pay for a deadline per flush.
func WithWriteTimeout(d time.Duration) HubOption {
	return func(c *hubConfig) error {
		if d <= 0 {
			return invalid("WithWriteTimeout", "%v is not positive", d)
		}
		c.writeTimeout = d
		return nil
	}
}

// WithMaxLifetime ends every stream after d, jittered to 80-100 % so that
// clients reconnect (with their last event id) spread over time and
// rebalance across instances. Default 0: no limit.
func WithMaxLifetime(d time.Duration) HubOption {
	return func(c *hubConfig) error {
		if d < 0 {
			return invalid("WithMaxLifetime", "negative %v", d)
		}
		c.maxLifetime = d
		return nil
	}
}

// WithShutdownSpread sets how widely the final "retry:" hint is spread when
// the hub ends many streams at once (Shutdown, a broker gap, a replay log
// that cannot be read): each stream gets the retry delay plus a random
// share of spread, so a fleet of clients does not reconnect at the same
// instant (default DefaultShutdownSpread; 0: no jitter).
func WithShutdownSpread(spread time.Duration) HubOption {
	return func(c *hubConfig) error {
		if spread < 0 {
			return invalid("WithShutdownSpread", "negative %v", spread)
		}
		c.shutdownSpread = spread
		return nil
	}
}
