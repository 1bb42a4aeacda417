package core_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
)

// countWriter discards a stream and counts the event frames written.
type countWriter struct{ frames *atomic.Int64 }

func (w countWriter) Write(p []byte) (int, error) {
	if len(p) > 3 && p[0] == 'i' && p[1] == 'd' {
		w.frames.Add(1)
	}
	return len(p), nil
}
func (countWriter) Flush() error { return nil }

// BenchmarkPublish measures one publish fanned out to N in-process
// subscribers through the real path (broker, filter, queue, writer loop).
// ns/op and allocs/op are per publish; ns/delivery and allocs/delivery
// divide by N. Every 64 publishes it waits for the writers to catch up, so
// queues never overflow and every delivery is counted.
func BenchmarkPublish(b *testing.B) {
	for _, subs := range []int{1, 1000, 10000} {
		b.Run(fmt.Sprintf("subs=%d", subs), func(b *testing.B) {
			hub, err := core.NewHub(core.WithHeartbeat(0), core.WithMaxConnections(-1), core.WithReplayLimits(1024, 0))
			if err != nil {
				b.Fatal(err)
			}
			defer hub.Shutdown(context.Background())
			stream := mustStream(b, hub)
			var frames atomic.Int64
			done := make(chan struct{}, subs)
			for i := 0; i < subs; i++ {
				sess, err := ext.Accept(stream, httptest.NewRequest("GET", "/events?topic=bench", nil))
				if err != nil {
					b.Fatal(err)
				}
				go func() {
					sess.Run(context.Background(), countWriter{&frames})
					done <- struct{}{}
				}()
			}
			payload := map[string]any{"price": 101.25, "symbol": "ACME", "seq": 0}
			ctx := context.Background()
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := hub.Publish(ctx, "bench", "tick", payload); err != nil {
					b.Fatal(err)
				}
				if i%64 == 63 || i == b.N-1 {
					want := int64(i+1) * int64(subs)
					for frames.Load() < want {
						runtime.Gosched()
					}
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			deliveries := float64(b.N) * float64(subs)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/deliveries, "ns/delivery")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/deliveries, "allocs/delivery")
			if d := hub.Stats().Dropped; d != 0 {
				b.Fatalf("%d subscribers dropped", d)
			}
			hub.Shutdown(ctx)
			for i := 0; i < subs; i++ {
				<-done
			}
		})
	}
}
