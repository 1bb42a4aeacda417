package core

import (
	"encoding/json"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// closeReason says why the hub ended a connection.
type closeReason uint8

const (
	reasonNone closeReason = iota
	reasonDropped
	reasonDisconnected
	reasonEvicted
	reasonShutdown
	reasonLifetime
	reasonGap
)

// Conn is one live stream registered with a hub. Its methods are safe for
// concurrent use, also after the stream has ended (they then do nothing).
type Conn struct {
	hub      *Hub
	id       string
	identity string
	created  time.Time
	expires  int64 // UnixNano; 0: no maximum lifetime
	rules    *rules
	meta     atomic.Pointer[map[string]string]
	// lastWrite is the UnixNano time of the last flush, for heartbeats.
	lastWrite atomic.Int64

	// queuedAt is the UnixNano stamp of the oldest stamped event in the
	// queue (0: none; stamps are taken only with an Observer).
	queuedAt int64

	mu     sync.Mutex
	floor  floor // after a resume: what the replay already wrote
	topics []string
	queue  []*Message
	qbytes int // frame bytes in queue
	spare  []*Message
	reason closeReason
	wake   chan struct{} // capacity 1: "the queue has something"
	done   chan struct{} // closed when the hub ends the stream
	// det is set while the stream is detached from its goroutine
	// (WithDetachedStreams): signal then schedules it on a writer.
	det atomic.Pointer[dconn]
	// smallFan says the last publish that reached this stream went to at
	// most smallFanOut streams: its writer then yields once when woken
	// (see session.Run).
	smallFan atomic.Bool
}

// ID returns the connection id, unique within its hub.
func (c *Conn) ID() string { return c.id }

// Identity returns the identity set by the Authorize hook ("" when none).
func (c *Conn) Identity() string { return c.identity }

// ConnectedAt returns when the connection was registered.
func (c *Conn) ConnectedAt() time.Time { return c.created }

// Topics returns a copy of the topics the connection is subscribed to.
func (c *Conn) Topics() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.topics)
}

// Meta returns a copy of the connection's metadata.
func (c *Conn) Meta() map[string]string { return maps.Clone(*c.meta.Load()) }

// Get returns one metadata value ("" when absent).
func (c *Conn) Get(key string) string { return (*c.meta.Load())[key] }

// SetMeta sets one metadata value; publishes filtered with a Match see it
// from the next delivery on.
func (c *Conn) SetMeta(key, value string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := maps.Clone(*c.meta.Load())
	if m == nil {
		m = make(map[string]string, 1)
	}
	m[key] = value
	c.meta.Store(&m)
}

// Send queues an event for this connection only, bypassing the broker and
// the replay log: it carries no SSE id (the client keeps its last event id)
// and its envelope id is empty. It suits a welcome or initial-state event
// sent from an OnConnect hook. data is JSON-encoded.
func (c *Conn) Send(event string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return c.SendRaw(event, raw)
}

// SendRaw is Send with data given as bytes, treated as PublishRaw does.
func (c *Conn) SendRaw(event string, raw []byte) error {
	m, err := c.hub.message(AllTopics, event, raw, false, nil)
	if err != nil {
		return err
	}
	var at int64
	if c.hub.obs != nil {
		at = time.Now().UnixNano()
	}
	if !c.enqueue(m, at) {
		return ErrClosed
	}
	return nil
}

// Close ends the stream; the client may reconnect.
func (c *Conn) Close() { c.end(reasonDisconnected) }

// subscribed reports whether the connection has topic.
func (c *Conn) subscribed(topic string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range c.topics {
		if t == topic {
			return true
		}
	}
	return false
}

// accepts reports whether m is for this connection (filter and rules).
func (c *Conn) accepts(m *Message) bool {
	if len(m.Filter) > 0 && !m.Filter.Matches(*c.meta.Load()) {
		return false
	}
	return c.rules.accepts(m)
}

// enqueue adds m to the queue without blocking. A full queue ends the
// stream (the client comes back with Last-Event-ID and the replay log fills
// the gap); enqueue then reports false. at is the UnixNano time m was
// handed over, or 0 when the hub has no Observer.
func (c *Conn) enqueue(m *Message, at int64) bool {
	c.mu.Lock()
	if c.reason != reasonNone {
		c.mu.Unlock()
		return false
	}
	if c.floor.skip(m) {
		c.mu.Unlock()
		return true
	}
	size := m.size()
	if len(c.queue) >= c.hub.cfg.queueSize || (len(c.queue) > 0 && c.qbytes+size > c.hub.cfg.maxQueueBytes) {
		c.reason = reasonDropped
		close(c.done)
		// A dropped stream writes nothing more: its queue is let go now,
		// not when its writer, maybe stuck on the socket, returns.
		n, bytes := len(c.queue), c.qbytes
		clear(c.queue)
		c.queue, c.qbytes = nil, 0
		c.mu.Unlock()
		c.signal()
		c.hub.stats.dropped.Add(1)
		c.hub.log.Warn("ssekit: slow client disconnected", "conn_id", c.id, "reason", "queue_full", "events", n, "bytes", bytes,
			"max_events", c.hub.cfg.queueSize, "max_bytes", c.hub.cfg.maxQueueBytes)
		return false
	}
	// The writer is woken when the queue becomes non-empty; until it takes
	// the queue, later events ride along without another wake-up.
	first := len(c.queue) == 0
	c.queue = append(c.queue, m)
	c.qbytes += size
	if c.queuedAt == 0 {
		c.queuedAt = at
	}
	c.mu.Unlock()
	if first {
		c.signal()
	}
	return true
}

// pending is the number of events queued for c.
func (c *Conn) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queue)
}

// take swaps out the pending queue, with the stamp of its oldest stamped
// event (see enqueue). The caller hands the slice back with release once
// written, so a busy connection reuses two buffers.
func (c *Conn) take() ([]*Message, int64) {
	c.mu.Lock()
	q, at := c.queue, c.queuedAt
	c.queue, c.qbytes = c.spare[:0], 0
	c.spare = nil
	c.queuedAt = 0
	c.mu.Unlock()
	return q, at
}

func (c *Conn) release(q []*Message) {
	clear(q)
	// A buffer grown by a burst is not kept for an idle connection.
	if cap(q) > 256 {
		return
	}
	c.mu.Lock()
	if c.spare == nil {
		c.spare = q[:0]
	}
	c.mu.Unlock()
}

// resumedThrough is called once the replay has written everything up to
// cursor: queued live deliveries it covered are removed, and later ones at
// or below it are skipped.
func (c *Conn) resumedThrough(cursor string) {
	id, err := ParseID(cursor)
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.queue = c.floor.set(id, c.queue)
}

// end marks the stream as ended by the hub; the writer loop sees it.
func (c *Conn) end(r closeReason) bool {
	c.mu.Lock()
	if c.reason != reasonNone {
		c.mu.Unlock()
		return false
	}
	c.reason = r
	close(c.done)
	c.mu.Unlock()
	c.signal()
	return true
}

func (c *Conn) endReason() closeReason {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reason
}
