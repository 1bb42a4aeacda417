package core

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestWritersGrowWithTheRunQueue checks that a long run queue gets writers
// beyond GOMAXPROCS (detacher.push): with every regular writer slot taken
// by the test, nothing but an extra writer can deliver a publish to more
// streams than GOMAXPROCS × writerSpan. Without the extra writers the
// streams never get the event.
func TestWritersGrowWithTheRunQueue(t *testing.T) {
	if !detachSupported {
		t.Skip("detached streams need epoll (Linux); elsewhere streams keep their goroutine")
	}
	procs := runtime.GOMAXPROCS(0)
	n := procs*writerSpan + 100
	if n > 9000 {
		t.Skipf("GOMAXPROCS %d needs %d streams (two descriptors each) for this test; the open-file limit here allows fewer", procs, n)
	}
	h, err := NewHub(WithDetachedStreams(), WithHeartbeat(0), WithMaxConnections(n))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Shutdown(context.Background()) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	clients := make([]*bufio.Reader, n)
	for i := range clients {
		cc, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cc.Close() })
		_ = cc.SetReadDeadline(time.Now().Add(20 * time.Second)) // a missing event fails the read
		sc, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		c, err := h.register(connSpec{topics: []string{"t"}})
		if err != nil {
			t.Fatal(err)
		}
		(&session{hub: h, conn: c}).detach(context.Background(), sc, responseHead(http.Header{}, false))
		clients[i] = bufio.NewReader(cc)
		readUntil(t, clients[i], ": connected")
	}

	d := &h.detach
	claim := func() bool { // take every regular writer slot once the pool is idle
		d.qmu.Lock()
		defer d.qmu.Unlock()
		if d.writers != 0 || len(d.runq) != 0 {
			return false
		}
		d.writers = procs
		return true
	}
	for deadline := time.Now().Add(30 * time.Second); !claim(); {
		if time.Now().After(deadline) {
			t.Fatal("the writer pool never went idle")
		}
		runtime.Gosched()
	}
	defer func() { // hand the slots back, with a writer for what is left
		d.qmu.Lock()
		d.writers -= procs
		if len(d.runq) > 0 {
			d.writers++
			go d.write()
		}
		d.qmu.Unlock()
	}()
	if _, err := h.PublishRaw(context.Background(), "t", "e", []byte(`"x"`)); err != nil {
		t.Fatal(err)
	}
	for _, br := range clients {
		readUntil(t, br, `data: {"id":`)
	}
}

// readUntil reads lines until one starts with prefix.
func readUntil(t *testing.T, br *bufio.Reader, prefix string) {
	t.Helper()
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("read before %q: %v", prefix, err)
		}
		if strings.HasPrefix(l, prefix) {
			return
		}
	}
}
