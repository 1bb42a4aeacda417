//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package ext

import (
	"errors"
	"net"
	"syscall"
)

// PeerGone reports whether the client at the other end of c has closed or
// reset the connection, without blocking and without consuming anything:
// a non-blocking one-byte peek on the socket (0 bytes: the peer's FIN;
// ECONNRESET and the like: its RST). Pending data means the peer is alive.
// An adapter whose server gives no per-request disconnect signal
// (fasthttp) calls it from its Writer's PeerGone method, which the session
// calls before each heartbeat: an idle stream then costs no goroutine and
// no timer for it. A connection that is not a socket reports false, and so
// does every connection on platforms without the peek.
func PeerGone(c net.Conn) bool {
	if tc, ok := c.(interface{ NetConn() net.Conn }); ok { // *tls.Conn
		c = tc.NetConn()
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	gone := false
	var b [1]byte
	// Control, not Read: a read deadline the server left behind must not
	// turn the peek into a timeout.
	cerr := rc.Control(func(fd uintptr) {
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case err == nil:
			gone = n == 0
		case errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.EWOULDBLOCK), errors.Is(err, syscall.EINTR):
		default:
			gone = true
		}
	})
	return cerr == nil && gone
}
