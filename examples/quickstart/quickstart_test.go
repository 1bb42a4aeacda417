package main

import (
	"os"
	"strings"
	"testing"

	"github.com/ssekit/ssekit/ssetest"
)

// TestREADMEQuickStartIsThisProgram keeps the README honest: its net/http
// quick start is this file, verbatim, and this file compiles with the
// module.
func TestREADMEQuickStartIsThisProgram(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```go\n"+string(src)+"```") {
		t.Fatal("README.md's quick start differs from examples/quickstart/main.go: update one from the other")
	}
}

func TestMain(m *testing.M) { ssetest.LeakCheck(m) }
