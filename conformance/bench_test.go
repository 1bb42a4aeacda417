package conformance_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// BenchmarkAdapterOverhead publishes one event at a time to 20 streams of
// each mount and waits until every stream has read it: ns/op is the
// latency of one event delivered to all 20 clients over loopback, and
// x-nethttp its ratio to core's own net/http handler under the same load
// (1.00 = no adapter overhead). Loopback timings on a small machine are
// noisy: compare with -count 5 and benchstat.
func BenchmarkAdapterOverhead(b *testing.B) {
	const clients = 20
	var base float64
	for _, m := range mounts {
		if strings.Contains(m.name, "-") {
			continue // a variant (group, HTTP/2) of a plain mount
		}
		b.Run(m.name, func(b *testing.B) {
			e := start(b, m, nil)
			got := make(chan struct{}, clients)
			for range clients {
				ctx, cancel := context.WithCancel(context.Background())
				b.Cleanup(cancel)
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.url+"/events?topic=bench", nil)
				resp, err := e.client.Do(req)
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Fatalf("open stream: %v", err)
				}
				go signalEvents(resp, got)
			}
			eventually(b, "streams registered", func() bool { return e.hub.Count() == clients })
			payload := map[string]any{"id": 42, "status": "paid", "items": []string{"a", "b", "c"}}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := e.hub.Publish(context.Background(), "bench", "order.updated", payload); err != nil {
					b.Fatal(err)
				}
				for range clients {
					select {
					case <-got:
					case <-time.After(wait):
						b.Fatal("an event was not delivered")
					}
				}
			}
			b.StopTimer()
			nsPerOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			if m.name == "nethttp" {
				base = nsPerOp
			}
			if base > 0 {
				b.ReportMetric(nsPerOp/base, "x-nethttp")
			}
		})
	}
}

// signalEvents sends on got for every event frame read (a frame ends with
// a blank line; comments and the retry hint do not) until the body ends.
func signalEvents(resp *http.Response, got chan<- struct{}) {
	defer resp.Body.Close()
	buf := make([]byte, 32<<10)
	var last byte
	for {
		k, err := resp.Body.Read(buf)
		p := buf[:k]
		n := bytes.Count(p, []byte("\n\n"))
		if k > 0 && last == '\n' && p[0] == '\n' {
			n++
		}
		if k > 0 {
			last = p[k-1]
		}
		for range n {
			got <- struct{}{}
		}
		if err != nil {
			return
		}
	}
}
