package core

import (
	"encoding/json"
	"errors"
	"net/http"
)

// HTTPError is an error with the HTTP status it should be answered with.
// Hooks (Authorize, BroadcastAuth, OnConnect) return one to choose the
// status; Unauthorized and Forbidden build the common ones.
type HTTPError struct {
	Status  int
	Message string
}

// Error returns the message.
func (e *HTTPError) Error() string { return e.Message }

// Unauthorized returns a 401 error: the request carries no valid
// credentials.
func Unauthorized(msg string) error { return &HTTPError{Status: http.StatusUnauthorized, Message: msg} }

// Forbidden returns a 403 error: the credentials do not allow this.
func Forbidden(msg string) error { return &HTTPError{Status: http.StatusForbidden, Message: msg} }

func httpErrorf(status int, err error) *HTTPError {
	return &HTTPError{Status: status, Message: err.Error()}
}

// errorResponse returns the status and JSON body {"error": "…"} for err. An
// *HTTPError keeps its status; the package's sentinel errors map to theirs
// (for example ErrTooManyConnections and ErrUnavailable to 503,
// ErrIdentityLimit to 429);
// anything else is a 500 whose message is not revealed. Adapters reach it
// through ext.ErrorResponse to answer in their framework's own way.
func errorResponse(err error) (status int, body []byte) {
	status, msg := http.StatusInternalServerError, "internal error"
	var he *HTTPError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &he):
		status, msg = he.Status, he.Message
	case errors.As(err, &mbe):
		status, msg = http.StatusRequestEntityTooLarge, "request body too large"
	case errors.Is(err, ErrUnavailable):
		status, msg = http.StatusServiceUnavailable, "event backend unavailable: retry later"
	case errors.Is(err, ErrClosed):
		status, msg = http.StatusServiceUnavailable, "server is shutting down"
	case errors.Is(err, ErrTooManyConnections):
		status, msg = http.StatusServiceUnavailable, err.Error()
	case errors.Is(err, ErrIdentityLimit):
		status, msg = http.StatusTooManyRequests, err.Error()
	case errors.Is(err, ErrTooManyTopics), errors.Is(err, ErrInvalidTopic), errors.Is(err, ErrInvalidEvent):
		status, msg = http.StatusBadRequest, err.Error()
	case errors.Is(err, ErrTooLarge):
		status, msg = http.StatusRequestEntityTooLarge, err.Error()
	}
	body, _ = json.Marshal(struct {
		Error string `json:"error"`
	}{msg})
	return status, body
}

// unavailableRetryAfter is the Retry-After, in seconds, of a 503 for
// ErrUnavailable: about one reconnect of a broker to its backend.
const unavailableRetryAfter = "2"

// writeError answers a net/http request with errorResponse(err); a 503 for
// ErrUnavailable carries a Retry-After header.
func writeError(w http.ResponseWriter, err error) {
	status, body := errorResponse(err)
	if errors.Is(err, ErrUnavailable) {
		w.Header().Set("Retry-After", unavailableRetryAfter)
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if status == http.StatusUnauthorized && h.Get("WWW-Authenticate") == "" {
		h.Set("WWW-Authenticate", "Bearer")
	}
	w.WriteHeader(status)
	w.Write(body)
	w.Write([]byte{'\n'})
}
