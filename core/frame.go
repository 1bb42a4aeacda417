package core

import (
	"bytes"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Frames are built here, once per message, and the same bytes are written
// to every connection that receives the message. The rules (WHATWG HTML,
// "server-sent events", parsing an event stream):
//   - every field is written as "name: value" with exactly one space, so a
//     value that begins with a space survives the parser's one-space strip;
//   - a data payload is split on CRLF, CR and LF into several "data:" lines,
//     which the client joins back with LF;
//   - id and event values never hold CR, LF or NUL (validated before any
//     byte is written);
//   - a comment (heartbeat, "connected") and the retry hint are never
//     followed by a blank line, because some clients dispatch an empty
//     message for every blank line.

var (
	connectedComment = []byte(": connected\n")
	pingComment      = []byte(": ping\n")
)

// Frame returns the message's SSE frame, built on first use and shared by
// every connection that receives the message. The message's ID must be set
// before the first call.
func (m *Message) Frame() []byte {
	m.frameOnce.Do(m.buildFrame)
	return m.frame
}

// buildFrame writes the frame in one buffer sized up front. The envelope is
// compact JSON, so it fits one data line; should it hold a line break (a
// broker handed over uncompacted data), it is split as the spec requires.
func (m *Message) buildFrame() {
	n := 96 + 2*len(m.id) + 2*len(m.Event) + len(m.Topic) + len(m.Producer) + len(m.TraceID) + len(m.Data)
	for k, v := range m.Meta {
		n += len(k) + len(v) + 8
	}
	b := make([]byte, 0, n)
	if m.id != "" {
		b = append(b, "id: "...)
		b = append(b, m.id...)
		b = append(b, '\n')
	}
	b = append(b, "event: "...)
	b = append(b, m.Event...)
	b = append(b, "\ndata: "...)
	start := len(b)
	b = m.appendEnvelope(b)
	if bytes.ContainsAny(b[start:], "\r\n") {
		env := bytes.Clone(b[start:])
		b = appendData(b[:start-len("data: ")], env)
	} else {
		b = append(b, '\n')
	}
	m.frame = append(b, '\n')
}

// appendEnvelope writes the envelope JSON with reserved meta keys first and
// caller keys sorted, so the same message always has the same bytes.
func (m *Message) appendEnvelope(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, m.id)
	b = append(b, `,"event":`...)
	b = appendJSONString(b, m.Event)
	b = append(b, `,"occurred_at":"`...)
	b = m.OccurredAt.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","data":`...)
	if len(m.Data) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, m.Data...)
	}
	b = append(b, `,"meta":{"topic":`...)
	b = appendJSONString(b, m.Topic)
	b = append(b, `,"producer":`...)
	b = appendJSONString(b, m.Producer)
	b = append(b, `,"trace_id":`...)
	b = appendJSONString(b, m.traceID())
	if len(m.Meta) > 0 {
		keys := make([]string, 0, len(m.Meta))
		for k := range m.Meta {
			if !reservedMeta(k) {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			b = append(b, ',')
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSONString(b, m.Meta[k])
		}
	}
	return append(b, "}}"...)
}

// appendRetry appends a "retry:" line; only ASCII digits follow the colon.
func appendRetry(dst []byte, d time.Duration) []byte {
	dst = append(dst, "retry: "...)
	dst = strconv.AppendInt(dst, d.Milliseconds(), 10)
	return append(dst, '\n')
}

// appendData appends one "data:" line per line of data, splitting on CRLF,
// CR and LF.
func appendData(dst, data []byte) []byte {
	for {
		i := bytes.IndexAny(data, "\r\n")
		dst = append(dst, "data: "...)
		if i < 0 {
			dst = append(dst, data...)
			return append(dst, '\n')
		}
		dst = append(dst, data[:i]...)
		dst = append(dst, '\n')
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
}

// appendEvent appends a complete event block. id may be empty (no id line:
// the client keeps its last event id). The caller has validated id and
// event.
func appendEvent(dst []byte, id, event string, data []byte) []byte {
	if id != "" {
		dst = append(dst, "id: "...)
		dst = append(dst, id...)
		dst = append(dst, '\n')
	}
	dst = append(dst, "event: "...)
	dst = append(dst, event...)
	dst = append(dst, '\n')
	dst = appendData(dst, data)
	return append(dst, '\n')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string, escaping as encoding/json
// does (without HTML escaping): quotes, backslashes, control characters,
// U+2028 and U+2029; invalid UTF-8 becomes U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
