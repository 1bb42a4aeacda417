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

// TestPublisherYieldsWhileWritersAreBehind checks the rule of
// detacher.yieldIfBehind: a publisher yields only while more than
// behindStreams streams wait and the head of the run queue holds
// behindDepth events. The test takes every writer slot, so nothing is
// written until it hands them back: the depth grows by one per publish.
func TestPublisherYieldsWhileWritersAreBehind(t *testing.T) {
	if !detachSupported {
		t.Skip("detached streams need epoll (Linux); elsewhere streams keep their goroutine")
	}
	procs := runtime.GOMAXPROCS(0)
	n := behindStreams + 100
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
	released := false
	release := func() { // hand the slots back, with a writer for what is left
		d.qmu.Lock()
		defer d.qmu.Unlock()
		if released {
			return
		}
		released = true
		d.writers -= procs
		if len(d.runq) > 0 {
			d.writers++
			go d.write()
		}
	}
	defer release()
	for i := 1; i <= behindDepth; i++ {
		if _, err := h.PublishRaw(context.Background(), "t", "e", []byte(`"x"`)); err != nil {
			t.Fatal(err)
		}
		want := 0
		if i == behindDepth {
			want = maxYields
		}
		if got := d.yieldIfBehind(); got != want {
			t.Fatalf("%d streams with %d events each waiting: yielded %d times, want %d", n, i, got, want)
		}
	}
	release()
	for _, br := range clients {
		for range behindDepth {
			readUntil(t, br, `data: {"id":`)
		}
	}
	if got := d.yieldIfBehind(); got != 0 {
		t.Fatalf("with the writers caught up: yielded %d times, want 0", got)
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
