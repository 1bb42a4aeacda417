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

// TestPublisherAssistsBusyWriters checks the publisher's share of the
// writing (detacher.assist): while every writer of the pool is taken, a
// publish that queues more streams than assistFloor writes half of them
// itself, from the head of the run queue, before it returns. The writers
// are taken by the test (it claims their slots), so nothing but the
// publisher can have written: without assist the run queue keeps all n.
func TestPublisherAssistsBusyWriters(t *testing.T) {
	if !detachSupported {
		t.Skip("detached streams need epoll (Linux); elsewhere streams keep their goroutine")
	}
	const n = 2*assistFloor + 200
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
		_ = cc.SetReadDeadline(time.Now().Add(30 * time.Second))
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
	claim := func() bool { // take every writer slot once the pool is idle
		d.qmu.Lock()
		defer d.qmu.Unlock()
		if d.writers != 0 || len(d.runq) != 0 {
			return false
		}
		d.writers = runtime.GOMAXPROCS(0)
		return true
	}
	for deadline := time.Now().Add(30 * time.Second); !claim(); {
		if time.Now().After(deadline) {
			t.Fatal("the writer pool never went idle")
		}
		runtime.Gosched()
	}
	if _, err := h.PublishRaw(context.Background(), "t", "e", []byte(`"x"`)); err != nil {
		t.Fatal(err)
	}
	d.qmu.Lock()
	left := len(d.runq)
	// Hand the slots back, with a writer for what is left.
	d.writers = 0
	if left > 0 {
		d.writers = 1
		go d.write()
	}
	d.qmu.Unlock()
	if want := n - n/2; left != want {
		t.Fatalf("after the publish %d streams wait in the run queue, want %d (the publisher writes half of the %d it queued)", left, want, n)
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
