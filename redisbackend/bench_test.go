package redisbackend_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/redisbackend"
)

// BenchmarkPublish measures publishes per second through Redis: a bare
// PUBLISH round trip one at a time (the baseline), the broker one at a
// time (XADD+PUBLISH script, one round trip each), and the broker under
// 64 concurrent publishers (pipelined batches). Each reports publishes/s.
func BenchmarkPublish(b *testing.B) {
	url := redisURL(b)
	ctx := context.Background()
	body, _ := json.Marshal(&core.Message{Topic: "bench", Event: "tick", Data: []byte(`{"n":1,"text":"hello"}`), OccurredAt: time.Now()})

	report := func(b *testing.B, start time.Time) {
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "publishes/s")
	}
	b.Run("raw-PUBLISH-serial", func(b *testing.B) {
		o, _ := redisbackend.ClientOptions(url)
		c := redis.NewClient(o)
		defer c.Close()
		ch := newPrefix()
		b.ResetTimer()
		start := time.Now()
		for range b.N {
			if err := c.Publish(ctx, ch, body).Err(); err != nil {
				b.Fatal(err)
			}
		}
		report(b, start)
	})
	newBroker := func(b *testing.B) *redisbackend.Broker {
		prefix := newPrefix()
		br, err := redisbackend.New(ctx, url, redisbackend.WithPrefix(prefix), redisbackend.WithStreamLimits(1000, 0))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { br.Close(); dropKeys(url, prefix) })
		return br
	}
	msg := func() *core.Message {
		return &core.Message{Topic: "bench", Event: "tick", Data: []byte(`{"n":1,"text":"hello"}`), OccurredAt: time.Now()}
	}
	b.Run("broker-serial", func(b *testing.B) {
		br := newBroker(b)
		b.ResetTimer()
		start := time.Now()
		for range b.N {
			if _, err := br.Publish(ctx, msg()); err != nil {
				b.Fatal(err)
			}
		}
		report(b, start)
	})
	b.Run("broker-parallel-64", func(b *testing.B) {
		br := newBroker(b)
		b.SetParallelism(64)
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := br.Publish(ctx, msg()); err != nil {
					b.Error(err)
					return
				}
			}
		})
		report(b, start)
	})
	// The same without a subscriber decoding every event in the process:
	// what a Publisher (a service with no SSE clients) gets.
	b.Run("publisher-parallel-64", func(b *testing.B) {
		prefix := newPrefix()
		p, err := redisbackend.NewPublisher(ctx, url, redisbackend.WithPrefix(prefix), redisbackend.WithStreamLimits(1000, 0))
		if err != nil {
			b.Fatal(err)
		}
		defer dropKeys(url, prefix)
		defer p.Close()
		b.SetParallelism(64)
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := p.PublishRaw(ctx, "bench", "tick", []byte(`{"n":1,"text":"hello"}`)); err != nil {
					b.Error(err)
					return
				}
			}
		})
		report(b, start)
	})
}
