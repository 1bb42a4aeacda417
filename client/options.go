package client

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Defaults.
const (
	// DefaultMaxEventSize is twice an ssekit server's default maximum
	// event data (1 MiB), which leaves room for the envelope around it.
	DefaultMaxEventSize = 2 << 20
	// DefaultRetry is the reconnect delay until the server sends a retry
	// hint (what browsers use).
	DefaultRetry = 3 * time.Second
	// DefaultMaxDelay caps the exponential backoff.
	DefaultMaxDelay = 30 * time.Second
	// DefaultStallTimeout is three times an ssekit server's default
	// heartbeat interval (15 s).
	DefaultStallTimeout = 45 * time.Second
)

// Option configures a Client.
type Option func(*config) error

type config struct {
	http        *http.Client
	headers     func(context.Context, http.Header) error
	lastEventID string
	raw         bool
	maxEvent    int
	retry       time.Duration
	maxDelay    time.Duration
	stall       time.Duration
	retryStatus func(int) bool
}

func defaultConfig() config {
	return config{
		http:        http.DefaultClient,
		maxEvent:    DefaultMaxEventSize,
		retry:       DefaultRetry,
		maxDelay:    DefaultMaxDelay,
		stall:       DefaultStallTimeout,
		retryStatus: RetryableStatus,
	}
}

// RetryableStatus is the default retry policy: 408, 425, 429 and every 5xx
// are retried; any other status ends Events.
func RetryableStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests:
		return true
	}
	return code >= 500
}

// WithHTTPClient sends the requests with c (default http.DefaultClient). Its
// Timeout must be zero, or it would cut every stream.
func WithHTTPClient(c *http.Client) Option {
	return func(cfg *config) error {
		if c == nil {
			return fmt.Errorf("client: WithHTTPClient: nil client")
		}
		if c.Timeout != 0 {
			return fmt.Errorf("client: WithHTTPClient: Timeout %v would cut every stream; use WithStallTimeout", c.Timeout)
		}
		cfg.http = c
		return nil
	}
}

// WithHeaders calls fn before every attempt to set its request headers (a
// freshly refreshed bearer token, say). An error from fn counts as a failed
// attempt and is retried with backoff.
func WithHeaders(fn func(ctx context.Context, h http.Header) error) Option {
	return func(cfg *config) error {
		cfg.headers = fn
		return nil
	}
}

// WithLastEventID makes the first attempt resume after id.
func WithLastEventID(id string) Option {
	return func(cfg *config) error {
		cfg.lastEventID = id
		return nil
	}
}

// WithRaw turns envelope decoding off, for servers other than ssekit:
// Event.Envelope stays nil, Decode reads Data, and an event named
// ssekit.reset is an ordinary event.
func WithRaw() Option {
	return func(cfg *config) error {
		cfg.raw = true
		return nil
	}
}

// WithMaxEventSize caps one event (and one line) in bytes (default
// DefaultMaxEventSize). A bigger event ends Events with ErrEventTooLarge.
func WithMaxEventSize(n int) Option {
	return func(cfg *config) error {
		if n < 1 {
			return fmt.Errorf("client: WithMaxEventSize: %d is below 1", n)
		}
		cfg.maxEvent = n
		return nil
	}
}

// WithRetry sets the reconnect delay used until the server sends a retry
// hint (default DefaultRetry).
func WithRetry(d time.Duration) Option {
	return func(cfg *config) error {
		if d <= 0 {
			return fmt.Errorf("client: WithRetry: %v is not positive", d)
		}
		cfg.retry = d
		return nil
	}
}

// WithMaxDelay caps the exponential backoff (default DefaultMaxDelay). A
// server's retry hint above it is still honoured.
func WithMaxDelay(d time.Duration) Option {
	return func(cfg *config) error {
		if d <= 0 {
			return fmt.Errorf("client: WithMaxDelay: %v is not positive", d)
		}
		cfg.maxDelay = d
		return nil
	}
}

// WithStallTimeout drops and resumes a connection that sends no byte for d
// (default DefaultStallTimeout; 0 turns the watchdog off). Set it to a few
// times the server's heartbeat interval.
func WithStallTimeout(d time.Duration) Option {
	return func(cfg *config) error {
		if d < 0 {
			return fmt.Errorf("client: WithStallTimeout: negative timeout %v", d)
		}
		cfg.stall = d
		return nil
	}
}

// WithRetryStatus sets which HTTP statuses are retried (default
// RetryableStatus). 204 is never retried: it means stop.
func WithRetryStatus(retry func(code int) bool) Option {
	return func(cfg *config) error {
		if retry == nil {
			return fmt.Errorf("client: WithRetryStatus: nil policy")
		}
		cfg.retryStatus = retry
		return nil
	}
}
