// Package bridge lets package ext reach what core keeps unexported, without
// putting it in core's user API: core fills these variables in its init,
// and ext wraps them in typed functions. Nothing else may use it.
package bridge

import (
	"context"
	"net"
	"net/http"
	"time"
)

// Writer is ext.Writer: where a stream is written.
type Writer interface {
	Write(p []byte) (int, error)
	Flush() error
}

// Deadliner is the optional part of a Writer that takes write deadlines.
type Deadliner interface{ SetWriteDeadline(time.Time) error }

// PeerChecker is the optional part of a Writer whose transport does not
// report a client that left (fasthttp): PeerGone is asked before each
// heartbeat is written, and true ends the stream.
type PeerChecker interface{ PeerGone() bool }

// Session is a registered stream, implemented by core.
type Session interface {
	Run(ctx context.Context, w Writer) error
	Close()
	Detachable() bool
	Detach(ctx context.Context, nc net.Conn, h http.Header)
}

// Filled by package core's init.
var (
	// Accept is (*core.Stream).accept; stream is a *core.Stream.
	Accept func(stream any, r *http.Request) (Session, error)
	// ErrorResponse maps an error to its status and JSON body.
	ErrorResponse func(err error) (status int, body []byte)
	// WriteError answers a net/http request with ErrorResponse(err).
	WriteError func(w http.ResponseWriter, err error)
	// StreamHeaders sets a stream's response headers.
	StreamHeaders func(protoMajor int, set func(key, value string))
	// Routes returns the three paths of a mount.
	Routes func(path string) (stream, stats, broadcast string)
	// NewMessage builds a *core.Message from []core.PublishOption opts.
	NewMessage func(producer, topic, event string, raw []byte, opts any) (any, error)
)
