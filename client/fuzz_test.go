package client_test

import (
	"io"
	"testing"
)

// FuzzDecoder feeds random streams in random chunks to the Decoder and
// compares the events, ids and retry hint with the reference decoder.
func FuzzDecoder(f *testing.F) {
	for _, s := range []string{
		"data: a\n\n", "data:a\r\ndata: b\r\n\r\n", "data: x\revent: e\r\r", "\uFEFFdata: x\n\n",
		"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n", "retry: 100\n", ": c\r\n\r\ndata\r\r",
		"id: 9\n\ndata: a\n", "event: e\ndata:\ndata:\n\n",
	} {
		f.Add(s, []byte{1, 2, 3})
	}
	f.Fuzz(func(t *testing.T, stream string, splits []byte) {
		sizes := make([]int, 0, len(splits))
		for _, b := range splits {
			sizes = append(sizes, int(b)+1)
		}
		got, retry, err := decodeAll(&chunked{s: stream, sizes: sizes}, 1<<20)
		if err != io.EOF {
			t.Fatalf("err %v", err)
		}
		want, wantRetry, _ := reference(stream)
		if !equal(got, want) || retry != wantRetry {
			t.Fatalf("stream %q splits %v:\n got %q retry %v\nwant %q retry %v", stream, sizes, got, retry, want, wantRetry)
		}
	})
}
