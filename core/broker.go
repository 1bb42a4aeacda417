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
type ReplayLog interface {
	// Replay calls fn, in id order, for every logged message published
	// after afterID, and returns the id of the newest message covered by
	// the call (afterID itself when nothing newer was logged). When afterID
	// is unknown to the log (trimmed away, from before a restart, from
	// another log or malformed), Replay calls fn for nothing and returns
	// the log's current position (an id a client can resume from later)
	// and an error wrapping ErrUnknownID. fn returning an error stops the
	// replay and Replay returns that error.
	//
	// The cursor may lie beyond what the broker has delivered to this hub
	// yet (a networked log is ahead of its live feed): the hub then skips
	// every later delivery to the resumed connection whose id is at or
	// below the cursor, so the client sees no duplicate.
	Replay(ctx context.Context, afterID string, fn func(*Message) error) (cursor string, err error)
}

// BrokerHandler is what a hub gives its broker, and all the broker may do
// with the hub: hand over messages, report a gap, and read the hub's local
// counts. A Hub passes itself as the handler in Subscribe; a broker must not
// rely on anything else about it.
type BrokerHandler interface {
	// Deliver hands over one message, in id order, from one goroutine at a
	// time. It never blocks: slow connections are dropped, not waited for.
	Deliver(msg *Message)
	// Gap reports that messages may have been lost between the broker and
	// this hub (a networked broker lost its subscription and cannot fill
	// the hole from its log). The hub ends its streams with a jittered
	// retry hint, so that clients resume from the replay log or get a
	// reset. reason is a short word for logs and counters.
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
