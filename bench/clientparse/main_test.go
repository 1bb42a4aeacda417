package clientparse_test

import (
	"testing"

	"github.com/ssekit/ssekit/ssetest"
)

func TestMain(m *testing.M) { ssetest.LeakCheck(m) }
