package client

import (
	"bytes"
	"errors"
	"io"
	"time"
)

// ErrEventTooLarge is returned when one event (or one line) of a stream is
// bigger than the decoder's maximum event size.
var ErrEventTooLarge = errors.New("client: event exceeds the maximum event size")

// Frame is one dispatched event of a stream, as the WHATWG "dispatch the
// event" step sees it. Its slices belong to the Decoder and stay valid only
// until the next call to Decoder.Next.
type Frame struct {
	// Event is the event type: "message" when the stream gave none.
	Event []byte
	// Data is the data buffer, its lines joined with LF.
	Data []byte
	// ID is the stream's last event ID after this event (it persists
	// across events that carry no id field).
	ID []byte
}

var messageType = []byte("message")

const (
	initialBuffer = 32 << 10
	// fieldSlack is the room a line may take beyond the maximum event size
	// for its field name and colon.
	fieldSlack = 64
	// maxRetryMillis bounds a retry hint (about 24 days), so a huge value
	// cannot overflow a time.Duration.
	maxRetryMillis = 1 << 31
)

// Decoder parses a Server-Sent Events stream exactly as the WHATWG HTML
// standard's "event stream interpretation": lines end in CRLF, LF or CR
// (also split across reads), one leading byte order mark is skipped,
// comments are ignored, a field's value loses one leading space, data lines
// are joined with LF, an id containing NUL is ignored, a retry hint counts
// only when it is all ASCII digits, and an event not followed by a blank
// line when the stream ends is discarded.
//
// Lines have no length limit of their own: a line, and the data of one
// event, may grow to the maximum event size. Buffers are reused, so the hot
// path does not allocate per line or per event. A Decoder is not safe for
// concurrent use.
type Decoder struct {
	r        io.Reader
	max      int
	buf      []byte
	start    int // unread bytes are buf[start:end]
	end      int
	readErr  error
	err      error // sticky error returned by Next
	bomDone  bool
	skipLF   bool // the last line ended in CR: a LF right after it belongs to it
	clear    bool // the last Next returned a frame: reset the event buffers first
	data     []byte
	event    []byte
	idBuf    []byte
	lastID   []byte
	lastStr  string
	strValid bool
	retry    time.Duration
}

// NewDecoder returns a Decoder reading r, with events of at most
// maxEventSize bytes (DefaultMaxEventSize when maxEventSize < 1).
func NewDecoder(r io.Reader, maxEventSize int) *Decoder {
	if maxEventSize < 1 {
		maxEventSize = DefaultMaxEventSize
	}
	return &Decoder{r: r, max: maxEventSize, buf: make([]byte, min(initialBuffer, maxEventSize+fieldSlack)), strValid: true}
}

// SetLastEventID sets the last event ID a stream starts with (the one a
// client resumes from).
func (d *Decoder) SetLastEventID(id string) {
	d.lastID = append(d.lastID[:0], id...)
	d.idBuf = append(d.idBuf[:0], id...)
	d.lastStr, d.strValid = id, true
}

// LastEventID returns the stream's last event ID: the id of the last
// dispatched event, or of a later blank-line-terminated block that set one.
func (d *Decoder) LastEventID() string {
	if !d.strValid {
		d.lastStr, d.strValid = string(d.lastID), true
	}
	return d.lastStr
}

// Retry returns the last valid retry hint read so far, or 0.
func (d *Decoder) Retry() time.Duration { return d.retry }

// Next returns the next event of the stream. At the end of the stream it
// returns io.EOF (an unterminated last event is discarded); a read error is
// returned as it is, and ErrEventTooLarge when an event exceeds the maximum.
// Errors are sticky.
func (d *Decoder) Next() (Frame, error) {
	if d.err != nil {
		return Frame{}, d.err
	}
	if d.clear {
		d.data, d.event, d.clear = d.data[:0], d.event[:0], false
	}
	for {
		line, ok, err := d.line()
		if err != nil {
			d.err = err
			return Frame{}, err
		}
		if !ok {
			continue
		}
		if len(line) == 0 {
			if f, ok := d.dispatch(); ok {
				return f, nil
			}
			continue
		}
		if err := d.field(line); err != nil {
			d.err = err
			return Frame{}, err
		}
	}
}

// line returns the next complete line; ok is false when it read more bytes
// instead.
func (d *Decoder) line() (line []byte, ok bool, err error) {
	if d.skipLF && d.start < d.end {
		if d.buf[d.start] == '\n' {
			d.start++
		}
		d.skipLF = false
	}
	if !d.bomDone {
		if d.end-d.start < 3 && d.readErr == nil {
			return nil, false, d.fill()
		}
		if bytes.HasPrefix(d.buf[d.start:d.end], []byte("\xEF\xBB\xBF")) {
			d.start += 3
		}
		d.bomDone = true
	}
	b := d.buf[d.start:d.end]
	lf := bytes.IndexByte(b, '\n')
	var cr int
	if lf >= 0 {
		cr = bytes.IndexByte(b[:lf], '\r')
	} else {
		cr = bytes.IndexByte(b, '\r')
	}
	switch {
	case cr >= 0:
		line = b[:cr]
		d.start += cr + 1
		if cr+1 < len(b) {
			if b[cr+1] == '\n' {
				d.start++
			}
		} else {
			d.skipLF = true
		}
		return line, true, nil
	case lf >= 0:
		d.start += lf + 1
		return b[:lf], true, nil
	}
	if d.readErr != nil {
		return nil, false, d.readErr
	}
	if len(b) > d.max+fieldSlack {
		return nil, false, ErrEventTooLarge
	}
	return nil, false, d.fill()
}

// fill reads more bytes, first moving the unread ones to the front and
// growing the buffer when it is full. A read error is kept until the
// buffered lines are used up.
func (d *Decoder) fill() error {
	if d.start > 0 {
		d.end = copy(d.buf, d.buf[d.start:d.end])
		d.start = 0
	}
	if d.end == len(d.buf) {
		n := min(2*len(d.buf), d.max+fieldSlack+1)
		if n <= len(d.buf) {
			return ErrEventTooLarge
		}
		nb := make([]byte, n)
		copy(nb, d.buf[:d.end])
		d.buf = nb
	}
	n, err := d.r.Read(d.buf[d.end:])
	d.end += n
	if err != nil {
		d.readErr = err
	}
	return nil
}

// field processes one non-empty line.
func (d *Decoder) field(line []byte) error {
	if line[0] == ':' {
		return nil // a comment
	}
	name, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(name) {
	case "data":
		if len(d.data)+len(value)+1 > d.max+1 {
			return ErrEventTooLarge
		}
		d.data = append(d.data, value...)
		d.data = append(d.data, '\n')
	case "event":
		d.event = append(d.event[:0], value...)
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			d.idBuf = append(d.idBuf[:0], value...)
		}
	case "retry":
		if ms, ok := digits(value); ok {
			d.retry = time.Duration(ms) * time.Millisecond
		}
	}
	return nil
}

// digits parses an all-ASCII-digits value, saturating at maxRetryMillis.
func digits(v []byte) (int64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n < maxRetryMillis {
			n = n*10 + int64(c-'0')
		}
	}
	return min(n, maxRetryMillis), true
}

// dispatch runs the spec's dispatch step at a blank line: the last event
// ID takes the buffer's value, and an event with data is returned.
func (d *Decoder) dispatch() (Frame, bool) {
	if !bytes.Equal(d.lastID, d.idBuf) {
		d.lastID = append(d.lastID[:0], d.idBuf...)
		d.strValid = false
	}
	if len(d.data) == 0 {
		d.event = d.event[:0]
		return Frame{}, false
	}
	d.clear = true
	typ := d.event
	if len(typ) == 0 {
		typ = messageType
	}
	return Frame{Event: typ, Data: d.data[:len(d.data)-1], ID: d.lastID}, true
}
