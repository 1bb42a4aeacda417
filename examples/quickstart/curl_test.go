package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssekit/ssekit/examples/internal/exampleapp"
)

// readmeCurls returns the commands of the README's curl block that follows
// the quick start, continuation lines joined.
func readmeCurls(t *testing.T) []string {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "## Quick start (net/http)")
	if !ok {
		t.Fatal("README.md has no \"## Quick start (net/http)\" section")
	}
	_, block, ok := strings.Cut(after, "```sh\n")
	if !ok {
		t.Fatal("the quick start has no ```sh block")
	}
	block, _, _ = strings.Cut(block, "```")
	var cmds []string
	for _, l := range strings.Split(strings.ReplaceAll(block, "\\\n", " "), "\n") {
		if strings.HasPrefix(l, "curl ") {
			cmds = append(cmds, l)
		}
	}
	return cmds
}

// TestREADMECurlLinesWorkAgainstTheQuickStart runs the quick start (on a
// free port instead of 8080, through ADDR) and the README's curl lines
// against it, as printed: a stream opens, the pay route publishes
// order.paid to it, the broadcast with the README's token reaches it, and
// stats count it.
func TestREADMECurlLinesWorkAgainstTheQuickStart(t *testing.T) {
	const wait = 15 * time.Second
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("SKIPPED LOUDLY: curl is not installed, so the README's curl lines cannot be tried")
	}
	cmds := readmeCurls(t)
	if len(cmds) != 4 {
		t.Fatalf("the README's quick start has %d curl lines, want 4 (stream, pay, broadcast, stats): %q", len(cmds), cmds)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	bin := filepath.Join(t.TempDir(), "quickstart")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	srv := exec.Command(bin)
	srv.Env = append(os.Environ(), "ADDR="+addr)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Process.Kill()
		srv.Wait()
	})
	// Wait until it listens: poll with a deadline (the program prints
	// nothing to wait on).
	deadline := time.Now().Add(wait)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the quick start does not listen on %s: %v", addr, err)
		}
		<-tick.C
	}
	local := func(cmd string) string {
		return strings.Replace(strings.ReplaceAll(cmd, "127.0.0.1:8080", addr), "curl ", curl+" -sS ", 1)
	}

	next := exampleapp.CurlStream(t, local(cmds[0]), wait)
	run := func(cmd, want string) {
		t.Helper()
		out, err := exec.Command("bash", "-c", local(cmd)).CombinedOutput()
		if err != nil || !strings.Contains(string(out), want) {
			t.Errorf("%s: %v\n%s\nwant output containing %q", cmd, err, out, want)
		}
	}
	next(": connected")
	run(cmds[1], "")
	if got := next("event: "); got != "event: order.paid" {
		t.Errorf("after %s the stream got %q", cmds[1], got)
	}
	run(cmds[2], `{"id":`)
	if got := next("event: "); got != "event: hello" {
		t.Errorf("after the broadcast the stream got %q", got)
	}
	run(cmds[3], `"connections":1`)
}
