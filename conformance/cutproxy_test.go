package conformance_test

import (
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"testing"
)

// cutProxy forwards TCP connections to a server; it can kill the next
// connections at a random byte of the response, or all open ones at once.
type cutProxy struct {
	url     string
	mu      sync.Mutex
	toCut   int
	open    map[net.Conn]bool
	stopped bool
}

func newCutProxy(t *testing.T, serverURL string) *cutProxy {
	t.Helper()
	scheme, addr, _ := strings.Cut(serverURL, "://")
	addr, prefix, _ := strings.Cut(addr, "/")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{url: scheme + "://" + ln.Addr().String(), open: map[net.Conn]bool{}}
	if prefix != "" {
		p.url += "/" + prefix
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); p.forward(c, addr) }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		p.dropAll()
		p.mu.Lock()
		p.stopped = true
		p.mu.Unlock()
		wg.Wait()
	})
	return p
}

// cut makes the next n connections die after a random number of response
// bytes.
func (p *cutProxy) cut(n int) {
	p.mu.Lock()
	p.toCut = n
	p.mu.Unlock()
}

// dropAll closes every open connection.
func (p *cutProxy) dropAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.open {
		c.Close()
	}
}

func (p *cutProxy) forward(c net.Conn, addr string) {
	up, err := net.Dial("tcp", addr)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		c.Close()
		up.Close()
		return
	}
	limit := int64(-1)
	if p.toCut > 0 {
		p.toCut--
		limit = 1 + rand.Int64N(1500)
	}
	p.open[c], p.open[up] = true, true
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.open, c)
		delete(p.open, up)
		p.mu.Unlock()
		c.Close()
		up.Close()
	}()
	go func() { io.Copy(up, c); up.Close() }()
	var down io.Reader = up
	if limit > 0 {
		down = io.LimitReader(up, limit)
	}
	io.Copy(c, down)
}
