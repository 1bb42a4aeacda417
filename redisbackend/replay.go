package redisbackend

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ssekit/ssekit/core"
)

// Replay implements core.ReplayLog over the stream, so a client may resume
// on any instance. An id from an older epoch of the stream (from before
// Redis lost it) gets the start of the current epoch and an error wrapping
// core.ErrUnknownID, so the hub sends a reset and then every event of the
// current epoch still in the stream. An id trimmed away, newer than the
// stream or malformed gets the current position and core.ErrUnknownID.
// While Redis is unreachable the error wraps core.ErrUnavailable.
//
// Replay reads the stream to its end, which may be ahead of what this
// instance's subscription has delivered (the client may even come from a
// faster instance). The hub skips later live deliveries at or below the
// returned cursor (the core.ReplayLog contract), so the client gets each
// event once, whichever path is faster, and never waits for a lagging
// subscription.
func (b *Broker) Replay(ctx context.Context, afterID string, fn func(*core.Message) error) (string, error) {
	if b.ctx.Err() != nil {
		return "", core.ErrClosed
	}
	rctx, cancel := context.WithTimeout(ctx, 2*b.cfg.publishTimeout)
	defer cancel()
	// The stream is created (empty, with its floor) when missing, so that
	// the position handed out below stays valid once events arrive.
	info, err := b.ensureStream(rctx)
	if err != nil {
		return "", fmt.Errorf("redisbackend: replay: %w", err)
	}
	after, perr := core.ParseID(afterID)
	if perr == nil && info.olderEpoch(after) {
		start := info.start()
		return start.String(), fmt.Errorf("%w: %q is from before the stream's current epoch (which starts at %s)", core.ErrUnknownID, afterID, start)
	}
	if perr != nil || !info.knows(after) {
		// The position handed out is one this instance has delivered
		// through, so that the client's live events follow it.
		pos := b.lastID()
		if !info.knows(pos) {
			pos = info.last
		}
		return pos.String(), fmt.Errorf("%w: %q (stream at %s, oldest %s)", core.ErrUnknownID, afterID, info.last, info.first)
	}
	upto := info.last
	cursor := after
	for cursor.Compare(upto) < 0 {
		// Each read has its own deadline: a long replay to a slow client
		// may take longer than any one of them.
		xctx, xcancel := context.WithTimeout(ctx, 2*b.cfg.publishTimeout)
		xs, err := b.client.XRangeN(xctx, b.keys.stream, "("+cursor.String(), upto.String(), catchUpBatch).Result()
		xcancel()
		if err != nil {
			return cursor.String(), fmt.Errorf("redisbackend: replay: %w", unavailable(err))
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
			m.SetID(id)
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
