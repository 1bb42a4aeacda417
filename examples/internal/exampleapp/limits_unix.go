//go:build unix

package exampleapp

import (
	"syscall"

	"github.com/ssekit/ssekit/core"
)

// StreamCap is the default cap on streams: core.DefaultMaxConnections, or
// less when the process's open-file limit would not leave 256 sockets of
// headroom, so the stats and broadcast routes (and the refused requests'
// 503s) always have file descriptors to answer with.
func StreamCap() int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return core.DefaultMaxConnections
	}
	return max(1, min(core.DefaultMaxConnections, int(lim.Cur)-256))
}
