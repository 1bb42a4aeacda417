package sseread_test

import (
	"os"
	"testing"

	"github.com/ssekit/ssekit/bench/internal/leakcheck"
)

func TestMain(m *testing.M) { os.Exit(leakcheck.Main(m)) }
