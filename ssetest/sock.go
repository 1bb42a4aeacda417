package ssetest

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

// Sock is an event stream read over a bare HTTP/1.1 connection, in the
// test's own goroutine: it starts no goroutine, so a test can hold
// thousands of idle streams and still count the server's goroutines
// (detached streams own none).
type Sock struct {
	t    testing.TB
	conn net.Conn
	head string
	body *bufio.Reader
}

// DialStream sends a GET for path (with Accept: text/event-stream) on a new
// TCP connection to addr, fails the test unless the answer is 200 with a
// chunked body that starts with the ": connected" line, and closes the
// connection when the test ends.
func DialStream(t testing.TB, addr, path string) *Sock {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("ssetest: dial %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(Timeout))
	if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\n\r\n", path); err != nil {
		t.Fatalf("ssetest: request: %v", err)
	}
	br := bufio.NewReaderSize(conn, 512)
	var head strings.Builder
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("ssetest: response head: %v (so far %q)", err, head.String())
		}
		if line == "\r\n" {
			break
		}
		head.WriteString(line)
	}
	s := &Sock{t: t, conn: conn, head: head.String()}
	if !strings.HasPrefix(s.head, "HTTP/1.1 200 OK\r\n") || !strings.Contains(s.head, "Transfer-Encoding: chunked\r\n") {
		t.Fatalf("ssetest: response head:\n%s", s.head)
	}
	s.body = bufio.NewReaderSize(httputil.NewChunkedReader(br), 512)
	if l := s.Line(); l != ": connected\n" {
		t.Fatalf("ssetest: first line %q, want \": connected\"", l)
	}
	_ = conn.SetDeadline(time.Time{})
	return s
}

// Head returns the response head: the status line and the headers, each
// ending in "\r\n".
func (s *Sock) Head() string { return s.head }

// Line returns the next line of the body, with its "\n"; it fails the test
// when the stream ends or nothing comes within Timeout.
func (s *Sock) Line() string {
	s.t.Helper()
	_ = s.conn.SetReadDeadline(time.Now().Add(Timeout))
	l, err := s.body.ReadString('\n')
	if err != nil {
		s.t.Fatalf("ssetest: read: %v (got %q)", err, l)
	}
	return l
}

// Until reads lines until one starts with prefix, and returns it.
func (s *Sock) Until(prefix string) string {
	s.t.Helper()
	for {
		if l := s.Line(); strings.HasPrefix(l, prefix) {
			return l
		}
	}
}

// Rest reads to the end of the body (its last chunk) and returns what it
// read; it fails the test when the body does not end within Timeout.
func (s *Sock) Rest() string {
	s.t.Helper()
	_ = s.conn.SetReadDeadline(time.Now().Add(Timeout))
	b, err := io.ReadAll(s.body)
	if err != nil {
		s.t.Fatalf("ssetest: read to the end: %v (got %q)", err, b)
	}
	return string(b)
}

// Close closes the connection, as a client that goes away does.
func (s *Sock) Close() { s.conn.Close() }
