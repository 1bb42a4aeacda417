package core

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/ssekit/ssekit/core/internal/bridge"
)

// Resume: a stream that opens with a Last-Event-ID first gets every logged
// event after it that it would have received, then live events. Live
// events delivered while the replay runs wait in the connection's queue;
// the replay's cursor becomes the connection's floor (floor.go), so a live
// delivery the replay already covered is never written twice.

// resumeFlushBytes is how much replayed data is written between flushes.
const resumeFlushBytes = 32 << 10

// resume sends what the client missed after lastEventID, or a reset event
// when the log cannot say. Live events delivered meanwhile wait in the
// queue; those the replay already covered are then removed from it, so the
// client sees no duplicate and no gap.
func (s *session) resume(ctx context.Context, w bridge.Writer, dl bridge.Deadliner) error {
	h, c := s.hub, s.conn
	if h.replay == nil {
		return s.reset(w, "", "no_replay_log")
	}
	pending, sent := 0, uint64(0)
	cursor, err := h.replay.Replay(ctx, s.lastEventID, func(m *Message) error {
		if m.ConnID != "" || (m.Topic != AllTopics && !c.subscribed(m.Topic)) || !c.accepts(m) {
			return nil
		}
		if pending == 0 {
			s.deadline(dl, time.Now())
		}
		f := m.Frame()
		if _, err := w.Write(f); err != nil {
			return err
		}
		sent++
		if pending += len(f); pending >= resumeFlushBytes {
			pending = 0
			return w.Flush()
		}
		return nil
	})
	h.stats.replayed.Add(sent)
	h.stats.delivered.Add(sent)
	if errors.Is(err, ErrUnknownID) {
		c.resumedThrough(cursor)
		return s.reset(w, cursor, "unknown_last_event_id")
	}
	if err != nil {
		return err
	}
	c.resumedThrough(cursor)
	return nil
}

// reset writes the ResetEvent. Its id is the log position the client may
// resume from once it has refetched its state.
func (s *session) reset(w bridge.Writer, cursor, reason string) error {
	h := s.hub
	data, _ := json.Marshal(struct {
		Reason      string `json:"reason"`
		LastEventID string `json:"last_event_id"`
	}{reason, s.lastEventID})
	m := &Message{Topic: AllTopics, Event: ResetEvent, Data: data, OccurredAt: time.Now(), Producer: h.cfg.producer}
	if id, err := ParseID(cursor); err == nil {
		m.SetID(id)
	}
	h.stats.resets.Add(1)
	_, err := w.Write(m.Frame())
	return err
}
