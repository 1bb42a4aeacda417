//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package fiber3sse

import "net"

// peerGone cannot peek at the socket on this platform: a client that left
// is noticed when a write fails.
func peerGone(net.Conn) bool { return false }
