package redisbackend

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
	"github.com/ssekit/ssekit/core"
)

// Broker is a core.Broker over Redis: hubs on any number of instances that
// use the same Redis and prefix behave as one. It also implements
// core.ReplayLog (a Redis Stream, so a client may resume on any instance)
// and core.ClusterStatser (connection counts of every live instance).
//
// Delivery: each event is appended to the stream and published on the
// prefix's channel by one Lua script, so its id is its stream id and it is
// in the log before any instance receives it. Each Broker holds one
// subscriber connection, decodes each event once and hands it to its
// subscribers (normally its one hub), which filter by topic and metadata
// locally. Live delivery over pub/sub is at-most-once, but the subscriber
// watches its connection: after a reconnect it reads from the stream what
// pub/sub lost while it was away, skipping anything at or below the last id
// it delivered, so subscribers get every event Redis accepted, once, in id
// order. When Redis lost its data, the stream starts a new epoch: the broker
// tells its hubs to reset (core.BrokerHandler.Reset), so every open stream
// gets one reset event in band, then every event of the new epoch, on the
// same connection; a client that resumes with an id of the old epoch gets
// the same from Replay. If the stream was trimmed past that point, the
// streams get the reset event and go on after the stream's newest id.
// Publish and Replay fail with errors wrapping core.ErrUnavailable while
// Redis cannot be reached.
//
// All methods are safe for concurrent use.
type Broker struct {
	client    redis.UniversalClient
	ownClient bool
	cfg       config
	keys      keys
	nodeID    string
	pub       *publisher

	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once

	deliverMu sync.Mutex // held while subscribers are called
	subs      []*subscriber

	posMu      sync.Mutex
	last       core.EventID // newest id handed to subscribers (or known to predate them)
	epoch      core.EventID // the floor of the stream being followed (streamInfo)
	epochKnown bool         // the stream existed at New, or a catch-up has seen it
	gapAt      core.EventID // position of the last reset for a trimmed or rolled-back stream (run goroutine only)

	psMu sync.Mutex
	ps   *redis.PubSub

	hubMu        sync.Mutex // guards statsStarted against Close
	statsStarted bool       // the stats writer runs (it is started once, by the first Subscribe)
	statsMu      sync.Mutex // serializes writeStats

	stats struct {
		received, recovered, skipped, gaps, reconnects, decodeErrors atomic.Uint64
	}
}

type subscriber struct{ h core.BrokerHandler }

// New connects to the Redis at redisURL (see ClientOptions for the forms it
// takes) and returns a running Broker. Plug it into a hub with
// core.WithBroker:
//
//	b, err := redisbackend.New(ctx, os.Getenv("REDIS_URL"), redisbackend.WithPrefix("my_app"))
//	hub, err := core.NewHub(core.WithBroker(b))
//
// Close releases the connections; the hub does not close it.
func New(ctx context.Context, redisURL string, opts ...Option) (*Broker, error) {
	ropt, err := ClientOptions(redisURL)
	if err != nil {
		return nil, err
	}
	c := redis.NewClient(ropt)
	b, err := newBroker(ctx, c, true, opts)
	if err != nil {
		c.Close()
		return nil, err
	}
	return b, nil
}

// NewFromClient returns a running Broker over an existing go-redis client:
// a *redis.Client, a *redis.ClusterClient (then events travel over sharded
// pub/sub, SPUBLISH/SSUBSCRIBE, Redis 7) or a failover client. The broker
// does not close it. Give the client ContextTimeoutEnabled so that a
// publish to an unreachable Redis fails within the publish timeout.
func NewFromClient(ctx context.Context, client redis.UniversalClient, opts ...Option) (*Broker, error) {
	if client == nil {
		return nil, errors.New("redisbackend: nil client")
	}
	return newBroker(ctx, client, false, opts)
}

func newBroker(ctx context.Context, client redis.UniversalClient, own bool, opts []Option) (*Broker, error) {
	cfg, err := buildConfig(opts)
	if err != nil {
		return nil, err
	}
	b := &Broker{client: client, ownClient: own, cfg: cfg, keys: newKeys(cfg.prefix), nodeID: newNodeID()}
	// Everything after the stream's current end will be delivered, even
	// what is published before the subscription is in place: the
	// subscriber reads the stream from here once it is subscribed.
	info, err := b.streamInfo(ctx)
	if err != nil {
		return nil, fmt.Errorf("redisbackend: connect: %w", unavailable(err))
	}
	b.last = info.last
	b.epoch, b.epochKnown = info.floor, info.exists
	b.ctx, b.cancel = context.WithCancel(context.Background())
	b.pub = newPublisher(client, &b.cfg, b.keys)
	b.wg.Add(1)
	go b.run()
	return b, nil
}

func newNodeID() string {
	host, _ := os.Hostname()
	var r [6]byte
	_, _ = rand.Read(r[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(r[:]))
}

// Publish implements core.Broker: it records msg in the stream and
// publishes it to every instance in one round trip (pipelined with other
// publishes under load), sets msg.ID to the stream id and returns it.
// Returning nil means Redis accepted the event. While Redis is unreachable
// it fails within the publish timeout with an error wrapping
// core.ErrUnavailable.
func (b *Broker) Publish(ctx context.Context, msg *core.Message) (string, error) {
	body, err := json.Marshal(msg)
	if err != nil {
		return "", fmt.Errorf("redisbackend: encode message: %w", err)
	}
	id, err := b.pub.publish(ctx, body)
	if err != nil {
		return "", err
	}
	eid, err := core.ParseID(id)
	if err != nil {
		return "", fmt.Errorf("redisbackend: publish: stream id: %w", err)
	}
	msg.SetID(eid)
	return id, nil
}

// Subscribe implements core.Broker. h.Deliver is called from the broker's
// one receiving goroutine, in id order. The broker also shares h's counts
// with the cluster (core.NewHub subscribes its hub), and tells h to reset
// (core.BrokerHandler.Reset) when events were lost. Unsubscribing
// (Hub.Shutdown does) takes h's counts out of this instance's cluster
// figures at once, not at the next interval.
func (b *Broker) Subscribe(h core.BrokerHandler) (func(), error) {
	if h == nil {
		return nil, errors.New("redisbackend: Subscribe: nil handler")
	}
	b.hubMu.Lock()
	defer b.hubMu.Unlock()
	if b.ctx.Err() != nil {
		return nil, core.ErrClosed
	}
	s := &subscriber{h: h}
	b.deliverMu.Lock()
	b.subs = append(slices.Clip(b.subs), s)
	b.deliverMu.Unlock()
	if !b.statsStarted {
		b.statsStarted = true
		b.wg.Add(1)
		go b.shareStats()
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			b.deliverMu.Lock()
			b.subs = slices.DeleteFunc(slices.Clone(b.subs), func(x *subscriber) bool { return x == s })
			b.deliverMu.Unlock()
			if b.ctx.Err() == nil {
				b.writeStats()
			}
		})
	}, nil
}

// handlers returns the subscribed handlers.
func (b *Broker) handlers() []core.BrokerHandler {
	b.deliverMu.Lock()
	defer b.deliverMu.Unlock()
	hs := make([]core.BrokerHandler, len(b.subs))
	for i, s := range b.subs {
		hs[i] = s.h
	}
	return hs
}

// Close stops the subscription and the stats, fails publishes still queued
// with core.ErrClosed, removes this instance from the cluster figures and,
// when New created the client, closes it. It is idempotent.
func (b *Broker) Close() error {
	var err error
	b.once.Do(func() {
		b.hubMu.Lock() // so Subscribe cannot start the stats writer after this
		b.cancel()
		b.hubMu.Unlock()
		b.psMu.Lock()
		if b.ps != nil {
			_ = b.ps.Close() // interrupts a blocked receive
		}
		b.psMu.Unlock()
		b.pub.close()
		b.wg.Wait()
		b.deliverMu.Lock()
		b.subs = nil
		b.deliverMu.Unlock()
		b.leaveCluster()
		if b.ownClient {
			err = b.client.Close()
		}
	})
	return err
}

// Client returns the go-redis client the broker uses.
func (b *Broker) Client() redis.UniversalClient { return b.client }

// NodeID returns this instance's name in the cluster figures.
func (b *Broker) NodeID() string { return b.nodeID }

// BrokerStats are a Broker's own counters.
type BrokerStats struct {
	// Published counts events Redis accepted from this instance;
	// PublishErrors counts publishes that failed.
	Published, PublishErrors uint64
	// Received counts events handed to subscribers, Recovered the share of
	// them read from the stream after pub/sub lost them.
	Received, Recovered uint64
	// Skipped counts events not handed on because their id was at or
	// below the last delivered one (a duplicate, or an older stream).
	Skipped uint64
	// Gaps counts times the subscription found events it could not
	// recover (lost by Redis, which started a new epoch of the stream, or
	// trimmed from the stream); the attached hubs then reset their streams
	// in band.
	Gaps uint64
	// Reconnects counts subscription reconnects; DecodeErrors counts
	// events that were not valid messages.
	Reconnects, DecodeErrors uint64
	// LastID is the newest id handed to subscribers.
	LastID string
	// Epoch identifies the life of the stream the broker follows: the id
	// below every id of it ("" until the stream exists). It changes when
	// Redis loses the stream.
	Epoch string
}

// Stats returns the broker's counters.
func (b *Broker) Stats() BrokerStats {
	return BrokerStats{
		Published:     b.pub.published.Load(),
		PublishErrors: b.pub.failed.Load(),
		Received:      b.stats.received.Load(),
		Recovered:     b.stats.recovered.Load(),
		Skipped:       b.stats.skipped.Load(),
		Gaps:          b.stats.gaps.Load(),
		Reconnects:    b.stats.reconnects.Load(),
		DecodeErrors:  b.stats.decodeErrors.Load(),
		LastID:        b.lastID().String(),
		Epoch:         b.epochID(),
	}
}

func (b *Broker) epochID() string {
	b.posMu.Lock()
	defer b.posMu.Unlock()
	if !b.epochKnown {
		return ""
	}
	return b.epoch.String()
}

func (b *Broker) lastID() core.EventID {
	b.posMu.Lock()
	defer b.posMu.Unlock()
	return b.last
}

var (
	_ core.Broker         = (*Broker)(nil)
	_ core.ReplayLog      = (*Broker)(nil)
	_ core.ClusterStatser = (*Broker)(nil)
)
