package core

import (
	"fmt"
	"runtime/debug"
	"time"
)

// hubHandler is the hub as its broker sees it: the BrokerHandler a hub
// hands to Broker.Subscribe, and nothing more of the hub.
type hubHandler Hub

// Deliver queues m for every connection it is for. It never blocks: the
// frame is encoded once, outside the lock, and shared by every receiver.
func (hh *hubHandler) Deliver(m *Message) {
	h := (*Hub)(hh)
	m.Frame()
	// With an observer, one clock read per message stamps every queue it
	// enters (for the time-in-queue figure); without, none.
	var at int64
	if h.obs != nil {
		now := time.Now()
		h.obs.Enqueued(m, now.Sub(m.OccurredAt))
		at = now.UnixNano()
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	if m.ConnID != "" {
		if c := h.conns[m.ConnID]; c != nil && c.safeAccepts(m) {
			c.enqueue(m, at)
		}
		return
	}
	set := &h.all
	if m.Topic != AllTopics {
		if set = h.topics[m.Topic]; set == nil {
			return
		}
	}
	// A panicking predicate skips its own connection only (panic.go).
	panics, stack := 0, []byte(nil)
	for i := 0; i < len(set.list); {
		i = deliverFrom(m, set.list, i, at, &panics, &stack)
	}
	if panics > 0 {
		h.stats.panics.Add(uint64(panics))
		h.log.Error("ssekit: FilterEvents predicate panicked (contained): the event skipped those streams and reached the others",
			"event", m.Event, "id", m.ID(), "streams", panics, "stack", string(stack))
	}
}

// deliverFrom queues m for list[start:], and returns len(list) when done.
// When a predicate panics for list[i], the panic is recovered, counted,
// and i+1 is returned so that the caller goes on from there: one deferred
// recover per run, not one per connection (panic.go has the rest of the
// containment). stack is filled with the stack of the first panic, for the
// caller's one log line. Each receiver also learns whether this was a
// small fan-out (see smallFanOut); the flag is written only when it
// changes.
func deliverFrom(m *Message, list []*Conn, start int, at int64, panics *int, stack *[]byte) (next int) {
	i := start
	defer func() {
		if v := recover(); v != nil {
			if *panics == 0 {
				*stack = append(fmt.Appendf(nil, "panic: %v\n\n", v), debug.Stack()...)
			}
			*panics++
			next = i + 1
		}
	}()
	small := len(list) <= smallFanOut
	for ; i < len(list); i++ {
		if c := list[i]; c.accepts(m) {
			if c.smallFan.Load() != small {
				c.smallFan.Store(small)
			}
			c.enqueue(m, at)
		}
	}
	return len(list)
}

// Reset queues one ResetEvent with id from on every stream, after what is
// already queued and before what the broker delivers next (see
// BrokerHandler.Reset). The frame is encoded once and shared; like Deliver,
// it never blocks, and a full queue drops that stream (its client resumes).
func (hh *hubHandler) Reset(from EventID, reason string) {
	h := (*Hub)(hh)
	m := h.resetMessage(reason, "")
	m.SetID(from)
	m.reset = true
	m.Frame()
	h.mu.RLock()
	n := 0
	for _, c := range h.all.list {
		if c.enqueue(m, 0) {
			n++
		}
	}
	h.mu.RUnlock()
	h.stats.resets.Add(uint64(n))
	h.log.Warn("ssekit: broker reset; streams get a reset event and go on from its position", "reason", reason, "from", from.String(), "streams", n)
}

// Gap ends every stream with a jittered retry hint (spread like Shutdown's),
// so that clients resume from the replay log, or get a reset, without all
// coming back at the same instant.
func (hh *hubHandler) Gap(reason string) {
	h := (*Hub)(hh)
	h.mu.RLock()
	conns := append([]*Conn(nil), h.all.list...)
	h.mu.RUnlock()
	for _, c := range conns {
		c.end(reasonGap)
	}
	h.log.Warn("ssekit: broker reported a gap; streams end so their clients resume", "reason", reason, "streams", len(conns))
}

// Counts returns the hub's figures (see BrokerHandler).
func (hh *hubHandler) Counts(metaKeys ...string) LocalCounts {
	h := (*Hub)(hh)
	h.mu.RLock()
	defer h.mu.RUnlock()
	lc := LocalCounts{Connections: len(h.conns), Topics: make(map[string]int, len(h.topics))}
	for t, set := range h.topics {
		lc.Topics[t] = len(set.list)
	}
	if len(metaKeys) > 0 {
		lc.Meta = make(map[string]map[string]int, len(metaKeys))
		for _, k := range metaKeys {
			lc.Meta[k] = map[string]int{}
		}
		for _, c := range h.all.list {
			meta := *c.meta.Load()
			for _, k := range metaKeys {
				if v := meta[k]; v != "" {
					lc.Meta[k][v]++
				}
			}
		}
	}
	return lc
}
