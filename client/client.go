package client

import (
	"context"
	"fmt"
	"iter"
	"math/rand/v2"
	"net/url"
	"sync"
	"time"
)

// Client reads one event stream, reconnecting on every disconnect. Create
// it with New and read it with Events. A Client is safe for concurrent use,
// but its streams share one last event ID: run one Events loop at a time.
type Client struct {
	url string
	cfg config

	mu     sync.Mutex
	lastID string
}

// New returns a Client for the stream at rawURL (http or https).
func New(rawURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("client: %q is not an http or https URL", rawURL)
	}
	c := &Client{url: rawURL, cfg: defaultConfig()}
	for _, o := range opts {
		if err := o(&c.cfg); err != nil {
			return nil, err
		}
	}
	c.lastID = c.cfg.lastEventID
	return c, nil
}

// LastEventID returns the id the next connection resumes from.
func (c *Client) LastEventID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastID
}

func (c *Client) setLastID(id string) {
	c.mu.Lock()
	c.lastID = id
	c.mu.Unlock()
}

// Events connects and yields the stream's events until ctx is done (the
// sequence then simply ends) or a final error. Each disconnect, clean or
// not, is yielded as a *ReconnectError; Events then waits (the server's
// retry hint, with jittered exponential backoff up to WithMaxDelay) and
// resumes with Last-Event-ID. An ssekit.reset event is yielded as a
// *ResetError. Both are temporary (see Temporary): the loop goes on. Any
// other error (a 204, a status the retry policy refuses, a
// *ContentTypeError, ErrEventTooLarge) is the last value yielded.
//
// An Event and its Data are the caller's to keep.
func (c *Client) Events(ctx context.Context) iter.Seq2[*Event, error] {
	return func(yield func(*Event, error) bool) {
		s := &stream{c: c, retry: c.cfg.retry}
		for {
			err, more := s.connect(ctx, yield)
			if !more || ctx.Err() != nil {
				return
			}
			if !retryable(err) {
				yield(nil, err)
				return
			}
			wait := s.delay(err)
			if !yield(nil, &ReconnectError{Err: err, Attempt: s.failures, Wait: wait, LastEventID: c.LastEventID()}) {
				return
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}
}

// stream is the reconnect state of one Events loop.
type stream struct {
	c        *Client
	retry    time.Duration // the server's hint, or the configured delay
	failures int           // attempts since the last open connection
}

// delay returns the wait before the next attempt: at least the retry hint
// (or a longer Retry-After), and up to twice the previous ceiling per
// consecutive failure, capped at WithMaxDelay.
func (s *stream) delay(cause error) time.Duration {
	s.failures++
	base := s.retry
	if se, ok := cause.(*StatusError); ok && se.RetryAfter > base {
		base = se.RetryAfter
	}
	ceiling := s.c.cfg.maxDelay
	if s.failures < 30 && base<<s.failures < ceiling {
		ceiling = base << s.failures
	}
	if ceiling <= base {
		return base
	}
	return base + rand.N(ceiling-base+1)
}
