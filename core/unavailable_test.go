package core_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
)

func TestPublishWhileTheBrokerIsUnavailableIsA503WithRetryAfter(t *testing.T) {
	broker := &laggyBroker{MemoryBroker: core.NewMemoryBroker(0, 0)}
	defer broker.Close()
	hub := newHub(t, core.WithBroker(broker), core.WithHeartbeat(0))
	srv := serve(t, hub, core.BroadcastAuth(core.BearerToken("s3cret")))
	broker.setDown(true)

	if _, err := hub.Publish(context.Background(), "t", "e", 1); !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("Publish: %v, want an error wrapping core.ErrUnavailable", err)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/events/broadcast", strings.NewReader(`{"event":"e","data":1}`))
	req.Header.Set("Authorization", "Bearer s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
		resp.Header.Get("Content-Type") != "application/json" || !strings.Contains(string(body), `"error":"event backend unavailable`) {
		t.Fatalf("broadcast while the broker is down: %s Retry-After %q %s", resp.Status, resp.Header.Get("Retry-After"), body)
	}

	broker.setDown(false)
	if st, _ := post(t, srv.URL+"/events/broadcast", "s3cret", `{"event":"e","data":2}`); st != http.StatusAccepted {
		t.Fatalf("broadcast once the broker is back: %d", st)
	}
}

func TestResumeWhileTheLogIsUnavailableEndsWithASpreadRetryHint(t *testing.T) {
	const streams, retry, spread = 40, 100 * time.Millisecond, 2 * time.Second
	broker := &laggyBroker{MemoryBroker: core.NewMemoryBroker(0, 0)}
	defer broker.Close()
	hub := newHub(t, core.WithBroker(broker), core.WithHeartbeat(0), core.WithRetry(retry), core.WithShutdownSpread(spread))
	srv := serve(t, hub)
	last := mustPublish(t, hub, "t", "e", 1)
	broker.setDown(true)
	hints := map[int]bool{}
	for range streams {
		c := dial(t, srv.URL+"/events?topic=t", lastID(last))
		if rest := c.waitEnd(); len(rest) != 0 {
			t.Fatalf("events from a log that is down: %+v", rest)
		}
		c.mu.Lock()
		hint := c.parser.Retry
		c.mu.Unlock()
		if hint < int(retry.Milliseconds()) || hint >= int((retry+spread).Milliseconds()) {
			t.Fatalf("retry hint %d ms, want within [%v, %v)", hint, retry, retry+spread)
		}
		hints[hint] = true
	}
	if len(hints) < streams/2 {
		t.Fatalf("%d streams got only %d distinct retry hints: not spread", streams, len(hints))
	}
}

func TestStreamsEndedForAGapReconnectSpreadOut(t *testing.T) {
	const streams, retry, spread = 300, 100 * time.Millisecond, 2 * time.Second
	broker := &laggyBroker{MemoryBroker: core.NewMemoryBroker(0, 0)}
	defer broker.Close()
	hub := newHub(t, core.WithBroker(broker), core.WithHeartbeat(0), core.WithRetry(retry), core.WithShutdownSpread(spread))
	srv := serve(t, hub)
	url := srv.URL + "/events?topic=t"
	httpc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: -1}}
	defer httpc.CloseIdleConnections()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var gapAt atomic.Int64
	type result struct {
		hint  int
		after time.Duration // from the gap to the reconnect's response
		err   error
	}
	results := make(chan result, streams)
	for range streams {
		go func() {
			// An EventSource: read until the server ends the stream, wait
			// the retry hint, reconnect.
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			resp, err := httpc.Do(req)
			if err != nil {
				results <- result{err: err}
				return
			}
			p := newSSEParser()
			buf := make([]byte, 4096)
			for {
				n, err := resp.Body.Read(buf)
				p.Feed(buf[:n])
				if err != nil {
					break
				}
			}
			resp.Body.Close()
			if p.Retry < 0 {
				results <- result{err: errors.New("no retry hint")}
				return
			}
			select {
			case <-time.After(time.Duration(p.Retry) * time.Millisecond):
			case <-ctx.Done():
				results <- result{err: ctx.Err()}
				return
			}
			req, _ = http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			resp, err = httpc.Do(req)
			if err != nil {
				results <- result{err: err}
				return
			}
			after := time.Since(time.Unix(0, gapAt.Load()))
			resp.Body.Close()
			results <- result{hint: p.Retry, after: after}
		}()
	}
	waitUntil(t, "every stream open", func() bool { return hub.Count() == streams })
	gapAt.Store(time.Now().UnixNano())
	broker.gap()

	var times []time.Duration
	timeout := time.After(waitFor + spread)
	for range streams {
		select {
		case r := <-results:
			if r.err != nil {
				t.Fatal(r.err)
			}
			times = append(times, r.after)
		case <-timeout:
			t.Fatalf("only %d of %d clients reconnected", len(times), streams)
		}
	}
	slices.Sort(times)
	pct := func(p int) time.Duration { return times[(len(times)-1)*p/100].Round(time.Millisecond) }
	buckets := map[time.Duration]int{}
	busiest := 0
	for _, d := range times {
		b := d.Truncate(100 * time.Millisecond)
		buckets[b]++
		busiest = max(busiest, buckets[b])
	}
	t.Logf("%d streams ended by a gap reconnected after: min %v, p10 %v, p50 %v, p90 %v, max %v; busiest 100 ms window %d (%.0f%%)",
		streams, pct(0), pct(10), pct(50), pct(90), pct(100), busiest, 100*float64(busiest)/streams)
	if times[0] < retry {
		t.Errorf("a client reconnected after %v, before the retry delay %v", times[0], retry)
	}
	if span := times[len(times)-1] - times[0]; span < spread/2 {
		t.Errorf("reconnects span only %v of a %v spread", span, spread)
	}
	// Uniform over 2 s gives about 5 % per 100 ms window.
	if busiest > streams/5 {
		t.Errorf("%d of %d clients reconnected within the same 100 ms", busiest, streams)
	}
}
