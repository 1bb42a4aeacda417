package redisbackend

import (
	"context"
	"fmt"
	"strings"

	"github.com/ssekit/ssekit/core"
)

// The stream as the broker sees it: its epoch, its bounds, and whether an
// id can still be resumed from.

// streamInfo is what the broker needs to know about the stream.
type streamInfo struct {
	exists bool
	last   core.EventID // last id ever added
	floor  core.EventID // max-deleted-entry-id: the placeholder, or anything XDELed
	first  core.EventID // oldest entry, if length > 0
	length int64
	added  int64 // entries ever added, the placeholder included
}

// The stream's epoch is its floor: the id of the placeholder entry the
// publish script adds and deletes when it creates the stream, so that every
// id of the stream's life is above it. Nothing else deletes entries, and
// trimming does not move max-deleted-entry-id (Redis 7.0 to 7.4), so the
// floor changes only when the stream is created anew: first, or after Redis
// lost it. An id below the floor is from an older epoch.

// start is the position after which everything the epoch still holds
// follows: the epoch's floor while nothing was trimmed, else the id just
// before the oldest entry (nothing can lie between the two), else, when
// everything was trimmed, the newest id.
func (s streamInfo) start() core.EventID {
	switch {
	case s.added-s.length <= 1: // nothing gone but the placeholder
		return s.floor
	case s.length == 0:
		return s.last
	}
	return before(s.first)
}

// olderEpoch reports whether id is from before the stream's current epoch.
func (s streamInfo) olderEpoch(id core.EventID) bool {
	return !s.exists || id.Compare(s.floor) < 0
}

// knows reports whether everything after id is still in the stream, so
// that "what came after id" has an exact answer. Redis 7.0 does not move
// max-deleted-entry-id when it trims, so trimming is seen in the counts:
// once entries have been trimmed, an id below the oldest entry is unknown,
// but the one just before it (start), after which nothing can be missing.
func (s streamInfo) knows(id core.EventID) bool {
	if s.olderEpoch(id) || id.Compare(s.last) > 0 {
		return false
	}
	return id.Compare(s.start()) >= 0
}

// before returns the greatest id below id.
func before(id core.EventID) core.EventID {
	switch {
	case id.Seq > 0:
		id.Seq--
	case id.Ms > 0:
		id.Ms, id.Seq = id.Ms-1, ^uint64(0)
	}
	return id
}

// ensureStream returns the stream's info, creating the stream (empty, with
// its floor) when it does not exist, so that an epoch and a position always
// exist to resume from.
func (b *Broker) ensureStream(ctx context.Context) (streamInfo, error) {
	info, err := b.streamInfo(ctx)
	if err == nil && !info.exists {
		if err = ensureScript.Run(ctx, b.client, []string{b.keys.stream}).Err(); err == nil {
			info, err = b.streamInfo(ctx)
		}
	}
	if err != nil {
		return info, unavailable(err)
	}
	return info, nil
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
