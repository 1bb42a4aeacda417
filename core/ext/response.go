package ext

import (
	"net/http"
	"strings"

	"github.com/ssekit/ssekit/core/internal/bridge"
)

// ErrorResponse returns the status and JSON body {"error": "…"} core
// answers err with: an *core.HTTPError keeps its status; core's sentinel
// errors map to theirs (core.ErrTooManyConnections to 503,
// core.ErrIdentityLimit to 429, ...); anything else is a 500 whose message
// is not revealed. Adapters use it to answer in their framework's own way,
// with Content-Type application/json.
func ErrorResponse(err error) (status int, body []byte) { return bridge.ErrorResponse(err) }

// WriteError answers a net/http request with ErrorResponse(err), with the
// headers core's own routes send (Content-Type application/json,
// Cache-Control no-store, X-Content-Type-Options nosniff, WWW-Authenticate
// on 401, and Retry-After on a 503 for core.ErrUnavailable).
func WriteError(w http.ResponseWriter, err error) { bridge.WriteError(w, err) }

// Routes returns the three paths core.Mount registers under path, so that
// every adapter registers the same ones: Routes("/events/") is "/events",
// "/events/stats", "/events/broadcast"; Routes("") is "/", "/stats",
// "/broadcast".
func Routes(path string) (stream, stats, broadcast string) { return bridge.Routes(path) }

// IsEventStream reports whether any Accept value of h asks for
// text/event-stream, as EventSource and the ssekit clients always do.
// Adapters build their Skipper on it, to keep buffering middleware (gzip,
// timeouts, etags, caches) off stream requests.
func IsEventStream(h http.Header) bool {
	for _, accept := range h.Values("Accept") {
		for part := range strings.SplitSeq(accept, ",") {
			mt, _, _ := strings.Cut(part, ";")
			if strings.EqualFold(strings.TrimSpace(mt), "text/event-stream") {
				return true
			}
		}
	}
	return false
}
