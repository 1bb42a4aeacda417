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
	stream, stats, broadcast := Routes(path)
	r.Handle(stream, NewStream(hub, opts...))
	r.Handle(stats, NewStats(hub, opts...))
	r.Handle(broadcast, NewBroadcast(hub, opts...))
}

// Routes returns the three paths Mount registers under path, so that every
// adapter registers the same ones: Routes("/events/") is "/events",
// "/events/stats", "/events/broadcast"; Routes("") is "/", "/stats",
// "/broadcast".
func Routes(path string) (stream, stats, broadcast string) {
	base := strings.TrimRight("/"+strings.Trim(path, "/"), "/")
	stream = base
	if stream == "" {
		stream = "/"
	}
	return stream, base + "/stats", base + "/broadcast"
}

// AcceptsEventStream reports whether an Accept header value asks for
// text/event-stream, as EventSource sends. Adapters use it to keep
// buffering middleware (gzip, timeouts, etags, caches) off stream requests.
func AcceptsEventStream(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(part, ";")
		if strings.EqualFold(strings.TrimSpace(mt), "text/event-stream") {
			return true
		}
	}
	return false
}
