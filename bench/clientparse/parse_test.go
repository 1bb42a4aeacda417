package clientparse_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	r3 "github.com/r3labs/sse/v2"
	gosse "github.com/tmaxmax/go-sse"
	"gopkg.in/cenkalti/backoff.v1"

	"github.com/ssekit/ssekit/client"
)

// frame is a typical ssekit event followed by a heartbeat comment.
const frame = "id: 1732380000000-42\nevent: order.updated\n" +
	`data: {"id":"1732380000000-42","event":"order.updated","occurred_at":"2026-02-28T22:00:00.123456Z","data":{"id":42,"status":"paid","total":"19.90"},"meta":{"topic":"orders","producer":"shop","trace_id":"1732380000000-42"}}` +
	"\n\n: ping\n"

// stream repeats frame until ctx is done.
type stream struct {
	ctx context.Context
	off int
}

func (s *stream) Read(p []byte) (int, error) {
	if err := s.ctx.Err(); err != nil {
		return 0, err
	}
	n := 0
	for n < len(p) {
		c := copy(p[n:], frame[s.off:])
		n += c
		s.off = (s.off + c) % len(frame)
	}
	return n, nil
}

func report(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkClientParse(b *testing.B) {
	b.Run("ssekit-Decoder", func(b *testing.B) {
		d := client.NewDecoder(&stream{ctx: context.Background()}, 0)
		b.SetBytes(int64(len(frame)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := d.Next(); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
	for _, raw := range []bool{false, true} {
		name := "ssekit-Events"
		opts := []client.Option{client.WithHTTPClient(&http.Client{Transport: memory{}})}
		if raw {
			name += "-raw"
			opts = append(opts, client.WithRaw())
		}
		b.Run(name, func(b *testing.B) {
			// The whole client: HTTP response, decoder, an owned Event and,
			// unless raw, the envelope decoded.
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c, err := client.New("http://bench.test/events", opts...)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(frame)))
			b.ReportAllocs()
			b.ResetTimer()
			n := 0
			for ev, err := range c.Events(ctx) {
				if err != nil || (ev.Envelope == nil) != raw {
					b.Fatal(err)
				}
				if n++; n == b.N {
					break
				}
			}
			report(b)
		})
	}
	b.Run("go-sse-Read", func(b *testing.B) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		b.SetBytes(int64(len(frame)))
		b.ReportAllocs()
		n := 0
		for _, err := range gosse.Read(&stream{ctx: ctx}, nil) {
			if err != nil {
				b.Fatal(err)
			}
			if n++; n == b.N {
				break
			}
		}
		report(b)
	})
	b.Run("r3labs-Client", func(b *testing.B) {
		// r3labs' parser (processEvent) is unexported: this is its whole
		// client, whose read loop hands each event over a channel.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c := r3.NewClient("http://bench.test/events")
		c.Connection = &http.Client{Transport: memory{}}
		c.ReconnectStrategy = &backoff.StopBackOff{}
		b.SetBytes(int64(len(frame)))
		b.ReportAllocs()
		b.ResetTimer()
		n := 0
		c.SubscribeRawWithContext(ctx, func(ev *r3.Event) {
			if n++; n == b.N {
				cancel()
			}
		})
		report(b)
	})
}

// memory answers every request with an endless stream.
type memory struct{}

func (memory) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"text/event-stream"}},
		Body:       io.NopCloser(&stream{ctx: r.Context()}),
		Request:    r,
	}, nil
}
