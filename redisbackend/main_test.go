package redisbackend_test

import (
	"testing"

	"github.com/ssekit/ssekit/ssetest"
)

// TestMain ends the package's tests with the shared goroutine-leak check,
// after the Redis server the tests shared is stopped.
func TestMain(m *testing.M) {
	ssetest.BeforeLeakCheck(func() {
		if shared != nil {
			shared.stop()
		}
	})
	ssetest.LeakCheck(m)
}
