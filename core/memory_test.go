package core_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"runtime"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
)

// stalledStreamBound is the worst case of heap one stalled stream holds,
// as the README states it: the queue (maxQueueBytes, or one event when a
// single event is larger; an event counts its frame and its data) plus the
// batch its writer is stuck writing (the queue it took before, as large),
// plus the fixed cost of a net/http
// stream (buffers and bookkeeping, under 64 KiB). Socket buffers are
// kernel memory, outside the heap.
func stalledStreamBound(maxQueueBytes, maxEvent int) int {
	return 2*max(maxQueueBytes, maxEvent) + 64<<10
}

// Memory under slow clients is bounded: stalled streams, each sent its own
// large events (so no frame is shared), hold at most stalledStreamBound
// each while they are held, and the same once flooded far past the cap.
func TestStalledStreamsHoldAtMostTheComputedBound(t *testing.T) {
	const (
		stalled    = 8
		maxQueue   = 256 << 10
		eventBytes = 32 << 10
		held       = 3   // 64 KiB each: under the cap even before the writer takes any
		flood      = 200 // 6.4 MiB per stream without a byte cap
	)
	hub := newHub(t, core.WithHeartbeat(0), core.WithReplayLimits(-1, 0), core.WithQueueSize(1<<16),
		core.WithMaxQueueBytes(maxQueue), core.WithWriteTimeout(time.Minute))
	srv := serveSmallBuffers(t, hub)
	event := 2*eventBytes + 512                                  // the frame, the data kept beside it, the envelope
	bound := stalled*stalledStreamBound(maxQueue, event) + 1<<20 // + 1 MiB for the test's own noise
	heap := func() int {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return int(ms.HeapAlloc)
	}
	base := heap()
	for range stalled {
		rawStream(t, srv.Listener.Addr().String(), "/events") // never read
	}
	waitUntil(t, "stalled streams", func() bool { return hub.Count() == stalled })
	buf := make([]byte, eventBytes/2)
	send := func(n int) {
		for _, c := range hub.Conns(nil) {
			for range n {
				rand.Read(buf)
				if _, err := hub.SendTo(context.Background(), c.ID(), "big", hex.EncodeToString(buf)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	check := func(phase string) {
		t.Helper()
		grew := heap() - base
		st := hub.Stats()
		t.Logf("%s: heap grew %d KiB (bound %d KiB for %d stalled streams); %d dropped", phase, grew>>10, bound>>10, stalled, st.Dropped)
		if grew > bound {
			t.Fatalf("%s: heap grew %d KiB, over the computed bound of %d KiB", phase, grew>>10, bound>>10)
		}
	}
	send(held)
	check("held")
	if d := hub.Stats().Dropped; d != 0 {
		t.Fatalf("%d streams dropped under the cap", d)
	}
	send(flood)
	check("flooded")
	waitUntil(t, "every stalled stream dropped", func() bool { return hub.Stats().Dropped == stalled })
}
