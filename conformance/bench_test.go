package conformance_test

import (
	"bytes"
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
)

// BenchmarkAdapterOverhead publishes events to 50 streams of each mount
// and waits until every stream has read every event: ns/op is the cost of
// one event delivered to all 50 clients over loopback, and x-nethttp the
// ratio to core's own net/http handler under the same load (1.00 = no
// adapter overhead).
func BenchmarkAdapterOverhead(b *testing.B) {
	const clients = 50
	var base float64
	for _, m := range mounts {
		b.Run(m.name, func(b *testing.B) {
			e := start(b, m, []core.HubOption{core.WithQueueSize(1 << 16)})
			var received atomic.Int64
			for range clients {
				ctx, cancel := context.WithCancel(context.Background())
				b.Cleanup(cancel)
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.url+"/events?topic=bench", nil)
				resp, err := e.client.Do(req)
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Fatalf("open stream: %v", err)
				}
				go countEvents(resp, &received)
			}
			eventually(b, "streams registered", func() bool { return e.hub.Count() == clients })
			payload := map[string]any{"id": 42, "status": "paid", "items": []string{"a", "b", "c"}}
			b.ReportAllocs()
			b.ResetTimer()
			began := time.Now()
			for range b.N {
				if _, err := e.hub.Publish(context.Background(), "bench", "order.updated", payload); err != nil {
					b.Fatal(err)
				}
			}
			want := int64(b.N) * clients
			eventually(b, "every event delivered", func() bool { return received.Load() >= want })
			b.StopTimer()
			nsPerOp := float64(time.Since(began).Nanoseconds()) / float64(b.N)
			if m.name == "nethttp" {
				base = nsPerOp
			}
			if base > 0 {
				b.ReportMetric(nsPerOp/base, "x-nethttp")
			}
			received.Store(0)
		})
	}
}

// countEvents adds one to n for every event frame (a frame ends with a
// blank line; comments and the retry hint do not) until the body ends.
func countEvents(resp *http.Response, n *atomic.Int64) {
	defer resp.Body.Close()
	buf := make([]byte, 32<<10)
	var last byte
	for {
		k, err := resp.Body.Read(buf)
		p := buf[:k]
		c := int64(bytes.Count(p, []byte("\n\n")))
		if k > 0 && last == '\n' && p[0] == '\n' {
			c++
		}
		if k > 0 {
			last = p[k-1]
		}
		n.Add(c)
		if err != nil {
			return
		}
	}
}
