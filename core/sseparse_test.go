package core_test

import (
	"bytes"
	"strconv"
)

// sseEvent is one dispatched event, as a WHATWG-conformant client sees it.
type sseEvent struct {
	ID    string // the last event id after this event
	Event string // "message" when no event field was given
	Data  string
}

// sseParser follows the HTML standard's "parse an event stream" and
// "dispatch the event" steps, fed in arbitrary chunks.
type sseParser struct {
	line      []byte
	started   bool
	afterCR   bool
	data      bytes.Buffer
	hasData   bool
	event     string
	lastID    string
	Retry     int // last valid retry value, -1 when none
	Comments  []string
	dispatch  []sseEvent
	lineCount int
}

func newSSEParser() *sseParser { return &sseParser{Retry: -1} }

// Feed consumes bytes and returns the events dispatched by them.
func (p *sseParser) Feed(b []byte) []sseEvent {
	p.dispatch = p.dispatch[:0]
	if !p.started && len(b) > 0 {
		p.started = true
		b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	}
	for _, c := range b {
		if p.afterCR {
			p.afterCR = false
			if c == '\n' {
				continue
			}
		}
		switch c {
		case '\r':
			p.afterCR = true
			p.processLine()
		case '\n':
			p.processLine()
		default:
			p.line = append(p.line, c)
		}
	}
	return append([]sseEvent(nil), p.dispatch...)
}

func (p *sseParser) processLine() {
	line := p.line
	p.line = p.line[:0]
	p.lineCount++
	if len(line) == 0 {
		if !p.hasData {
			p.event = ""
			return
		}
		data := p.data.String()
		data = data[:len(data)-1] // the trailing LF
		ev := p.event
		if ev == "" {
			ev = "message"
		}
		p.dispatch = append(p.dispatch, sseEvent{ID: p.lastID, Event: ev, Data: data})
		p.data.Reset()
		p.hasData = false
		p.event = ""
		return
	}
	if line[0] == ':' {
		p.Comments = append(p.Comments, string(line[1:]))
		return
	}
	field, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		field, value = line[:i], line[i+1:]
		value = bytes.TrimPrefix(value, []byte(" "))
	}
	switch string(field) {
	case "event":
		p.event = string(value)
	case "data":
		p.data.Write(value)
		p.data.WriteByte('\n')
		p.hasData = true
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			p.lastID = string(value)
		}
	case "retry":
		if len(value) > 0 && isDigits(value) {
			if n, err := strconv.Atoi(string(value)); err == nil {
				p.Retry = n
			}
		}
	}
}

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseAll parses a whole stream.
func parseAll(b []byte) ([]sseEvent, *sseParser) {
	p := newSSEParser()
	return p.Feed(b), p
}
