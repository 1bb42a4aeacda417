package core

import (
	"context"
	"errors"
	"slices"
	"sort"
	"sync"
	"time"
)

// Broker carries published messages to every hub that subscribed to it. It
// is the only path from a publisher to connections: the hub publishes
// through its broker and receives through it, so replacing the in-memory
// broker with a networked one (see the redisbackend module) changes nothing
// else.
//
// The delivery contract an implementation must keep:
//   - Publish assigns the message a unique id (EventID form) and sets
//     msg.ID before delivering it. Ids increase strictly in the order in
//     which the broker delivers messages; subscribers may rely on it to
//     de-duplicate.
//   - Every subscriber receives each message at most once, in id order,
//     from one goroutine at a time. A subscriber callback does not block and
//     must not be called after its unsubscribe function returns.
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
	// Subscribe registers fn to receive every message published from now
	// on. The returned function unsubscribes it.
	Subscribe(fn func(*Message)) (unsubscribe func(), err error)
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

// HubAttacher is implemented by brokers that need the hub they serve, for
// example to publish its connection counts for cluster-wide stats. NewHub
// calls AttachHub once, after subscribing.
type HubAttacher interface {
	AttachHub(h *Hub)
}

// HubDetacher is implemented by brokers that want to know when a hub they
// were attached to shuts down (to stop reporting its counts, say).
// Hub.Shutdown calls DetachHub once, after unsubscribing.
type HubDetacher interface {
	DetachHub(h *Hub)
}

// Sentinel errors of the broker and replay contracts.
var (
	// ErrClosed is returned by operations on a closed broker or a hub that
	// has been shut down.
	ErrClosed = errors.New("core: closed")
	// ErrUnknownID is returned by ReplayLog.Replay for an id the log cannot
	// resume from.
	ErrUnknownID = errors.New("core: unknown last event id")
)

// Default replay log limits of the in-memory broker.
const (
	DefaultReplaySize   = 4096
	DefaultReplayMaxAge = 10 * time.Minute
)

// MemoryBroker is the default Broker: it delivers in process, synchronously,
// to every hub subscribed to it, and keeps a bounded replay log (by count
// and by age). Delivery happens under the broker's lock, so concurrent
// publishers are ordered and a subscriber sees ids strictly increasing.
type MemoryBroker struct {
	mu     sync.Mutex
	clock  idClock
	now    func() time.Time
	floor  EventID // every id at or below floor has left the log (or predates it)
	log    []*Message
	head   int // index of the oldest message in log (a ring when full)
	n      int
	maxAge time.Duration
	subs   []*memSub
	closed bool
}

type memSub struct{ fn func(*Message) }

// NewMemoryBroker returns an in-memory broker whose replay log keeps at most
// size messages (0 means DefaultReplaySize; negative disables the log) for at
// most maxAge (0 means DefaultReplayMaxAge; negative means no age limit).
func NewMemoryBroker(size int, maxAge time.Duration) *MemoryBroker {
	switch {
	case size == 0:
		size = DefaultReplaySize
	case size < 0:
		size = 0
	}
	if maxAge == 0 {
		maxAge = DefaultReplayMaxAge
	}
	b := &MemoryBroker{now: time.Now, log: make([]*Message, size), maxAge: maxAge}
	// Ids this broker hands out are all above the boot id, so an id from a
	// previous process (or another broker) below it is recognised as unknown.
	b.floor = b.clock.next(b.now())
	return b
}

// Publish implements Broker.
func (b *MemoryBroker) Publish(_ context.Context, msg *Message) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return "", ErrClosed
	}
	now := b.now()
	msg.ID = b.clock.next(now).String()
	if len(b.log) == 0 {
		b.floor = b.clock.last
	} else {
		b.trim(now)
		if b.n == len(b.log) {
			b.dropOldest()
		}
		b.log[(b.head+b.n)%len(b.log)] = msg
		b.n++
	}
	for _, s := range b.subs {
		s.fn(msg)
	}
	return msg.ID, nil
}

func (b *MemoryBroker) dropOldest() {
	old := b.log[b.head]
	b.log[b.head] = nil
	b.head = (b.head + 1) % len(b.log)
	b.n--
	if id, err := ParseID(old.ID); err == nil {
		b.floor = id
	}
}

// trim drops messages older than maxAge.
func (b *MemoryBroker) trim(now time.Time) {
	if b.maxAge < 0 {
		return
	}
	for b.n > 0 && now.Sub(b.log[b.head].OccurredAt) > b.maxAge {
		b.dropOldest()
	}
}

// Subscribe implements Broker.
func (b *MemoryBroker) Subscribe(fn func(*Message)) (func(), error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, ErrClosed
	}
	s := &memSub{fn: fn}
	b.subs = append(slices.Clip(b.subs), s)
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.subs = slices.DeleteFunc(slices.Clone(b.subs), func(x *memSub) bool { return x == s })
	}, nil
}

// Replay implements ReplayLog. It copies the matching part of the log under
// the lock and calls fn without it, so a slow reader never delays
// publishers.
func (b *MemoryBroker) Replay(ctx context.Context, afterID string, fn func(*Message) error) (string, error) {
	b.mu.Lock()
	b.trim(b.now())
	head := b.clock.last
	after, err := ParseID(afterID)
	if err != nil || after.Compare(b.floor) < 0 || after.Compare(head) > 0 {
		b.mu.Unlock()
		return head.String(), ErrUnknownID
	}
	// Ids in the log increase, so the first message after afterID is found
	// by binary search.
	first := sort.Search(b.n, func(i int) bool {
		return CompareIDs(b.log[(b.head+i)%len(b.log)].ID, afterID) > 0
	})
	batch := make([]*Message, 0, b.n-first)
	for i := first; i < b.n; i++ {
		batch = append(batch, b.log[(b.head+i)%len(b.log)])
	}
	b.mu.Unlock()
	cursor := afterID
	for _, m := range batch {
		if err := ctx.Err(); err != nil {
			return cursor, err
		}
		if err := fn(m); err != nil {
			return cursor, err
		}
		cursor = m.ID
	}
	return cursor, nil
}

// Close implements Broker.
func (b *MemoryBroker) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	b.subs = nil
	return nil
}
