package core

// hubHandler is the hub as its broker sees it: the BrokerHandler a hub
// hands to Broker.Subscribe, and nothing more of the hub.
type hubHandler Hub

// Deliver queues m for every connection it is for. It never blocks: the
// frame is encoded once, outside the lock, and shared by every receiver.
func (hh *hubHandler) Deliver(m *Message) {
	h := (*Hub)(hh)
	m.Frame()
	h.mu.RLock()
	defer h.mu.RUnlock()
	if m.ConnID != "" {
		if c := h.conns[m.ConnID]; c != nil && c.accepts(m) {
			c.enqueue(m)
		}
		return
	}
	set := &h.all
	if m.Topic != AllTopics {
		if set = h.topics[m.Topic]; set == nil {
			return
		}
	}
	for _, c := range set.list {
		if c.accepts(m) {
			c.enqueue(m)
		}
	}
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
		if c.enqueue(m) {
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
