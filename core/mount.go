package core

import (
	"net/http"
	"strings"
)

// Router is what Mount registers routes on: *http.ServeMux, and most
// net/http routers, have this method.
type Router interface {
	Handle(pattern string, handler http.Handler)
}

// Mount registers the three routes of the HTTP contract under path:
//
//	GET  path            the event stream (NewStream)
//	GET  path/stats      counters as JSON (NewStats)
//	POST path/broadcast  publish over HTTP, off until BroadcastAuth (NewBroadcast)
//
// The same options go to all three. Patterns carry no method, so any
// Router works; each handler answers 405 to other methods.
//
//	core.Mount(mux, "/events", hub, core.BroadcastAuth(core.BearerToken(token)))
func Mount(r Router, path string, hub *Hub, opts ...RouteOption) {
	base := strings.TrimRight("/"+strings.Trim(path, "/"), "/")
	stream := base
	if stream == "" {
		stream = "/"
	}
	r.Handle(stream, NewStream(hub, opts...))
	r.Handle(base+"/stats", NewStats(hub, opts...))
	r.Handle(base+"/broadcast", NewBroadcast(hub, opts...))
}
