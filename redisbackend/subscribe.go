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
// id: what was published before this subscription was in place.
func (b *Broker) catchUp() error {
	// Each read has its own deadline: the whole catch-up after a long
	// outage may take longer than any one of them.
	ctx, cancel := context.WithTimeout(b.ctx, 2*b.cfg.publishTimeout)
	info, err := b.streamInfo(ctx)
	cancel()
	if err != nil {
		return err
	}
	from := b.lastID()
	if from != (core.EventID{}) && !info.knows(from) && from != b.gapAt {
		b.gapAt = from // one loss, reported once, however many catch-ups see it
		b.gap(from, info)
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

// gap reports events that can no longer be delivered: the stream was
// trimmed past the last delivered id while the subscription was away, or
// Redis lost the stream. Connected clients must not go on as if nothing
// happened, so their streams are closed: they resume with their last id,
// and the replay log either fills the hole or sends the reset event.
func (b *Broker) gap(from core.EventID, info streamInfo) {
	b.stats.gaps.Add(1)
	b.cfg.log.Warn("redisbackend: events lost while the subscription was away; local streams end so their clients resume",
		"last_delivered", from.String(), "stream_exists", info.exists, "stream_floor", info.floor.String())
	for _, h := range b.handlers() {
		h.Gap("redis_gap")
	}
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
		b.cfg.log.Warn("redisbackend: undecodable event skipped", "id", idStr, "err", err)
	} else {
		m.SetID(id)
		// Counted first, so a client that has the event never sees
		// counters that do not include it yet.
		b.stats.received.Add(1)
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

// streamInfo is what the broker needs to know about the stream.
type streamInfo struct {
	exists bool
	last   core.EventID // last id ever added
	floor  core.EventID // max-deleted-entry-id: the placeholder, or anything XDELed
	first  core.EventID // oldest entry, if length > 0
	length int64
	added  int64 // entries ever added, the placeholder included
}

// knows reports whether everything after id is still in the stream, so
// that "what came after id" has an exact answer. Redis 7.0 does not move
// max-deleted-entry-id when it trims, so trimming is seen in the counts:
// once entries have been trimmed, an id below the oldest entry is unknown
// (even the very last trimmed id: the stream cannot tell it from an older
// one, and a needless reset is better than a silent gap).
func (s streamInfo) knows(id core.EventID) bool {
	switch {
	case !s.exists, id.Compare(s.floor) < 0, id.Compare(s.last) > 0:
		return false
	case s.added-s.length <= 1: // nothing left but the placeholder
		return true
	case s.length == 0:
		return id == s.last
	}
	return id.Compare(s.first) >= 0
}

func (b *Broker) streamInfo(ctx context.Context) (streamInfo, error) {
	x, err := b.client.XInfoStream(ctx, b.keys.stream).Result()
	if err != nil {
		if strings.Contains(err.Error(), "no such key") {
			return streamInfo{}, nil
		}
		return streamInfo{}, err
	}
	info := streamInfo{exists: true, length: x.Length, added: x.EntriesAdded}
	if x.Length > 0 {
		if info.first, err = core.ParseID(x.FirstEntry.ID); err != nil {
			return info, fmt.Errorf("stream %q: first id: %w", b.keys.stream, err)
		}
	}
	if info.last, err = core.ParseID(x.LastGeneratedID); err != nil {
		return info, fmt.Errorf("stream %q: last id: %w", b.keys.stream, err)
	}
	if x.MaxDeletedEntryID != "" {
		if info.floor, err = core.ParseID(x.MaxDeletedEntryID); err != nil {
			return info, fmt.Errorf("stream %q: max deleted id: %w", b.keys.stream, err)
		}
	}
	return info, nil
}
