package core_test

import (
	"testing"

	"github.com/ssekit/ssekit/ssetest"
)

// TestMain ends the package with the shared goroutine-leak check: every
// stream, ticker and server the tests started must be gone.
func TestMain(m *testing.M) { ssetest.LeakCheck(m) }
