// Package ssetest helps tests of servers that stream Server-Sent Events,
// with the standard library only: open a stream against a real server and
// read it line by line or event by event, and end a test package with a
// goroutine-leak check. DialStream reads a stream over a bare HTTP/1.1
// connection without a goroutine of its own, for tests that hold many idle
// streams and count goroutines. ssekit's adapters test themselves with it;
// an app can test its own ssekit routes the same way.
//
//	func TestMain(m *testing.M) { ssetest.LeakCheck(m) }
//
//	func TestWelcome(t *testing.T) {
//		s := ssetest.Open(t, srv.URL+"/events", nil)
//		if got := s.Event(); got != "welcome" { … }
//	}
package ssetest
