package core

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// EventID is the ordered identifier of a published event, written on the
// wire as "<milliseconds>-<sequence>" (the shape of a Redis Stream id), so
// the in-memory log and a Redis Stream speak the same id language and a
// client can resume on any instance.
type EventID struct {
	// Ms is a Unix time in milliseconds (not necessarily the publish time:
	// it never goes backwards, even when the clock does).
	Ms uint64
	// Seq orders events that share Ms.
	Seq uint64
}

// ParseID parses an id of the form "<ms>-<seq>". A bare "<ms>" is accepted
// as "<ms>-0".
func ParseID(s string) (EventID, error) {
	msPart, seqPart, hasSeq := strings.Cut(s, "-")
	ms, err := strconv.ParseUint(msPart, 10, 64)
	if err != nil || msPart == "" || msPart[0] == '+' {
		return EventID{}, fmt.Errorf("%w: %q", ErrInvalidID, s)
	}
	var seq uint64
	if hasSeq {
		seq, err = strconv.ParseUint(seqPart, 10, 64)
		if err != nil || seqPart == "" || seqPart[0] == '+' {
			return EventID{}, fmt.Errorf("%w: %q", ErrInvalidID, s)
		}
	}
	return EventID{Ms: ms, Seq: seq}, nil
}

// String returns the wire form "<ms>-<seq>".
func (id EventID) String() string {
	var a [41]byte
	b := strconv.AppendUint(a[:0], id.Ms, 10)
	b = append(b, '-')
	b = strconv.AppendUint(b, id.Seq, 10)
	return string(b)
}

// Compare returns -1, 0 or +1 as id sorts before, equal to or after other.
func (id EventID) Compare(other EventID) int {
	switch {
	case id.Ms < other.Ms:
		return -1
	case id.Ms > other.Ms:
		return 1
	case id.Seq < other.Seq:
		return -1
	case id.Seq > other.Seq:
		return 1
	}
	return 0
}

// idClock hands out strictly increasing ids. It is not safe for concurrent
// use: the owner serializes calls.
type idClock struct{ last EventID }

func (c *idClock) next(now time.Time) EventID {
	ms := uint64(now.UnixMilli())
	if ms > c.last.Ms {
		c.last = EventID{Ms: ms}
	} else {
		c.last.Seq++
	}
	return c.last
}
