package redisbackend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/ssekit/ssekit/core"
)

// catchUpBatch is how many stream entries one XRANGE reads.
const catchUpBatch = 512

// run keeps one subscription alive until Close: subscribe, read from the
// stream what was missed, receive; on any failure, back off and start over.
func (b *Broker) run() {
	defer b.wg.Done()
	attempt := 0
	for {
		established, err := b.session()
		if b.ctx.Err() != nil {
			return
		}
		if established {
			attempt = 0
		}
		b.stats.reconnects.Add(1)
		wait := backoff(attempt, b.cfg.backoffMin, b.cfg.backoffMax, rand.Int64N)
		attempt++
		b.cfg.log.Warn("redisbackend: subscription lost; reconnecting", "err", err, "in", wait, "attempt", attempt)
		t := time.NewTimer(wait)
		select {
		case <-b.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// session runs one subscription. established reports whether it got as far
// as receiving live events.
func (b *Broker) session() (established bool, err error) {
	// Read the bulk of what was missed before subscribing, so that live
	// events do not pile up in Redis's output buffer for this connection
	// (and trip client-output-buffer-limit) during a long catch-up; the
	// second catch-up, once subscribed, covers the moment in between.
	if err := b.catchUp(); err != nil {
		return false, fmt.Errorf("catch up from stream: %w", err)
	}
	ps, err := b.subscribe()
	if err != nil {
		return false, err
	}
	defer func() {
		b.psMu.Lock()
		b.ps = nil
		b.psMu.Unlock()
		_ = ps.Close()
	}()
	if err := b.catchUp(); err != nil {
		return false, fmt.Errorf("catch up from stream: %w", err)
	}
	b.stats.subscribed.Store(true)
	defer b.stats.subscribed.Store(false)
	return true, b.receive(ps)
}

// subscribe opens the subscriber connection and waits for Redis to confirm
// the subscription.
func (b *Broker) subscribe() (*redis.PubSub, error) {
	ctx, cancel := context.WithTimeout(b.ctx, b.cfg.publishTimeout+b.cfg.healthCheck)
	defer cancel()
	var ps *redis.PubSub
	sharded := false
	if _, ok := b.client.(*redis.ClusterClient); ok {
		sharded = true
		ps = b.client.SSubscribe(ctx)
	} else {
		ps = b.client.Subscribe(ctx)
	}
	b.psMu.Lock()
	if b.ctx.Err() != nil {
		b.psMu.Unlock()
		_ = ps.Close()
		return nil, core.ErrClosed
	}
	b.ps = ps
	b.psMu.Unlock()
	fail := func(err error) (*redis.PubSub, error) {
		b.psMu.Lock()
		b.ps = nil
		b.psMu.Unlock()
		_ = ps.Close()
		return nil, err
	}
	if sharded {
		err := ps.SSubscribe(ctx, b.keys.channel)
		if err != nil {
			return fail(fmt.Errorf("ssubscribe %q: %w", b.keys.channel, err))
		}
	} else if err := ps.Subscribe(ctx, b.keys.channel); err != nil {
		return fail(fmt.Errorf("subscribe %q: %w", b.keys.channel, err))
	}
	for {
		msg, err := ps.ReceiveTimeout(ctx, b.cfg.publishTimeout+b.cfg.healthCheck)
		if err != nil {
			return fail(fmt.Errorf("subscribe %q: %w", b.keys.channel, err))
		}
		if s, ok := msg.(*redis.Subscription); ok && strings.HasSuffix(s.Kind, "subscribe") && !strings.HasSuffix(s.Kind, "unsubscribe") {
			return ps, nil
		}
	}
}

// receive hands live events to the subscribers until the connection fails.
// A connection silent for the health-check interval is pinged; silent for
// another interval, it is taken for dead (a Redis that is gone without
// closing the socket, or a subscription that stopped receiving).
func (b *Broker) receive(ps *redis.PubSub) error {
	pinged := false
	for {
		msg, err := ps.ReceiveTimeout(b.ctx, b.cfg.healthCheck)
		if err != nil {
			if b.ctx.Err() != nil {
				return core.ErrClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				if pinged {
					return fmt.Errorf("no answer to ping within %v", b.cfg.healthCheck)
				}
				if err := ps.Ping(b.ctx); err != nil {
					return fmt.Errorf("ping: %w", err)
				}
				pinged = true
				continue
			}
			return err
		}
		pinged = false
		switch m := msg.(type) {
		case *redis.Message:
			id, body, ok := strings.Cut(m.Payload, " ")
			if !ok {
				b.stats.decodeErrors.Add(1)
				continue
			}
			b.deliverRaw(id, body, false)
		case *redis.Subscription:
			if strings.HasSuffix(m.Kind, "unsubscribe") {
				// A cluster moved the channel's slot, or an admin
				// unsubscribed us: subscribe again, where it now lives.
				return fmt.Errorf("redis ended the subscription (%s)", m.Kind)
			}
		}
	}
}

// catchUp delivers, from the stream, everything after the last delivered
// id: what was published before this subscription was in place. When the
// stream is not the one the broker was following (Redis lost its data and
// the stream started a new epoch), or no longer holds what followed the
// last delivered id (trimmed, or rolled back to an older snapshot), it
// first tells its hubs to reset (see reset).
func (b *Broker) catchUp() error {
	// Each read has its own deadline: the whole catch-up after a long
	// outage may take longer than any one of them.
	ctx, cancel := context.WithTimeout(b.ctx, 2*b.cfg.publishTimeout)
	info, err := b.ensureStream(ctx)
	cancel()
	if err != nil {
		return err
	}
	from := b.lastID()
	b.posMu.Lock()
	known, epoch := b.epochKnown, b.epoch
	b.epoch, b.epochKnown = info.floor, true
	b.posMu.Unlock()
	switch {
	case !known:
		// The stream did not exist when the broker started: all of it
		// came after.
	case info.floor != epoch:
		// A new epoch: deliver all of it that is still in the stream,
		// after one reset.
		from = info.start()
		b.reset(from, "redis_data_lost", epoch, info)
	case !info.knows(from) && from != b.gapAt:
		// Events after from are gone from the stream (trimmed while the
		// subscription was away, or lost in a rollback): the reset covers
		// them, and delivery goes on after the stream's newest id.
		reason := "redis_stream_trimmed"
		if from.Compare(info.last) > 0 {
			reason = "redis_data_lost"
		}
		from = maxID(from, info.last)
		b.gapAt = from // one loss, reported once, however many catch-ups see it
		b.reset(from, reason, epoch, info)
	}
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 2*b.cfg.publishTimeout)
		xs, err := b.client.XRangeN(ctx, b.keys.stream, "("+from.String(), "+", catchUpBatch).Result()
		cancel()
		if err != nil {
			return err
		}
		for _, x := range xs {
			body, _ := x.Values["m"].(string)
			if body != "" {
				b.deliverRaw(x.ID, body, true)
			}
			if id, err := core.ParseID(x.ID); err == nil {
				from = id
			}
		}
		if len(xs) < catchUpBatch {
			return nil
		}
	}
}

// reset reports events that can no longer be delivered and moves the
// broker's position to from: every open stream gets one reset event with
// that id, in band, then everything after it (core.BrokerHandler.Reset).
// Clients stay connected: nothing reconnects.
func (b *Broker) reset(from core.EventID, reason string, oldEpoch core.EventID, info streamInfo) {
	b.stats.gaps.Add(1)
	b.posMu.Lock()
	b.last = from
	b.posMu.Unlock()
	b.cfg.log.Warn("redisbackend: events lost while the subscription was away; streams get a reset and go on from its id",
		"reason", reason, "from", from.String(), "epoch", info.floor.String(), "previous_epoch", oldEpoch.String(), "stream_last", info.last.String())
	b.deliverMu.Lock()
	defer b.deliverMu.Unlock()
	for _, s := range b.subs {
		s.h.Reset(from, reason)
	}
}

func maxID(a, c core.EventID) core.EventID {
	if a.Compare(c) >= 0 {
		return a
	}
	return c
}

// deliverRaw decodes one event and hands it to every subscriber, unless
// its id is at or below the last one delivered.
func (b *Broker) deliverRaw(idStr, body string, recovered bool) {
	id, err := core.ParseID(idStr)
	if err != nil {
		b.stats.decodeErrors.Add(1)
		return
	}
	if id.Compare(b.lastID()) <= 0 {
		b.stats.skipped.Add(1)
		return
	}
	m := new(core.Message)
	if err := json.Unmarshal([]byte(body), m); err != nil {
		b.stats.decodeErrors.Add(1)
		b.cfg.log.Warn("redisbackend: undecodable event skipped", "event_id", idStr, "err", err)
	} else {
		m.SetID(id)
		// Counted first, so a client that has the event never sees
		// counters that do not include it yet.
		b.stats.received.Add(1)
		// The stream id's time is Redis's clock when it accepted the
		// event: the lag is from there to here (one clock read per
		// event received, not per delivery).
		if lag := time.Now().UnixMilli() - int64(id.Ms); lag >= 0 {
			b.stats.lag.Store(int64(lag) * int64(time.Millisecond))
		}
		if recovered {
			b.stats.recovered.Add(1)
		}
		b.deliverMu.Lock()
		for _, s := range b.subs {
			s.h.Deliver(m)
		}
		b.deliverMu.Unlock()
	}
	b.posMu.Lock()
	b.last = id
	b.posMu.Unlock()
}
