package redisbackend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ssekit/ssekit/core"
)

// ErrCatchingUp is returned by Replay when this instance's subscription has
// not yet delivered the client's Last-Event-ID (the client came from a
// faster instance) within the replay wait; the stream ends and the client
// retries.
var ErrCatchingUp = errors.New("redisbackend: subscription is catching up")

// Replay implements core.ReplayLog over the stream, so a client may resume
// on any instance. An id below the stream's floor (trimmed, or from before
// Redis lost the stream), above its newest id, or malformed is unknown:
// Replay then returns the current position and an error wrapping
// core.ErrUnknownID.
//
// Replay covers events up to the newest one this instance has already
// handed to its hub and no further: later ones reach the resuming
// connection live, so it gets each event once, whichever path is faster.
func (b *Broker) Replay(ctx context.Context, afterID string, fn func(*core.Message) error) (string, error) {
	if b.ctx.Err() != nil {
		return "", core.ErrClosed
	}
	rctx, cancel := context.WithTimeout(ctx, 2*b.cfg.publishTimeout)
	defer cancel()
	info, err := b.streamInfo(rctx)
	if err == nil && !info.exists {
		// Create the stream (empty, with its floor) so that the position
		// handed out below stays valid once events arrive.
		if err = ensureScript.Run(rctx, b.client, []string{b.keys.stream}).Err(); err == nil {
			info, err = b.streamInfo(rctx)
		}
	}
	if err != nil {
		return "", fmt.Errorf("redisbackend: replay: %w", err)
	}
	after, perr := core.ParseID(afterID)
	if perr != nil || !info.knows(after) {
		// The position handed out is one this instance has delivered
		// through, so that the client's live events follow it.
		pos := b.lastID()
		if !info.knows(pos) {
			pos = info.last
		}
		return pos.String(), fmt.Errorf("%w: %q (stream at %s, oldest %s)", core.ErrUnknownID, afterID, info.last, info.first)
	}
	upto, err := b.waitDelivered(ctx, after)
	if err != nil {
		return afterID, err
	}
	cursor := after
	for cursor.Compare(upto) < 0 {
		// Each read has its own deadline: a long replay to a slow client
		// may take longer than any one of them.
		xctx, xcancel := context.WithTimeout(ctx, 2*b.cfg.publishTimeout)
		xs, err := b.client.XRangeN(xctx, b.keys.stream, "("+cursor.String(), upto.String(), catchUpBatch).Result()
		xcancel()
		if err != nil {
			return cursor.String(), fmt.Errorf("redisbackend: replay: %w", err)
		}
		for _, x := range xs {
			id, err := core.ParseID(x.ID)
			if err != nil {
				continue
			}
			cursor = id
			body, _ := x.Values["m"].(string)
			if body == "" {
				continue
			}
			m := new(core.Message)
			if err := json.Unmarshal([]byte(body), m); err != nil {
				continue
			}
			m.ID = x.ID
			if err := fn(m); err != nil {
				return cursor.String(), err
			}
		}
		if len(xs) < catchUpBatch {
			break
		}
	}
	return upto.String(), nil
}

// waitDelivered waits until the subscription has handed on every event up
// to after, and returns the newest id it has handed on.
func (b *Broker) waitDelivered(ctx context.Context, after core.EventID) (core.EventID, error) {
	var timeout <-chan time.Time
	for {
		b.posMu.Lock()
		last := b.last
		if last.Compare(after) >= 0 {
			b.posMu.Unlock()
			return last, nil
		}
		if b.advance == nil {
			b.advance = make(chan struct{})
		}
		ch := b.advance
		b.posMu.Unlock()
		if timeout == nil {
			t := time.NewTimer(b.cfg.replayWait)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-ch:
		case <-timeout:
			return core.EventID{}, fmt.Errorf("%w: at %s, client at %s", ErrCatchingUp, last, after)
		case <-ctx.Done():
			return core.EventID{}, ctx.Err()
		case <-b.ctx.Done():
			return core.EventID{}, core.ErrClosed
		}
	}
}
