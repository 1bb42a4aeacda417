//go:build !unix

package exampleapp

import "github.com/ssekit/ssekit/core"

// StreamCap is the default cap on streams: core.DefaultMaxConnections.
func StreamCap() int { return core.DefaultMaxConnections }
