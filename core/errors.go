package core

import "errors"

// The errors of the package, to test with errors.Is. Every error the
// package returns wraps one of them or says in its text what was wrong.
var (
	// ErrClosed is returned by operations on a hub that is shutting down or
	// a broker that is closed.
	ErrClosed = errors.New("core: closed")
	// ErrInvalidEvent is returned for an empty event name, or one holding
	// control characters (CR, LF and NUL would inject SSE fields) or invalid
	// UTF-8, or one longer than MaxNameLen bytes.
	ErrInvalidEvent = errors.New("core: invalid event name")
	// ErrInvalidTopic is returned for an empty topic, one holding control
	// characters or invalid UTF-8, or one longer than MaxNameLen bytes. The
	// topic AllTopics ("*") may be published to but not subscribed to.
	ErrInvalidTopic = errors.New("core: invalid topic")
	// ErrTooLarge is returned for event data over the hub's maximum event
	// size.
	ErrTooLarge = errors.New("core: event too large")
	// ErrTooManyConnections is returned when the hub is at its connection
	// cap.
	ErrTooManyConnections = errors.New("core: too many connections")
	// ErrIdentityLimit is returned when an identity is at its connection
	// cap and the policy is RefuseNewest.
	ErrIdentityLimit = errors.New("core: too many connections for this identity")
	// ErrTooManyTopics is returned when a connection would exceed the
	// per-connection topic cap.
	ErrTooManyTopics = errors.New("core: too many topics")
	// ErrNoConnection is returned for an operation on a connection id the
	// hub does not hold.
	ErrNoConnection = errors.New("core: no such connection")
	// ErrInvalidID is returned when a string is not an event id.
	ErrInvalidID = errors.New("core: invalid event id")
	// ErrUnknownID is returned by ReplayLog.Replay for an id the log cannot
	// resume from.
	ErrUnknownID = errors.New("core: unknown last event id")
	// ErrUnavailable is returned (wrapped) by Publish, SendTo and the
	// brokers while the broker's backend cannot be reached (Redis down or
	// not answering within the publish timeout): the event was not
	// accepted, and the same publish may succeed later. The broadcast route
	// answers it with 503 and a Retry-After header.
	ErrUnavailable = errors.New("core: event backend unavailable")
	// ErrInvalidOption is returned by NewHub, Mount and the route
	// constructors for an option given a value it cannot take, or given to a
	// route it does not concern.
	ErrInvalidOption = errors.New("core: invalid option")
)
