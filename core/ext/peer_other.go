//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package ext

import "net"

// PeerGone cannot peek at the socket on this platform: a client that left
// is noticed when a write fails.
func PeerGone(net.Conn) bool { return false }
