package ext

import (
	"net/http"

	"github.com/ssekit/ssekit/core"
)

// Mount is a mount's three routes, built from one option list as
// core.Mount builds them, for an adapter to register in its framework's
// own way.
type Mount struct {
	// Stream serves GET StreamPath; adapters that do not run on net/http
	// use it with Accept.
	Stream *core.Stream
	// Stats and Broadcast serve StatsPath and BroadcastPath.
	Stats, Broadcast http.Handler
	// The three paths (see Routes).
	StreamPath, StatsPath, BroadcastPath string
}

// NewMount builds the routes core.Mount would register under path. An
// invalid option makes it return core.Mount's error.
func NewMount(path string, hub *core.Hub, opts ...core.RouteOption) (*Mount, error) {
	c := collect{}
	if err := core.Mount(c, path, hub, opts...); err != nil {
		return nil, err
	}
	m := &Mount{}
	m.StreamPath, m.StatsPath, m.BroadcastPath = Routes(path)
	m.Stream = c[m.StreamPath].(*core.Stream)
	m.Stats, m.Broadcast = c[m.StatsPath], c[m.BroadcastPath]
	return m, nil
}

// collect is a core.Router that keeps what it is given.
type collect map[string]http.Handler

func (c collect) Handle(pattern string, h http.Handler) { c[pattern] = h }
