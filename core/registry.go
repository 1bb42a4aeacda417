package core

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// connSpec describes a stream to register.
type connSpec struct {
	topics   []string
	meta     map[string]string
	identity string
	rules    *rules
}

// register adds a connection, enforcing the connection, identity and topic
// caps.
func (h *Hub) register(spec connSpec) (*Conn, error) {
	if len(spec.topics) > h.cfg.maxTopics {
		h.reject(limitTopics)
		return nil, fmt.Errorf("%w: %d (max %d)", ErrTooManyTopics, len(spec.topics), h.cfg.maxTopics)
	}
	now := time.Now()
	c := &Conn{
		hub:      h,
		id:       h.prefix + strconv.FormatUint(h.connSeq.Add(1), 36),
		identity: spec.identity,
		created:  now,
		rules:    spec.rules,
		topics:   spec.topics,
		wake:     make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
	meta := spec.meta
	if meta == nil {
		meta = map[string]string{}
	}
	c.meta.Store(&meta)
	c.lastWrite.Store(now.UnixNano())
	if d := h.cfg.maxLifetime; d > 0 {
		c.expires = now.Add(time.Duration(float64(d) * (0.8 + 0.2*rand.Float64()))).UnixNano()
	}

	var evict *Conn
	h.mu.Lock()
	switch {
	case h.closing:
		h.mu.Unlock()
		return nil, ErrClosed
	case h.cfg.maxConns > 0 && len(h.conns) >= h.cfg.maxConns:
		h.mu.Unlock()
		h.reject(limitConnections)
		return nil, fmt.Errorf("%w (max %d)", ErrTooManyConnections, h.cfg.maxConns)
	}
	if c.identity != "" && h.cfg.maxPerIdentity > 0 {
		if held := h.identities[c.identity]; len(held) >= h.cfg.maxPerIdentity {
			if h.cfg.identityPolicy == RefuseNewest {
				h.mu.Unlock()
				h.reject(limitIdentity)
				return nil, fmt.Errorf("%w (max %d)", ErrIdentityLimit, h.cfg.maxPerIdentity)
			}
			evict = held[0]
			h.unindexLocked(evict)
		}
	}
	h.conns[c.id] = c
	h.all.add(c)
	for _, t := range c.topics {
		h.topicSet(t).add(c)
	}
	if c.identity != "" {
		h.identities[c.identity] = append(h.identities[c.identity], c)
	}
	h.mu.Unlock()
	if evict != nil {
		evict.end(reasonEvicted)
	}
	h.stats.connects.Add(1)
	return c, nil
}

func (h *Hub) topicSet(t string) *connSet {
	s := h.topics[t]
	if s == nil {
		s = &connSet{}
		h.topics[t] = s
	}
	return s
}

// unregister removes c from every index; the stream's writer calls it once,
// when it returns.
func (h *Hub) unregister(c *Conn) {
	h.mu.Lock()
	removed := h.unindexLocked(c)
	if h.closing && len(h.conns) == 0 {
		select {
		case <-h.drained:
		default:
			close(h.drained)
		}
	}
	h.mu.Unlock()
	if removed {
		h.stats.disconnects.Add(1)
	}
}

// unindexLocked removes c from the maps. An evicted connection leaves the
// indexes at once, while its writer is still finishing.
func (h *Hub) unindexLocked(c *Conn) bool {
	if h.conns[c.id] != c {
		return false
	}
	delete(h.conns, c.id)
	h.all.remove(c)
	c.mu.Lock()
	topics := c.topics
	c.mu.Unlock()
	for _, t := range topics {
		if s := h.topics[t]; s != nil {
			s.remove(c)
			if len(s.list) == 0 {
				delete(h.topics, t)
			}
		}
	}
	if c.identity != "" {
		held := h.identities[c.identity]
		for i, x := range held {
			if x == c {
				held = append(held[:i:i], held[i+1:]...)
				break
			}
		}
		if len(held) == 0 {
			delete(h.identities, c.identity)
		} else {
			h.identities[c.identity] = held
		}
	}
	return true
}

// Conn returns the live connection with that id, or nil.
func (h *Hub) Conn(id string) *Conn {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.conns[id]
}

// Conns returns the live connections whose metadata matches m (all of them
// for an empty Match), in no particular order.
func (h *Hub) Conns(m Match) []*Conn {
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make([]*Conn, 0, len(h.all.list))
	for _, c := range h.all.list {
		if m.Matches(*c.meta.Load()) {
			out = append(out, c)
		}
	}
	return out
}

// Count returns the number of live connections.
func (h *Hub) Count() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.conns)
}

// CountTopic returns the number of live connections subscribed to topic.
func (h *Hub) CountTopic(topic string) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if s := h.topics[topic]; s != nil {
		return len(s.list)
	}
	return 0
}

// CountWhere returns the number of live connections whose metadata matches
// m, for example core.Match{"user_id": "123"}.
func (h *Hub) CountWhere(m Match) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	for _, c := range h.all.list {
		if m.Matches(*c.meta.Load()) {
			n++
		}
	}
	return n
}

// Subscribe adds topic to the live connection connID.
func (h *Hub) Subscribe(connID, topic string) error {
	if err := ValidateTopic(topic); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.conns[connID]
	if c == nil {
		return fmt.Errorf("%w: %q", ErrNoConnection, connID)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range c.topics {
		if t == topic {
			return nil
		}
	}
	if len(c.topics) >= h.cfg.maxTopics {
		return fmt.Errorf("%w: connection %q has %d", ErrTooManyTopics, connID, len(c.topics))
	}
	c.topics = append(c.topics[:len(c.topics):len(c.topics)], topic)
	h.topicSet(topic).add(c)
	return nil
}

// Unsubscribe removes topic from the live connection connID.
func (h *Hub) Unsubscribe(connID, topic string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.conns[connID]
	if c == nil {
		return fmt.Errorf("%w: %q", ErrNoConnection, connID)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, t := range c.topics {
		if t == topic {
			c.topics = append(c.topics[:i:i], c.topics[i+1:]...)
			if s := h.topics[topic]; s != nil {
				s.remove(c)
				if len(s.list) == 0 {
					delete(h.topics, topic)
				}
			}
			return nil
		}
	}
	return nil
}

// Disconnect ends the stream of connection connID; it reports whether the
// hub held it. The client may reconnect.
func (h *Hub) Disconnect(connID string) bool {
	c := h.Conn(connID)
	if c == nil {
		return false
	}
	return c.end(reasonDisconnected)
}

// connSet is an unordered set of connections that iterates as a slice.
type connSet struct {
	list  []*Conn
	index map[*Conn]int
}

func (s *connSet) add(c *Conn) {
	if s.index == nil {
		s.index = make(map[*Conn]int)
	}
	if _, ok := s.index[c]; ok {
		return
	}
	s.index[c] = len(s.list)
	s.list = append(s.list, c)
}

func (s *connSet) remove(c *Conn) {
	i, ok := s.index[c]
	if !ok {
		return
	}
	last := len(s.list) - 1
	s.list[i] = s.list[last]
	s.index[s.list[i]] = i
	s.list[last] = nil
	s.list = s.list[:last]
	delete(s.index, c)
}
