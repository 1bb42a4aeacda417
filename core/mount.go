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
// The same options go to all three; each route takes those that concern
// it. Patterns carry no method, so any Router works; each handler answers
// 405, with an Allow header, to other methods. An invalid option value
// makes Mount return an error wrapping ErrInvalidOption, and register
// nothing.
//
//	if err := core.Mount(mux, "/events", hub, core.BroadcastAuth(core.BearerToken(token))); err != nil {
//		log.Fatal(err)
//	}
func Mount(r Router, path string, hub *Hub, opts ...RouteOption) error {
	st, err := newStream(hub, false, opts)
	if err != nil {
		return err
	}
	sh, err := newStats(hub, false, opts)
	if err != nil {
		return err
	}
	bh, err := newBroadcast(hub, false, opts)
	if err != nil {
		return err
	}
	stream, stats, broadcast := routes(path)
	r.Handle(stream, st)
	r.Handle(stats, sh)
	r.Handle(broadcast, bh)
	return nil
}

// routes returns the three paths Mount registers under path, so that every
// adapter registers the same ones (through ext.Routes): routes("/events/")
// is "/events", "/events/stats", "/events/broadcast"; routes("") is "/",
// "/stats", "/broadcast".
func routes(path string) (stream, stats, broadcast string) {
	base := strings.TrimRight("/"+strings.Trim(path, "/"), "/")
	stream = base
	if stream == "" {
		stream = "/"
	}
	return stream, base + "/stats", base + "/broadcast"
}
