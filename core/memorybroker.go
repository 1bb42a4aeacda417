package core

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"
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
	start  EventID // the epoch's start: ids below it are from before this broker
	floor  EventID // every id at or below floor has left the log (or predates it)
	log    []*Message
	head   int // index of the oldest message in log (a ring when full)
	n      int
	maxAge time.Duration
	subs   []*memSub
	closed bool
}

type memSub struct{ h BrokerHandler }

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
	b.start = b.clock.next(b.now())
	b.floor = b.start
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
	msg.SetID(b.clock.next(now))
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
		s.h.Deliver(msg)
	}
	return msg.ID(), nil
}

func (b *MemoryBroker) dropOldest() {
	old := b.log[b.head]
	b.log[b.head] = nil
	b.head = (b.head + 1) % len(b.log)
	b.n--
	b.floor, _ = old.EventID()
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
func (b *MemoryBroker) Subscribe(h BrokerHandler) (func(), error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, ErrClosed
	}
	s := &memSub{h: h}
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
	switch {
	case err != nil:
		b.mu.Unlock()
		return head.String(), fmt.Errorf("%w: %q", ErrUnknownID, afterID)
	case after.Compare(b.start) < 0:
		// From an older epoch (a previous process): the client gets every
		// event of this one still in the log.
		floor := b.floor
		b.mu.Unlock()
		return floor.String(), fmt.Errorf("%w: %q is from before this log", ErrUnknownID, afterID)
	case after.Compare(b.floor) < 0 || after.Compare(head) > 0:
		b.mu.Unlock()
		return head.String(), fmt.Errorf("%w: %q was trimmed from the log or is newer than it", ErrUnknownID, afterID)
	}
	// Ids in the log increase, so the first message after afterID is found
	// by binary search.
	first := sort.Search(b.n, func(i int) bool {
		id, _ := b.log[(b.head+i)%len(b.log)].EventID()
		return id.Compare(after) > 0
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
		cursor = m.ID()
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
