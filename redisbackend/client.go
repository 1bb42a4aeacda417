package redisbackend

import (
	"fmt"
	"net/url"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// ClientOptions parses a Redis URL into go-redis options, as New does:
//
//	redis://localhost:6379/0            plain TCP, database 0
//	redis://user:password@host:6379/2   ACL user and password (or :password@ alone)
//	rediss://host:6380/0                TLS (server name from the host)
//
// go-redis query parameters (dial_timeout, pool_size, skip_verify, …) are
// honoured. Two defaults differ from go-redis's, because a publish must
// fail promptly and never run twice: context deadlines bound every command
// (ContextTimeoutEnabled), and a failed command is not retried unless the
// URL sets max_retries (a retry after a lost reply would publish the event
// twice under two ids).
func ClientOptions(redisURL string) (*redis.Options, error) {
	u, err := url.Parse(redisURL)
	if err != nil {
		return nil, fmt.Errorf("redisbackend: parse URL: %w", err)
	}
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, fmt.Errorf("redisbackend: parse URL %q: %w", u.Redacted(), err)
	}
	opt.ContextTimeoutEnabled = true
	if !u.Query().Has("max_retries") {
		opt.MaxRetries = -1
	}
	// Maintenance notifications need a Redis Enterprise/Cloud handshake that
	// a plain redis-server refuses.
	if opt.MaintNotificationsConfig == nil {
		opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	}
	return opt, nil
}
