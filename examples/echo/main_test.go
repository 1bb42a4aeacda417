package main

import (
	"testing"

	"github.com/ssekit/ssekit/examples/internal/exampleapp"
	"github.com/ssekit/ssekit/ssetest"
)

func TestMain(m *testing.M) { ssetest.LeakCheck(m) }

func TestExampleContract(t *testing.T) { exampleapp.CheckContract(t) }

func TestPrintedCurlLinesWorkAndCtrlCExitsZero(t *testing.T) { exampleapp.CheckTryIt(t) }
