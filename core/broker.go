package core

import "context"

// Broker carries published messages to every hub that subscribed to it. It
// is the only path from a publisher to connections: the hub publishes
// through its broker and receives through it, so replacing the in-memory
// broker with a networked one (see the redisbackend module) changes nothing
// else.
//
// The delivery contract an implementation must keep:
//   - Publish assigns the message a unique id with msg.SetID before
//     delivering it. Ids increase strictly in the order in
//     which the broker delivers messages; subscribers may rely on it to
//     de-duplicate.
//   - Every subscriber receives each message at most once, in id order,
//     from one goroutine at a time. Deliver does not block and is not
//     called after the unsubscribe function returns.
//   - When the broker also implements ReplayLog, a message is in the log no
//     later than it is delivered to any subscriber, and Publish returning
//     nil means the message was recorded. Messages may be lost in live
//     delivery (a networked broker is at-most-once) but not in the log.
//   - After Close, Publish returns ErrClosed.
//
// All methods are safe for concurrent use.
type Broker interface {
	// Publish assigns msg an id, records it and delivers it.
	Publish(ctx context.Context, msg *Message) (id string, err error)
	// Subscribe registers h to receive every message published from now
	// on. The returned function unsubscribes it; after it returns, h is
	// called no more.
	Subscribe(h BrokerHandler) (unsubscribe func(), err error)
	// Close releases the broker. It is idempotent.
	Close() error
}

// ReplayLog answers "everything after id X". A Broker that implements it is
// used by the hub to resume clients that reconnect with Last-Event-ID.
//
// A log lives in epochs: an epoch begins when the log is created empty (at
// a process start for the in-memory broker; when a Redis stream is created,
// first or after Redis lost its data). Ids increase within an epoch, and a
// new epoch starts above the ids of the old one (ids are clock based: a
// clock that went back across a restart breaks this).
type ReplayLog interface {
	// Replay calls fn, in id order, for every logged message published
	// after afterID, and returns the id of the newest message covered by
	// the call (afterID itself when nothing newer was logged). When afterID
	// is unknown to the log, Replay calls fn for nothing and returns an
	// error wrapping ErrUnknownID with a cursor the hub sends as the id of
	// a ResetEvent and then replays from:
	//   - an id from an older epoch (below the current epoch's start: from
	//     before a restart) gets the start of the current epoch (or, if the
	//     epoch was trimmed, the position just before its oldest logged
	//     message), so that the client receives the reset followed by every
	//     event of the current epoch still in the log;
	//   - an id of the current epoch that was trimmed away, one newer than
	//     the log's newest (from another log, or lost when the store rolled
	//     back to a snapshot), or a malformed one gets the log's current
	//     position (its newest id).
	// fn returning an error stops the replay and Replay returns that error.
	// An error other than ErrUnknownID and fn's means the log could not be
	// read; it should wrap ErrUnavailable when the backend is unreachable.
	//
	// The cursor may lie beyond what the broker has delivered to this hub
	// yet (a networked log is ahead of its live feed): the hub then skips
	// every later delivery to the resumed connection whose id is at or
	// below the cursor, so the client sees no duplicate.
	Replay(ctx context.Context, afterID string, fn func(*Message) error) (cursor string, err error)
}

// BrokerHandler is what a hub gives its broker, and all the broker may do
// with the hub: hand over messages, tell it to reset its streams, report a
// gap, and read the hub's local counts. A Hub passes itself as the handler
// in Subscribe; a broker must not rely on anything else about it.
type BrokerHandler interface {
	// Deliver hands over one message, in id order, from one goroutine at a
	// time. It never blocks: slow connections are dropped, not waited for.
	Deliver(msg *Message)
	// Reset tells the hub that messages may have been lost between the
	// broker and this hub, and that the broker delivers, from now on, every
	// logged message after from: a networked broker found its log in a new
	// epoch (the store lost its data and started over) and delivers the
	// new epoch from its start, or found its log trimmed past what it had
	// delivered and goes on from the log's newest id. It is called from the
	// delivering goroutine, between two Deliver calls, and never blocks.
	//
	// The hub queues one ResetEvent (id from, data {"reason": reason, …})
	// on every open stream, in order with the deliveries around it, so
	// connected clients refetch their state and then receive what follows
	// on the same connection, without reconnecting. reason is a short word
	// for the event, logs and counters (for example "redis_data_lost").
	Reset(from EventID, reason string)
	// Gap reports that messages may have been lost between the broker and
	// this hub and that the broker cannot say from where it goes on (it
	// has no log to read them from). The hub ends its streams with a
	// jittered retry hint (spread like Shutdown's), so that clients resume
	// from the replay log, or get a reset, without all coming back at the
	// same instant. A broker that can, calls Reset instead, which keeps the
	// streams open. reason is a short word for logs and counters.
	Gap(reason string)
	// Counts returns the hub's own figures, for brokers that share
	// cluster-wide ones: open streams, subscribers per topic and, for each
	// of metaKeys, streams per metadata value. Safe from any goroutine.
	Counts(metaKeys ...string) LocalCounts
}

// LocalCounts are one hub's figures, as BrokerHandler.Counts reports them.
type LocalCounts struct {
	// Connections is the number of open streams.
	Connections int
	// Topics maps each topic with subscribers to their number.
	Topics map[string]int
	// Meta maps each asked metadata key to the number of streams per value
	// (streams without the key are not counted).
	Meta map[string]map[string]int
}

// ClusterStatser is implemented by brokers that can report cluster-wide
// figures; Hub.ClusterStats asks them.
type ClusterStatser interface {
	ClusterStats(ctx context.Context) (*ClusterStats, error)
}
