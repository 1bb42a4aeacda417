package sseread_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/ssekit/ssekit/bench/internal/sseread"
)

type want struct{ id, event, data string }

func readAll(t *testing.T, r io.Reader, size int) []want {
	t.Helper()
	rd := sseread.New(r, size, 1<<16)
	var got []want
	for {
		ev, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return got
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		got = append(got, want{string(ev.ID), string(ev.Event), string(ev.Data)})
	}
}

const stream = ": connected\n\nretry: 3000\n\nid: 1\nevent: tick\ndata: {\"a\":1}\n\n: ping\n\n" +
	"id: 2\r\ndata: line one\r\ndata: line two\r\ndata:three\r\n\r\nevent: nodata\n\nid:3\nevent:x\ndata\n\n"

func TestReaderParsesFieldsCommentsAndMultilineData(t *testing.T) {
	exp := []want{{"1", "tick", `{"a":1}`}, {"2", "", "line one\nline two\nthree"}}
	for _, size := range []int{64, 4096} {
		for name, r := range map[string]io.Reader{
			"whole":    strings.NewReader(stream),
			"onebyte":  iotest.OneByteReader(strings.NewReader(stream)),
			"halfread": iotest.HalfReader(strings.NewReader(stream)),
		} {
			got := readAll(t, r, size)
			// "data" without a colon is a data field with an empty value, so
			// the last event dispatches with empty data but is still an event.
			if len(got) != 3 || got[0] != exp[0] || got[1] != exp[1] || got[2].id != "3" || got[2].event != "x" {
				t.Fatalf("size %d %s: got %q", size, name, got)
			}
		}
	}
}

func TestReaderCountsConsumedBytesAndComments(t *testing.T) {
	rd := sseread.New(strings.NewReader(stream), 64, 1024)
	for {
		if _, err := rd.Next(); err != nil {
			break
		}
	}
	if rd.Consumed() != int64(len(stream)) {
		t.Fatalf("consumed %d, want %d", rd.Consumed(), len(stream))
	}
	if rd.Comments() != 2 {
		t.Fatalf("comments %d, want 2", rd.Comments())
	}
}

func TestReaderRefusesEventsBeyondTheLimit(t *testing.T) {
	big := "data: " + strings.Repeat("x", 500) + "\n\n"
	rd := sseread.New(strings.NewReader(big), 64, 256)
	if _, err := rd.Next(); !errors.Is(err, sseread.ErrEventTooLarge) {
		t.Fatalf("err = %v, want ErrEventTooLarge", err)
	}
}

func BenchmarkReaderNext(b *testing.B) {
	ev := "id: 12345\nevent: tick\ndata: " + strings.Repeat("y", 200) + "\n\n"
	src := strings.Repeat(ev, 64)
	b.SetBytes(int64(len(ev)))
	r := strings.NewReader(src)
	rd := sseread.New(r, 4096, 4096)
	for b.Loop() {
		if _, err := rd.Next(); err != nil {
			r.Reset(src)
		}
	}
}
