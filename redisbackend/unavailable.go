package redisbackend

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
	"github.com/ssekit/ssekit/core"
)

// unavailableReplies are the Redis error replies that mean "not now": the
// server is loading its data, is a replica, lost its master, is out of
// memory, busy with a script, or its cluster is down or resharding.
var unavailableReplies = []string{"LOADING", "READONLY", "MASTERDOWN", "OOM", "BUSY", "CLUSTERDOWN", "TRYAGAIN"}

// unavailable wraps err with core.ErrUnavailable when it means Redis
// cannot be reached or cannot take the command now, so that callers (and
// the broadcast route's 503) can tell it from a bad request.
func unavailable(err error) error {
	if err == nil || errors.Is(err, core.ErrUnavailable) || errors.Is(err, core.ErrClosed) {
		return err
	}
	if isUnavailable(err) {
		return fmt.Errorf("%w: %w", core.ErrUnavailable, err)
	}
	return err
}

func isUnavailable(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false // the caller gave up
	}
	var re redis.Error
	if !errors.As(err, &re) || errors.Is(err, context.DeadlineExceeded) {
		// A network error, a timeout, a closed pool: Redis is not there.
		return true
	}
	msg := re.Error()
	for _, p := range unavailableReplies {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}
