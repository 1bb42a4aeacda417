package core

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/ssekit/ssekit/core/internal/bridge"
)

// Resume: a stream that opens with a Last-Event-ID first gets every logged
// event after it that it would have received, then live events. Live
// events delivered while the replay runs wait in the connection's queue;
// the replay's cursor becomes the connection's floor (floor.go), so a live
// delivery the replay already covered is never written twice.
//
// An id the log does not know gets a reset event whose id is the cursor
// the log answered with, then the replay from that cursor: after a restart
// of the log (a new epoch), every event of the current epoch; after a trim,
// what followed the log's newest id.

// resumeFlushBytes is how much replayed data is written between flushes.
const resumeFlushBytes = 32 << 10

// resumeResets bounds the resets one resume sends when the log keeps
// answering ErrUnknownID (its epoch changed again under the replay).
const resumeResets = 3

// errLogUnavailable ends a stream whose replay log could not be read; its
// client was told to come back later with a jittered retry hint.
var errLogUnavailable = errors.New("core: replay log unavailable")

// resume sends what the client missed after lastEventID, or a reset event
// and what followed it when the log cannot say. Live events delivered
// meanwhile wait in the queue; those the replay already covered are then
// removed from it, so the client sees no duplicate and no gap.
func (s *session) resume(ctx context.Context, w bridge.Writer, dl bridge.Deadliner) error {
	h, c := s.hub, s.conn
	if h.replay == nil {
		return s.reset(w, "", "no_replay_log")
	}
	after := s.lastEventID
	for resets := 1; ; resets++ {
		cursor, err := s.replay(ctx, w, dl, after)
		if !errors.Is(err, ErrUnknownID) {
			if err != nil {
				return err
			}
			c.resumedThrough(cursor)
			return nil
		}
		if err := s.reset(w, cursor, "unknown_last_event_id"); err != nil {
			return err
		}
		if _, perr := ParseID(cursor); perr != nil || resets == resumeResets {
			// Live events go on from the reset: nothing before it is owed.
			c.resumedThrough(cursor)
			return nil
		}
		after = cursor
	}
}

// replay writes the logged events after id that the connection accepts.
// An error from the log itself (not from w, not ErrUnknownID) ends the
// stream with a jittered retry hint: clients that resume while the log is
// unreachable come back spread out, not all at once.
func (s *session) replay(ctx context.Context, w bridge.Writer, dl bridge.Deadliner, after string) (string, error) {
	h, c := s.hub, s.conn
	pending, sent := 0, uint64(0)
	var werr error
	cursor, err := h.replay.Replay(ctx, after, func(m *Message) error {
		if m.ConnID != "" || (m.Topic != AllTopics && !c.subscribed(m.Topic)) || !c.accepts(m) {
			return nil
		}
		if pending == 0 {
			s.deadline(dl, time.Now())
		}
		f := m.Frame()
		if _, werr = w.Write(f); werr != nil {
			return werr
		}
		sent++
		if pending += len(f); pending >= resumeFlushBytes {
			pending = 0
			werr = w.Flush()
			return werr
		}
		return nil
	})
	h.stats.replayed.Add(sent)
	h.stats.delivered.Add(sent)
	if err == nil || errors.Is(err, ErrUnknownID) || werr != nil || ctx.Err() != nil {
		return cursor, err
	}
	h.log.Warn("ssekit: replay log unavailable; the stream ends with a retry hint", "conn", c.id, "last_event_id", after, "err", err)
	s.deadline(dl, time.Now())
	if _, werr := w.Write(appendRetry(nil, h.spreadRetry())); werr != nil {
		return cursor, werr
	}
	if werr := w.Flush(); werr != nil {
		return cursor, werr
	}
	return cursor, errLogUnavailable
}

// reset writes the ResetEvent. Its id is the log position the client may
// resume from once it has refetched its state.
func (s *session) reset(w bridge.Writer, cursor, reason string) error {
	h := s.hub
	m := h.resetMessage(reason, s.lastEventID)
	if id, err := ParseID(cursor); err == nil {
		m.SetID(id)
	}
	h.stats.resets.Add(1)
	_, err := w.Write(m.Frame())
	return err
}

// resetMessage builds a ResetEvent, without an id. lastEventID is the id
// the client resumed with ("" for a reset the broker asked for).
func (h *Hub) resetMessage(reason, lastEventID string) *Message {
	data, _ := json.Marshal(struct {
		Reason      string `json:"reason"`
		LastEventID string `json:"last_event_id"`
	}{reason, lastEventID})
	return &Message{Topic: AllTopics, Event: ResetEvent, Data: data, OccurredAt: time.Now(), Producer: h.cfg.producer}
}

// spreadRetry is the retry hint of a stream the hub ends for many clients
// at once (shutdown, a broker gap, an unreachable log): the retry delay
// plus a random share of the shutdown spread, so they do not all come back
// at the same instant.
func (h *Hub) spreadRetry() time.Duration {
	retry := h.cfg.retry
	if retry <= 0 {
		retry = DefaultRetry
	}
	if h.cfg.shutdownSpread > 0 {
		retry += rand.N(h.cfg.shutdownSpread)
	}
	return retry
}
