package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Errors a publish or a stream request can fail with.
var (
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
)

// Hub routes published events to connections: topics, metadata filters,
// per-connection bounded queues, one shared heartbeat ticker and, through
// its broker, replay for clients that resume. Create one with NewHub; all
// methods are safe for concurrent use.
type Hub struct {
	cfg       hubConfig
	log       *slog.Logger
	broker    Broker
	replay    ReplayLog
	ownBroker bool
	unsub     func()
	connSeq   atomic.Uint64
	prefix    string
	ping      *Message

	mu         sync.RWMutex
	conns      map[string]*Conn
	all        connSet
	topics     map[string]*connSet
	identities map[string][]*Conn
	closing    bool
	drained    chan struct{}

	stop   chan struct{}
	ticker sync.WaitGroup

	stats struct {
		published, delivered, dropped, heartbeats atomic.Uint64
		replayed, resets                          atomic.Uint64
		connects, disconnects                     atomic.Uint64
		rejected                                  [numLimits]atomic.Uint64
	}
}

// NewHub returns a running hub. Without options it uses an in-memory broker
// with a bounded replay log, a 15 s heartbeat, a 3 s retry hint, queues of
// 1024 events and at most 10,000 connections (see the Default constants).
// Shut it down with Shutdown.
func NewHub(opts ...HubOption) (*Hub, error) {
	cfg := hubConfig{
		producer:       DefaultProducer,
		heartbeat:      DefaultHeartbeat,
		retry:          DefaultRetry,
		queueSize:      DefaultQueueSize,
		maxConns:       DefaultMaxConnections,
		maxTopics:      DefaultMaxTopics,
		maxEventSize:   DefaultMaxEventSize,
		writeTimeout:   DefaultWriteTimeout,
		shutdownSpread: DefaultShutdownSpread,
	}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	h := &Hub{
		cfg:        cfg,
		log:        cfg.log,
		broker:     cfg.broker,
		conns:      make(map[string]*Conn),
		topics:     make(map[string]*connSet),
		identities: make(map[string][]*Conn),
		drained:    make(chan struct{}),
		stop:       make(chan struct{}),
		prefix:     strconv.FormatUint(rand.Uint64()>>20, 36) + "-",
		ping:       heartbeat(cfg.heartbeatEvent),
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.broker == nil {
		h.broker = NewMemoryBroker(cfg.replaySize, cfg.replayAge)
		h.ownBroker = true
	}
	if rl, ok := h.broker.(ReplayLog); ok {
		h.replay = rl
	}
	unsub, err := h.broker.Subscribe(h.deliver)
	if err != nil {
		return nil, fmt.Errorf("core: subscribe to broker: %w", err)
	}
	h.unsub = unsub
	if a, ok := h.broker.(HubAttacher); ok {
		a.AttachHub(h)
	}
	if cfg.heartbeat > 0 || cfg.maxLifetime > 0 {
		h.ticker.Add(1)
		go h.tick()
	}
	return h, nil
}

// Broker returns the hub's broker.
func (h *Hub) Broker() Broker { return h.broker }

// PublishOption narrows or annotates one publish.
type PublishOption func(*Message)

// Where delivers the event only to connections whose metadata matches m.
func Where(m Match) PublishOption {
	return func(msg *Message) {
		if len(m) > 0 {
			msg.Filter = maps.Clone(m)
		}
	}
}

// WithMeta merges caller metadata into the envelope's meta. The reserved
// keys topic, producer and trace_id are ignored.
func WithMeta(meta map[string]string) PublishOption {
	return func(msg *Message) {
		for k, v := range meta {
			if reservedMeta(k) {
				continue
			}
			if msg.Meta == nil {
				msg.Meta = make(map[string]string, len(meta))
			}
			msg.Meta[k] = v
		}
	}
}

// WithTraceID sets meta.trace_id (by default the event id).
func WithTraceID(id string) PublishOption {
	return func(msg *Message) { msg.TraceID = id }
}

// ToConn delivers the event only to the connection with that id (on
// whichever instance holds it, with a networked broker).
func ToConn(id string) PublishOption {
	return func(msg *Message) { msg.ConnID = id }
}

// Publish sends data, JSON-encoded, as event on topic to every connection
// subscribed to it (or to every connection when topic is AllTopics), and
// returns the event id. It never blocks on a slow client.
func (h *Hub) Publish(ctx context.Context, topic, event string, data any, opts ...PublishOption) (string, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return "", fmt.Errorf("core: publish %q: encode data: %w", event, err)
	}
	// json.Marshal output is compact JSON already: no second pass over it.
	return h.publish(ctx, topic, event, raw, true, opts)
}

// PublishRaw is Publish with the data given as bytes: valid JSON is used
// as-is (compacted), anything else is sent as a JSON string.
func (h *Hub) PublishRaw(ctx context.Context, topic, event string, raw []byte, opts ...PublishOption) (string, error) {
	return h.publish(ctx, topic, event, raw, false, opts)
}

// SendTo publishes to the single connection id; it is Publish with
// ToConn(id) and topic AllTopics.
func (h *Hub) SendTo(ctx context.Context, connID, event string, data any, opts ...PublishOption) (string, error) {
	// Clipped, so the append never writes into the caller's array.
	return h.Publish(ctx, AllTopics, event, data, append(opts[:len(opts):len(opts)], ToConn(connID))...)
}

func (h *Hub) publish(ctx context.Context, topic, event string, raw []byte, compact bool, opts []PublishOption) (string, error) {
	if topic == "" {
		return "", fmt.Errorf("%w: empty (use core.AllTopics to reach every connection)", ErrInvalidTopic)
	}
	m, err := h.newMessage(topic, event, raw, compact, opts)
	if err != nil {
		return "", err
	}
	id, err := h.broker.Publish(ctx, m)
	if err != nil {
		return "", fmt.Errorf("core: publish %q to %q: %w", event, topic, err)
	}
	h.stats.published.Add(1)
	return id, nil
}

// newMessage builds a message with the hub's limits and producer; compact
// says raw is already compact JSON (from json.Marshal).
func (h *Hub) newMessage(topic, event string, raw []byte, compact bool, opts []PublishOption) (*Message, error) {
	if err := ValidateEvent(event); err != nil {
		return nil, err
	}
	if len(raw) > h.cfg.maxEventSize {
		h.reject(limitEventSize)
		return nil, fmt.Errorf("%w: %d bytes (max %d)", ErrTooLarge, len(raw), h.cfg.maxEventSize)
	}
	data := json.RawMessage(raw)
	if !compact {
		data = rawData(raw)
	}
	return buildMessage(topic, event, data, h.cfg.producer, opts)
}

// FromProducer sets meta.producer of one message (a hub sets its own).
func FromProducer(name string) PublishOption {
	return func(msg *Message) { msg.Producer = name }
}

// deliver is the broker's callback: it queues m for every connection it is
// for. It never blocks.
func (h *Hub) deliver(m *Message) {
	m.Frame() // encoded once, outside the lock, shared by every receiver
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

// Shutdown stops accepting streams (new requests get 503), ends every open
// stream with a jittered final retry hint, and returns when all streams
// have ended or ctx is done (then with ctx's error). It is safe to call more
// than once. The hub closes its broker only if it created it.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	first := !h.closing
	h.closing = true
	conns := make([]*Conn, 0, len(h.all.list))
	conns = append(conns, h.all.list...)
	if len(h.conns) == 0 {
		select {
		case <-h.drained:
		default:
			close(h.drained)
		}
	}
	h.mu.Unlock()
	if first {
		for _, c := range conns {
			c.end(reasonShutdown)
		}
		close(h.stop)
		h.ticker.Wait()
	}
	var err error
	select {
	case <-h.drained:
	case <-ctxDone(ctx):
		err = ctx.Err()
	}
	if first {
		h.unsub()
		if d, ok := h.broker.(HubDetacher); ok {
			d.DetachHub(h)
		}
		if h.ownBroker {
			h.broker.Close()
		}
	}
	return err
}

// Closing reports whether Shutdown has been called.
func (h *Hub) Closing() bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.closing
}

// Stats is a snapshot of a hub's counters, served as JSON by the stats
// endpoint.
type Stats struct {
	// Connections is the number of open streams.
	Connections int `json:"connections"`
	// Topics maps each topic with subscribers to their number.
	Topics map[string]int `json:"topics"`
	// Published counts events published through this hub.
	Published uint64 `json:"published"`
	// Delivered counts event frames written to clients (live and replayed).
	Delivered uint64 `json:"delivered"`
	// Dropped counts streams disconnected because their queue was full.
	Dropped uint64 `json:"dropped"`
	// Heartbeats counts heartbeat comments queued.
	Heartbeats uint64 `json:"heartbeats"`
	// Replayed counts events sent from the replay log to resuming clients.
	Replayed uint64 `json:"replayed"`
	// Resets counts reset events sent for unknown Last-Event-IDs.
	Resets uint64 `json:"resets"`
	// Connects and Disconnects count streams opened and ended.
	Connects    uint64 `json:"connects"`
	Disconnects uint64 `json:"disconnects"`
	// Rejected counts requests and publishes refused by a limit, in all.
	Rejected uint64 `json:"rejected"`
	// RejectedBy splits Rejected by limit: "connections" (hub cap),
	// "identity" (per-identity cap), "topics" (per-connection cap),
	// "event_size" (publish over the maximum event size), "body_size"
	// (broadcast body over its limit), "unauthorized" (refused by an
	// Authorize, BroadcastAuth or StatsAuth hook).
	RejectedBy map[string]uint64 `json:"rejected_by"`
	// Cluster holds cluster-wide figures when the broker knows them.
	Cluster *ClusterStats `json:"cluster,omitempty"`
}

// ClusterStats are cluster-wide figures from a networked broker.
type ClusterStats struct {
	// Connections is the number of open streams on every live node.
	Connections int `json:"connections"`
	// Nodes is the number of live nodes.
	Nodes int `json:"nodes"`
	// Topics maps topics to their subscribers on every live node.
	Topics map[string]int `json:"topics,omitempty"`
}

// ClusterStatser is implemented by brokers that can report cluster-wide
// figures; Hub.Stats includes them.
type ClusterStatser interface {
	ClusterStats(ctx context.Context) (*ClusterStats, error)
}

// Stats returns a snapshot of the hub's counters.
func (h *Hub) Stats() Stats {
	h.mu.RLock()
	s := Stats{Connections: len(h.conns), Topics: make(map[string]int, len(h.topics))}
	for t, set := range h.topics {
		s.Topics[t] = len(set.list)
	}
	h.mu.RUnlock()
	s.Published = h.stats.published.Load()
	s.Delivered = h.stats.delivered.Load()
	s.Dropped = h.stats.dropped.Load()
	s.Heartbeats = h.stats.heartbeats.Load()
	s.Replayed = h.stats.replayed.Load()
	s.Resets = h.stats.resets.Load()
	s.Connects = h.stats.connects.Load()
	s.Disconnects = h.stats.disconnects.Load()
	s.RejectedBy = make(map[string]uint64, numLimits)
	for i := range h.stats.rejected {
		n := h.stats.rejected[i].Load()
		s.RejectedBy[limitNames[i]] = n
		s.Rejected += n
	}
	if cs, ok := h.broker.(ClusterStatser); ok {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if c, err := cs.ClusterStats(ctx); err == nil {
			s.Cluster = c
		} else {
			h.log.Warn("ssekit: cluster stats unavailable", "err", err)
		}
	}
	return s
}

// The limits counted in Stats.RejectedBy.
const (
	limitConnections = iota
	limitIdentity
	limitTopics
	limitEventSize
	limitBodySize
	limitUnauthorized
	numLimits
)

var limitNames = [numLimits]string{"connections", "identity", "topics", "event_size", "body_size", "unauthorized"}

func (h *Hub) reject(limit int) { h.stats.rejected[limit].Add(1) }
