package jsclient_test

import (
	"testing"

	"github.com/ssekit/ssekit/ssetest"
)

// TestMain fails the package when goroutines started by the tests are
// still running once they are done.
func TestMain(m *testing.M) { ssetest.LeakCheck(m) }
