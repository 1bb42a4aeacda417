package client_test

import (
	"testing"

	"github.com/ssekit/ssekit/ssetest"
)

// wait bounds every wait in these tests.
var wait = ssetest.Timeout

// The fuzzing engine leaves a signal goroutine behind.
func TestMain(m *testing.M) { ssetest.LeakCheck(m, "os/signal.signal_recv") }
