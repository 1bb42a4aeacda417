package client_test

import (
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ssekit/ssekit/client"
)

// ev is a dispatched event as the tests compare it.
type ev struct{ Name, Data, ID string }

// decodeAll reads every event of r with a Decoder.
func decodeAll(r io.Reader, max int) (evs []ev, retry time.Duration, err error) {
	d := client.NewDecoder(r, max)
	for {
		f, err := d.Next()
		if err != nil {
			return evs, d.Retry(), err
		}
		evs = append(evs, ev{string(f.Event), string(f.Data), string(f.ID)})
	}
}

// reference is a literal, slow reading of the WHATWG event stream
// interpretation, for comparison.
func reference(stream string) (evs []ev, retry time.Duration, lastID string) {
	stream = strings.TrimPrefix(stream, "\uFEFF")
	lines := regexp.MustCompile("\r\n|\r|\n").Split(stream, -1)
	lines = lines[:len(lines)-1] // the last piece has no line end: discarded
	var data, event, idBuf string
	hasData := false
	for _, line := range lines {
		if line == "" {
			lastID = idBuf
			if hasData {
				typ := event
				if typ == "" {
					typ = "message"
				}
				evs = append(evs, ev{typ, strings.TrimSuffix(data, "\n"), lastID})
			}
			data, event, hasData = "", "", false
			continue
		}
		if line[0] == ':' {
			continue
		}
		name, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch name {
		case "data":
			data += value + "\n"
			hasData = true
		case "event":
			event = value
		case "id":
			if !strings.Contains(value, "\x00") {
				idBuf = value
			}
		case "retry":
			if n, err := strconv.ParseInt(value, 10, 64); err == nil && value != "" && strings.Trim(value, "0123456789") == "" && n < 1<<31 {
				retry = time.Duration(n) * time.Millisecond
			}
		}
	}
	return evs, retry, lastID
}

// chunked returns the bytes of s in reads of the given sizes (cycled).
type chunked struct {
	s     string
	sizes []int
	i     int
}

func (c *chunked) Read(p []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	n := 1
	if len(c.sizes) > 0 {
		n = c.sizes[c.i%len(c.sizes)]
		c.i++
	}
	n = max(1, min(n, len(p), len(c.s)))
	copy(p, c.s[:n])
	c.s = c.s[n:]
	return n, nil
}

func TestDecoderWHATWG(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []ev
		retry    time.Duration
	}{
		{"lf", "data: a\n\n", []ev{{"message", "a", ""}}, 0},
		{"crlf multi-line", "data:a\r\ndata: b\r\n\r\n", []ev{{"message", "a\nb", ""}}, 0},
		{"cr", "data: x\revent: e\r\r", []ev{{"e", "x", ""}}, 0},
		{"bom", "\uFEFFdata: x\n\n", []ev{{"message", "x", ""}}, 0},
		{"second bom is part of the field name", "\uFEFF\uFEFFdata: x\n\ndata: y\n\n", []ev{{"message", "y", ""}}, 0},
		{"comments", ": hi\n:\ndata: x\n: mid\n\n", []ev{{"message", "x", ""}}, 0},
		{"id with NUL ignored", "id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n", []ev{{"message", "a", "1"}, {"message", "b", "1"}}, 0},
		{"id persists, empty id resets", "id: 7\ndata: a\n\ndata: b\n\nid:\ndata: c\n\n", []ev{{"message", "a", "7"}, {"message", "b", "7"}, {"message", "c", ""}}, 0},
		{"id-only block moves the id", "id: 9\n\ndata: a\n\n", []ev{{"message", "a", "9"}}, 0},
		{"retry digits only", "retry: 1000x\nretry: 250\nretry: -1\nretry:\n", nil, 250 * time.Millisecond},
		{"bare data field", "data\n\n", []ev{{"message", "", ""}}, 0},
		{"empty first data line", "data:\ndata:x\n\n", []ev{{"message", "\nx", ""}}, 0},
		{"one space stripped", "data:  two\n\n", []ev{{"message", " two", ""}}, 0},
		{"empty event name is message", "event:\ndata: a\n\n", []ev{{"message", "a", ""}}, 0},
		{"no data, no event", "event: e\nid: 3\n\n\n\n", nil, 0},
		{"unterminated event discarded", "data: a\n\nid: 5\ndata: b\n", []ev{{"message", "a", ""}}, 0},
		{"unknown fields ignored", "foo: bar\ndata: a\nDATA: b\n\n", []ev{{"message", "a", ""}}, 0},
		{"NUL in data kept", "data: a\x00b\n\n", []ev{{"message", "a\x00b", ""}}, 0},
		{"event name kept for one event", "event: x\ndata: 1\n\ndata: 2\n\n", []ev{{"x", "1", ""}, {"message", "2", ""}}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref, refRetry, _ := reference(tc.in)
			if !equal(ref, tc.want) || refRetry != tc.retry {
				t.Fatalf("reference decoder disagrees with the table: %q %v", ref, refRetry)
			}
			for _, sizes := range [][]int{nil, {1}, {2, 3}, {1 << 20}} {
				got, retry, err := decodeAll(&chunked{s: tc.in, sizes: sizes}, 0)
				if err != io.EOF {
					t.Fatalf("chunks %v: err %v, want io.EOF", sizes, err)
				}
				if !equal(got, tc.want) || retry != tc.retry {
					t.Fatalf("chunks %v: got %q retry %v, want %q retry %v", sizes, got, retry, tc.want, tc.retry)
				}
			}
		})
	}
}

func equal(a, b []ev) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDecoderCRLFSplitAcrossReads(t *testing.T) {
	// The CR ends the line at once; the LF in the next read must not count
	// as a second (blank) line that would dispatch early.
	got, _, _ := decodeAll(&chunked{s: "data: a\r\ndata: b\r\n\r\n", sizes: []int{8, 100}}, 0)
	if !equal(got, []ev{{"message", "a\nb", ""}}) {
		t.Fatalf("got %q", got)
	}
}

func TestDecoderMaxEventSize(t *testing.T) {
	for _, in := range []string{
		"data: 0123456789A\n\n",                // one data line too long
		"data: 012345\ndata: 6789A\n\n",        // the joined data too long
		"data: " + strings.Repeat("x", 200000), // a line with no end, bigger than the max
	} {
		_, _, err := decodeAll(strings.NewReader(in), 10)
		if !errors.Is(err, client.ErrEventTooLarge) {
			t.Errorf("%.30q: err %v, want ErrEventTooLarge", in, err)
		}
	}
	// Exactly the maximum passes, and a long comment line below the limit too.
	got, _, err := decodeAll(strings.NewReader(": "+strings.Repeat("c", 60)+"\ndata: 0123456789\n\n"), 10)
	if err != io.EOF || len(got) != 1 || got[0].Data != "0123456789" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestDecoderBigEvent(t *testing.T) {
	data := strings.Repeat("y", 3<<20)
	got, _, err := decodeAll(strings.NewReader("id: big\ndata: "+data+"\n\n"), 4<<20)
	if err != io.EOF || len(got) != 1 || got[0].Data != data || got[0].ID != "big" {
		t.Fatalf("a 3 MiB event did not come through: %d events, %v", len(got), err)
	}
}

func TestDecoderReadError(t *testing.T) {
	boom := errors.New("boom")
	d := client.NewDecoder(io.MultiReader(strings.NewReader("data: a\n\ndata: b"), errReader{boom}), 0)
	if f, err := d.Next(); err != nil || string(f.Data) != "a" {
		t.Fatalf("first event: %q, %v", f.Data, err)
	}
	if _, err := d.Next(); err != boom {
		t.Fatalf("err %v, want the read error", err)
	}
	if _, err := d.Next(); err != boom {
		t.Fatalf("errors are not sticky: %v", err)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestDecoderNoAllocPerEvent(t *testing.T) {
	frame := "id: 1732380000000-0\nevent: order.updated\ndata: {\"id\":42}\n\n: ping\n"
	d := client.NewDecoder(&repeat{frame: frame}, 0)
	for range 1000 { // warm the buffers
		d.Next()
	}
	allocs := testing.AllocsPerRun(10, func() {
		for range 100 {
			if _, err := d.Next(); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per 100 events, want none", allocs)
	}
}

// repeat is an endless stream of the same frame.
type repeat struct {
	frame string
	off   int
}

func (r *repeat) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.frame[r.off:])
		n += c
		r.off = (r.off + c) % len(r.frame)
	}
	return n, nil
}
