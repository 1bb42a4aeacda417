// Package sseread is a minimal, allocation-free Server-Sent Events reader for
// the load generator: it understands id, event and data fields, comments and
// blank-line dispatch, which is all the benchmark servers write. It is not a
// spec-complete parser (no retry field, no BOM handling).
package sseread

import (
	"bytes"
	"errors"
	"io"
)

// ErrEventTooLarge is returned when one event does not fit in the maximum
// buffer size given to New.
var ErrEventTooLarge = errors.New("sseread: event larger than the buffer limit")

// Event is one dispatched event. Its slices point into the reader's buffer and
// are valid only until the next call to Next.
type Event struct {
	ID    []byte
	Event []byte
	Data  []byte
}

// Reader reads events from a stream of SSE bytes.
type Reader struct {
	r        io.Reader
	buf      []byte
	max      int
	start    int // first unconsumed byte
	end      int // end of valid bytes
	evStart  int // first byte of the event being parsed
	consumed int64
	comments int64

	id, ev   [2]int // offsets into buf, relative to evStart
	data     []byte // joined data lines when an event has more than one
	dataOff  [2]int // the single data line, when exactly one
	dataN    int
	hasID    bool
	hasEvent bool
}

// New returns a Reader with an initial buffer of size bytes that may grow up
// to max bytes for a single event.
func New(r io.Reader, size, max int) *Reader {
	if size < 64 {
		size = 64
	}
	if max < size {
		max = size
	}
	return &Reader{r: r, buf: make([]byte, size), max: max}
}

// Consumed reports how many stream bytes the reader has parsed so far.
func (r *Reader) Consumed() int64 { return r.consumed }

// Comments reports how many comment lines (heartbeats) were seen.
func (r *Reader) Comments() int64 { return r.comments }

func (r *Reader) resetEvent() {
	r.evStart = r.start
	r.dataN = 0
	r.data = r.data[:0]
	r.hasID, r.hasEvent = false, false
}

// Next returns the next event that carries data. Events without a data field
// are skipped, as the EventSource specification requires.
func (r *Reader) Next() (Event, error) {
	for {
		i := bytes.IndexByte(r.buf[r.start:r.end], '\n')
		if i < 0 {
			if err := r.fill(); err != nil {
				return Event{}, err
			}
			continue
		}
		lineStart, lineEnd := r.start, r.start+i
		r.start = lineEnd + 1
		r.consumed += int64(i + 1)
		if lineEnd > lineStart && r.buf[lineEnd-1] == '\r' {
			lineEnd--
		}
		line := r.buf[lineStart:lineEnd]
		if len(line) == 0 {
			if r.dataN == 0 {
				r.resetEvent()
				continue
			}
			ev := Event{}
			if r.hasID {
				ev.ID = r.buf[r.evStart+r.id[0] : r.evStart+r.id[1]]
			}
			if r.hasEvent {
				ev.Event = r.buf[r.evStart+r.ev[0] : r.evStart+r.ev[1]]
			}
			if r.dataN == 1 {
				ev.Data = r.buf[r.evStart+r.dataOff[0] : r.evStart+r.dataOff[1]]
			} else {
				ev.Data = r.data
			}
			r.dataN = 0
			r.hasID, r.hasEvent = false, false
			r.evStart = r.start
			return ev, nil
		}
		if line[0] == ':' {
			r.comments++
			if r.dataN == 0 && !r.hasID && !r.hasEvent {
				r.evStart = r.start
			}
			continue
		}
		name, value := line, line[len(line):]
		if c := bytes.IndexByte(line, ':'); c >= 0 {
			name, value = line[:c], line[c+1:]
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
		}
		vs := len(line) - len(value) + lineStart - r.evStart
		off := [2]int{vs, vs + len(value)}
		switch string(name) {
		case "data":
			switch r.dataN {
			case 0:
				r.dataOff = off
			case 1:
				r.data = append(r.data[:0], r.buf[r.evStart+r.dataOff[0]:r.evStart+r.dataOff[1]]...)
				r.data = append(r.data, '\n')
				r.data = append(r.data, value...)
			default:
				r.data = append(r.data, '\n')
				r.data = append(r.data, value...)
			}
			r.dataN++
		case "id":
			r.id, r.hasID = off, true
		case "event":
			r.ev, r.hasEvent = off, true
		}
	}
}

// fill moves the current event to the front of the buffer (growing it when
// the event alone fills it) and reads more bytes.
func (r *Reader) fill() error {
	if r.evStart > 0 {
		n := copy(r.buf, r.buf[r.evStart:r.end])
		r.start -= r.evStart
		r.end = n
		r.evStart = 0
	}
	if r.end == len(r.buf) {
		if len(r.buf) >= r.max {
			return ErrEventTooLarge
		}
		nb := make([]byte, min(2*len(r.buf), r.max))
		copy(nb, r.buf[:r.end])
		r.buf = nb
	}
	n, err := r.r.Read(r.buf[r.end:])
	r.end += n
	if n > 0 {
		return nil
	}
	return err // a (0, nil) read simply makes Next try again
}
