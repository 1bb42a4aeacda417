package client

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

var (
	// ErrStalled is the cause of a reconnect after the stream sent no byte
	// (not even a heartbeat comment) for the stall timeout.
	ErrStalled = errors.New("client: stream stalled: no bytes within the stall timeout")
	// ErrStreamEnded is the cause of a reconnect after the server ended the
	// stream cleanly.
	ErrStreamEnded = errors.New("client: the server ended the stream")
	// ErrReset matches a *ResetError with errors.Is.
	ErrReset = errors.New("client: stream reset")
)

// StatusError is a response other than 200 text/event-stream. Events ends
// after a 204 (the server's way of saying "stop") and after a status the
// retry policy (WithRetryStatus) does not retry; other statuses are the
// cause of a *ReconnectError.
type StatusError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Message is the server's {"error": …} message, or the start of the
	// body.
	Message string
	// RetryAfter is the Retry-After header's delay, if any.
	RetryAfter time.Duration

	retry bool
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("client: %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// ContentTypeError is a 200 response that is not text/event-stream. It is
// final: Events ends.
type ContentTypeError struct{ ContentType string }

func (e *ContentTypeError) Error() string {
	return fmt.Sprintf("client: response is %q, not text/event-stream", e.ContentType)
}

// ReconnectError reports a disconnect that Events recovers from: it is
// yielded before waiting Wait, and the next attempt resumes from the last
// event ID. Err says why (ErrStreamEnded, ErrStalled, a *StatusError, a
// network error).
type ReconnectError struct {
	// Err is why the connection ended or could not be made.
	Err error
	// Attempt counts the consecutive failed attempts (1 after a connection
	// that was open).
	Attempt int
	// Wait is the delay before the next attempt.
	Wait time.Duration
	// LastEventID is the id the next attempt resumes from.
	LastEventID string
}

func (e *ReconnectError) Error() string {
	return fmt.Sprintf("client: reconnecting in %v (attempt %d): %v", e.Wait.Round(time.Millisecond), e.Attempt, e.Err)
}

// Unwrap returns the cause.
func (e *ReconnectError) Unwrap() error { return e.Err }

// ResetError is an ssekit.reset event: the server could not resume the
// stream from LastEventID, so events may have been missed and the
// application should refetch its state. The stream goes on from ID.
type ResetError struct {
	// Reason is the server's reason, such as "unknown_last_event_id".
	Reason string `json:"reason"`
	// LastEventID is the id the client asked to resume from.
	LastEventID string `json:"last_event_id"`
	// ID is the stream position the client now resumes from.
	ID string `json:"-"`
}

func (e *ResetError) Error() string {
	return fmt.Sprintf("client: stream reset (%s): events after %q may be lost, refetch state", e.Reason, e.LastEventID)
}

// Is reports whether target is ErrReset.
func (e *ResetError) Is(target error) bool { return target == ErrReset }

// Temporary reports whether err is one Events goes on after (a
// *ReconnectError or a *ResetError); any other error it yields is the last.
func Temporary(err error) bool {
	var re *ReconnectError
	return errors.As(err, &re) || errors.Is(err, ErrReset)
}
