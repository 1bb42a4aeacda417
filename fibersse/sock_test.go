package fibersse_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http/httputil"
	"strings"
	"testing"
	"time"
)

// sock is a stream read over a bare TCP connection, so that the test holds
// no client goroutine per stream (the idle-stream tests count goroutines).
type sock struct {
	t    testing.TB
	conn net.Conn
	head string
	body *bufio.Reader
}

// openSock sends a stream request on a new connection and reads the
// response head and the first line (": connected").
func openSock(t testing.TB, addr, path string) *sock {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(wait))
	if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\n\r\n", path); err != nil {
		t.Fatalf("request: %v", err)
	}
	br := bufio.NewReaderSize(conn, 512)
	var head strings.Builder
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("response head: %v (so far %q)", err, head.String())
		}
		if line == "\r\n" {
			break
		}
		head.WriteString(line)
	}
	s := &sock{t: t, conn: conn, head: head.String()}
	if !strings.HasPrefix(s.head, "HTTP/1.1 200 OK\r\n") || !strings.Contains(s.head, "Transfer-Encoding: chunked\r\n") {
		t.Fatalf("response head:\n%s", s.head)
	}
	s.body = bufio.NewReaderSize(httputil.NewChunkedReader(br), 512)
	if l := s.line(); l != ": connected\n" {
		t.Fatalf("first line %q", l)
	}
	_ = conn.SetDeadline(time.Time{})
	return s
}

func (s *sock) line() string {
	s.t.Helper()
	_ = s.conn.SetReadDeadline(time.Now().Add(wait))
	l, err := s.body.ReadString('\n')
	if err != nil {
		s.t.Fatalf("read: %v (got %q)", err, l)
	}
	return l
}

// until reads lines until one starts with prefix, and returns it.
func (s *sock) until(prefix string) string {
	s.t.Helper()
	for {
		if l := s.line(); strings.HasPrefix(l, prefix) {
			return l
		}
	}
}

// rest reads to the end of the body (its last chunk) and returns it.
func (s *sock) rest() string {
	s.t.Helper()
	_ = s.conn.SetReadDeadline(time.Now().Add(wait))
	b, err := io.ReadAll(s.body)
	if err != nil {
		s.t.Fatalf("read to the end: %v (got %q)", err, b)
	}
	return string(b)
}

// eventually polls cond until it holds, failing the test after wait.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(wait)
	for !cond() {
		select {
		case <-tick.C:
		case <-timeout:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
