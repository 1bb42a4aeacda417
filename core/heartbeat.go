package core

import "time"

// Heartbeats: one hub-wide ticker walks the connections and queues a ping
// for each that has been silent for the heartbeat interval; it also ends
// streams past their maximum lifetime. No connection has a timer of its own.

// tick is the one hub-wide timer: heartbeats to idle connections and the
// maximum lifetime.
func (h *Hub) tick() {
	defer h.ticker.Done()
	every := time.Second
	if hb := h.cfg.heartbeat; hb > 0 && hb/4 < every {
		every = max(hb/4, 5*time.Millisecond)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	var expired []*Conn
	for {
		select {
		case <-h.stop:
			return
		case now := <-t.C:
			nowNs := now.UnixNano()
			hb := int64(h.cfg.heartbeat)
			pings := 0
			h.mu.RLock()
			for _, c := range h.all.list {
				if c.expires != 0 && nowNs >= c.expires {
					expired = append(expired, c)
					continue
				}
				if hb > 0 && nowNs-c.lastWrite.Load() >= hb && c.ping() {
					pings++
				}
			}
			h.mu.RUnlock()
			for _, c := range expired {
				c.end(reasonLifetime)
			}
			clear(expired)
			expired = expired[:0]
			h.stats.heartbeats.Add(uint64(pings))
		}
	}
}

// ping queues a heartbeat unless something is already waiting.
func (c *Conn) ping() bool {
	c.mu.Lock()
	if c.reason != reasonNone || len(c.queue) > 0 {
		c.mu.Unlock()
		return false
	}
	c.queue = append(c.queue, c.hub.ping)
	c.mu.Unlock()
	c.signal()
	return true
}

// heartbeat returns the hub's shared heartbeat message: a ": ping" comment,
// never followed by a blank line, or, with WithHeartbeatEvent, an event of
// that name with empty data and no id (the client keeps its last event id).
func heartbeat(event string) *Message {
	m := &Message{}
	frame := pingComment
	if event != "" {
		frame = appendEvent(nil, "", event, nil)
	}
	m.frameOnce.Do(func() { m.frame = frame })
	return m
}
