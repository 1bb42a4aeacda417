//go:build linux

package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// TestMakeRunExitsZeroOnCtrlC runs `make run` (this example) on a pseudo
// terminal, as a newcomer does, waits for it to listen and print its curl
// lines, and types Ctrl-C: the terminal sends SIGINT to its foreground
// process group, and make must exit 0 with no "make: ***" error.
func TestMakeRunExitsZeroOnCtrlC(t *testing.T) {
	const wait = 60 * time.Second // make run builds the example first
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("SKIPPED LOUDLY: make is not installed")
	}
	ptmx, pts := openPTY(t)
	cmd := exec.Command("make", "--no-print-directory", "run")
	cmd.Dir = "../.."
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "REDIS_URL=") && !strings.HasPrefix(kv, "SSE_BROADCAST_TOKEN=") && !strings.HasPrefix(kv, "RUN_EXAMPLE=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "ADDR=127.0.0.1:0")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = pts, pts, pts
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pts.Close()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		ptmx.Close() // hangs the terminal up: whatever still runs on it gets SIGHUP
		select {
		case <-exited:
		case <-time.After(wait):
			cmd.Process.Kill()
		}
	})
	lines, ready := make(chan string, 64), make(chan struct{})
	go func() {
		defer close(lines)
		r := bufio.NewReader(ptmx)
		for {
			l, err := r.ReadString('\n')
			if l != "" {
				lines <- l
			}
			if strings.HasPrefix(l, "Ctrl-C") {
				close(ready)
			}
			if err != nil {
				return
			}
		}
	}()
	var out strings.Builder
	deadline := time.After(wait)
	for waiting := true; waiting; {
		select {
		case l, ok := <-lines:
			out.WriteString(l)
			if !ok {
				t.Fatalf("make run ended before it listened:\n%s", out.String())
			}
		case <-ready:
			waiting = false
		case <-deadline:
			t.Fatalf("make run printed no \"Ctrl-C stops the server.\" line:\n%s", out.String())
		}
	}
	if _, err := ptmx.Write([]byte{3}); err != nil { // Ctrl-C
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		exited <- err // for the cleanup
		for l := range lines {
			out.WriteString(l)
		}
		if err != nil || strings.Contains(out.String(), "make: ***") {
			t.Errorf("make run after Ctrl-C: %v, want exit status 0\n%s", err, out.String())
		}
	case <-time.After(wait):
		t.Errorf("make run still running after Ctrl-C:\n%s", out.String())
	}
}

// openPTY opens a pseudo terminal: its master and its slave.
func openPTY(t *testing.T) (ptmx, pts *os.File) {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("SKIPPED LOUDLY: no pseudo terminal (%v), so Ctrl-C cannot be typed", err)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, ptmx.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Fatal(e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, ptmx.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Fatal(e)
	}
	pts, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	return ptmx, pts
}
