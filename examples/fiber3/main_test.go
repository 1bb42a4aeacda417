package main

import (
	"testing"

	"github.com/ssekit/ssekit/examples/internal/exampleapp"
	"github.com/ssekit/ssekit/examples/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func TestExampleContract(t *testing.T) { exampleapp.CheckContract(t) }
