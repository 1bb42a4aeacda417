// Package loadgen is the SSE load generator: many raw-TCP stream connections
// in one process (spread over several 127.0.0.x source addresses), a minimal
// SSE reader per connection, and the open- and closed-loop drivers that tell
// the server under test when to publish.
package loadgen

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ssekit/ssekit/bench/internal/ctl"
	"github.com/ssekit/ssekit/bench/internal/sseread"
	"github.com/ssekit/ssekit/bench/internal/stats"
)

// SourceAddrs is how many loopback source addresses (127.0.0.2 and up)
// connections rotate over, so that ephemeral ports never run short.
const SourceAddrs = 16

// Gen drives one server under test.
type Gen struct {
	hello ctl.Hello
	ctl   *Control

	epoch       atomic.Int64
	measureFrom atomic.Int64
	hist        [2]atomic.Pointer[stats.Hist] // per connection group
	delivered   atomic.Int64

	mu    sync.Mutex
	conns []*Conn
}

// Conn is one stream connection.
type Conn struct {
	g     *Gen
	nc    net.Conn
	Topic int
	Slow  bool
	// Group picks the latency histogram (B6: 0 = same instance as the
	// publisher, 1 = the other instance).
	Group int

	last    atomic.Int64 // last sequence number received in the current epoch, -1 if none
	got     atomic.Int64
	all     atomic.Int64
	bytes   atomic.Int64
	release chan struct{}
	ready   chan struct{}
	ended   chan struct{}
	err     error
}

// New connects to the server's control address.
func New(h ctl.Hello) (*Gen, error) {
	c, err := DialControl(h.Ctl)
	if err != nil {
		return nil, err
	}
	g := &Gen{hello: h, ctl: c}
	g.epoch.Store(1)
	return g, nil
}

// Control is the control connection.
func (g *Gen) Control() *Control { return g.ctl }

// Close ends every connection and the control connection.
func (g *Gen) Close() {
	g.mu.Lock()
	conns := g.conns
	g.conns = nil
	g.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	g.ctl.Close()
}

// Conns returns the open connections.
func (g *Gen) Conns() []*Conn {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]*Conn(nil), g.conns...)
}

// Active returns the connections that read (not slow) and have not ended.
func (g *Gen) Active() []*Conn {
	var a []*Conn
	for _, c := range g.Conns() {
		if !c.Slow && !c.Ended() {
			a = append(a, c)
		}
	}
	return a
}

// Ended reports whether the stream has ended (closed by either side).
func (c *Conn) Ended() bool {
	select {
	case <-c.ended:
		return true
	default:
		return false
	}
}

// Close closes the connection and forgets it.
func (c *Conn) Close() {
	c.nc.Close()
	if c.release != nil {
		select {
		case <-c.release:
		default:
			close(c.release)
		}
	}
	g := c.g
	g.mu.Lock()
	for i, x := range g.conns {
		if x == c {
			g.conns[i] = g.conns[len(g.conns)-1]
			g.conns = g.conns[:len(g.conns)-1]
			break
		}
	}
	g.mu.Unlock()
}

// Release lets a slow connection start reading again and reports whether the
// server had already ended its stream (it drains what is buffered first).
func (c *Conn) Release(wait time.Duration) (ended bool) {
	if c.release != nil {
		select {
		case <-c.release:
		default:
			close(c.release)
		}
	}
	select {
	case <-c.ended:
		return true
	case <-time.After(wait):
		return false
	}
}

// Connect opens n stream connections; topicOf gives each one's topic index.
// Slow connections read the response head, then nothing until released, and
// use a small receive buffer so that the server sees them stall quickly.
func (g *Gen) Connect(n int, topicOf func(i int) int, slow bool, timeout time.Duration) ([]*Conn, error) {
	return g.ConnectTo(g.hello, 0, n, topicOf, slow, timeout)
}

// ConnectTo is Connect against another server (B6: a second instance), with
// the connections in latency group group.
func (g *Gen) ConnectTo(h ctl.Hello, group, n int, topicOf func(i int) int, slow bool, timeout time.Duration) ([]*Conn, error) {
	conns := make([]*Conn, n)
	errs := make(chan error, n)
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				c, err := g.dial(h, group, topicOf(i), slow)
				if err != nil {
					errs <- err
					continue
				}
				conns[i] = c
			}
		}()
	}
	for i := 0; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	var firstErr error
	failed := 0
	for err := range errs {
		failed++
		if firstErr == nil {
			firstErr = err
		}
	}
	deadline := time.After(timeout)
	var ok []*Conn
	for _, c := range conns {
		if c == nil {
			continue
		}
		select {
		case <-c.ready:
		case <-deadline:
			return nil, fmt.Errorf("loadgen: response heads not received within %v", timeout)
		}
		if c.err != nil {
			failed++
			if firstErr == nil {
				firstErr = c.err
			}
			continue
		}
		ok = append(ok, c)
	}
	g.mu.Lock()
	g.conns = append(g.conns, ok...)
	g.mu.Unlock()
	if failed > 0 {
		return ok, fmt.Errorf("loadgen: %d of %d connections failed, first: %w", failed, n, firstErr)
	}
	return ok, nil
}

// dialSeq numbers every connection of this process; it picks the source
// address and port, so that the kernel never searches for a free ephemeral
// port (that search slows down as connections pile up).
var dialSeq atomic.Uint64

// Source ports are bound explicitly, below the ephemeral range
// (32768–60999), so they never collide with ports the kernel hands out.
const (
	firstPort = 10000
	portCount = 22000
)

func (g *Gen) dial(h ctl.Hello, group, topic int, slow bool) (*Conn, error) {
	var nc net.Conn
	var err error
	for attempt := 0; attempt < 8; attempt++ {
		seq := dialSeq.Add(1)
		src := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+seq%SourceAddrs)), Port: firstPort + int(seq/SourceAddrs%portCount)}
		d := net.Dialer{
			Timeout:   5 * time.Second,
			LocalAddr: src,
			Control: func(_, _ string, rc syscall.RawConn) error {
				var serr error
				rc.Control(func(fd uintptr) {
					// Rebinding a port whose last connection sits in TIME_WAIT is fine.
					serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
					if slow && serr == nil {
						serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 2048)
					}
				})
				return serr
			},
		}
		nc, err = d.Dial("tcp", h.HTTP)
		if err == nil || !(errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, syscall.EADDRNOTAVAIL)) {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	path := strings.Replace(h.Path, "%s", "t"+strconv.Itoa(topic), 1)
	req := "GET " + path + " HTTP/1.1\r\nHost: " + h.HTTP + "\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
	if _, err := nc.Write([]byte(req)); err != nil {
		nc.Close()
		return nil, err
	}
	c := &Conn{g: g, nc: nc, Topic: topic, Slow: slow, Group: group, ready: make(chan struct{}), ended: make(chan struct{})}
	c.last.Store(-1)
	if slow {
		c.release = make(chan struct{})
	}
	go c.read()
	return c, nil
}

func (c *Conn) read() {
	defer close(c.ended)
	br := bufio.NewReaderSize(c.nc, 4096)
	resp, err := http.ReadResponse(br, nil)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("loadgen: status %s", resp.Status)
	}
	if err != nil {
		c.err = err
		close(c.ready)
		c.nc.Close()
		return
	}
	close(c.ready)
	if c.release != nil {
		<-c.release
	}
	g := c.g
	rd := sseread.New(resp.Body, 4096, 1<<16)
	for {
		ev, err := rd.Next()
		if err != nil {
			c.nc.Close()
			return
		}
		c.all.Add(1)
		c.bytes.Store(rd.Consumed())
		e, s, sent, ok := ctl.ParsePayload(ev.Data)
		if !ok || e != g.epoch.Load() {
			continue
		}
		c.last.Store(s)
		c.got.Add(1)
		g.delivered.Add(1)
		if s >= g.measureFrom.Load() {
			if h := g.hist[c.Group].Load(); h != nil {
				h.Record(time.Since(time.Unix(0, sent)))
			}
		}
	}
}

// Control is the JSON-lines control connection to a benchserver.
type Control struct {
	nc      net.Conn
	enc     *json.Encoder
	replies chan ctl.Reply
}

// DialControl connects to a control address.
func DialControl(addr string) (*Control, error) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	c := &Control{nc: nc, enc: json.NewEncoder(nc), replies: make(chan ctl.Reply, 16)}
	go func() {
		defer close(c.replies)
		dec := json.NewDecoder(bufio.NewReader(nc))
		for {
			var r ctl.Reply
			if err := dec.Decode(&r); err != nil {
				return
			}
			c.replies <- r
		}
	}()
	return c, nil
}

// Close closes the control connection.
func (c *Control) Close() { c.nc.Close() }

// Send sends a command without waiting.
func (c *Control) Send(cmd ctl.Command) error { return c.enc.Encode(cmd) }

// Wait waits for the reply to op.
func (c *Control) Wait(op string, timeout time.Duration) (ctl.Reply, error) {
	t := time.After(timeout)
	for {
		select {
		case r, ok := <-c.replies:
			if !ok {
				return r, errors.New("loadgen: control connection closed")
			}
			if r.Op == op {
				if r.Err != "" {
					return r, fmt.Errorf("loadgen: %s: %s", op, r.Err)
				}
				return r, nil
			}
			if r.Op == "error" {
				return r, fmt.Errorf("loadgen: server: %s", r.Err)
			}
		case <-t:
			return ctl.Reply{}, fmt.Errorf("loadgen: no %q reply within %v", op, timeout)
		}
	}
}

// Call sends a command and waits for its reply.
func (c *Control) Call(cmd ctl.Command, timeout time.Duration) (ctl.Reply, error) {
	if err := c.Send(cmd); err != nil {
		return ctl.Reply{}, err
	}
	return c.Wait(cmd.Op, timeout)
}

// Stats returns how many events the connection has received and how many
// stream bytes (without the response head) it has parsed, over its lifetime.
func (c *Conn) Stats() (events, bytes int64) { return c.all.Load(), c.bytes.Load() }
