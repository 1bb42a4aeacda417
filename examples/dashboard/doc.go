// Package dashboard serves the live dashboard page of the ssekit examples:
// one self-contained HTML file (no CDN, no build step) that imports the
// browser client from /ssekit/client.js and talks to the routes of
// core.Mount at /events.
//
// On the page you pick topics and connection metadata (sent as query
// parameters), watch events arrive with their full envelope, publish a test
// event through POST /events/broadcast with a bearer token, and see the
// connection state, reconnects, the last event id and the hub's stats.
//
// Mount it at the root of an example, next to the client:
//
//	mux.Handle("/ssekit/client.js", jsclient.Handler())
//	mux.Handle("/", dashboard.Handler())
package dashboard
