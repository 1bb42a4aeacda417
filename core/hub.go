package core

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
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
	obs       Observer // nil: no timings taken

	// pubMu orders publishes before Shutdown (see publish); pubClosed is
	// set under its write lock.
	pubMu     sync.RWMutex
	pubClosed bool
	detach    detacher // streams without a goroutine (WithDetachedStreams)

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
		replayed, resets, panics                  atomic.Uint64
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
		maxQueueBytes:  DefaultMaxQueueBytes,
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
		obs:        cfg.observer,
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
	unsub, err := h.broker.Subscribe((*hubHandler)(h))
	if err != nil {
		return nil, fmt.Errorf("core: subscribe to broker: %w", err)
	}
	h.unsub = unsub
	if cfg.heartbeat > 0 || cfg.maxLifetime > 0 {
		h.ticker.Add(1)
		go h.tick()
	}
	return h, nil
}

// Broker returns the hub's broker.
func (h *Hub) Broker() Broker { return h.broker }

// Shutdown stops accepting publishes (Publish, SendTo and the broadcast
// route then fail with ErrClosed, 503 over HTTP) and streams (new requests
// get 503), ends every open
// stream with a jittered final retry hint, and returns when all streams
// have ended or ctx is done (then with ctx's error). It is safe to call more
// than once. The hub closes its broker only if it created it.
func (h *Hub) Shutdown(ctx context.Context) error {
	// Publishing stops first: a publish in flight completes (its event is
	// queued for the streams, or in the broker's log) before any stream
	// ends, and every later one fails with ErrClosed.
	h.pubMu.Lock()
	h.pubClosed = true
	h.pubMu.Unlock()
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
