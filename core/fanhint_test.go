package core

import (
	"context"
	"testing"
)

// TestSmallFanHint checks the hint a woken writer reads (session.Run): set
// by a publish to at most smallFanOut streams, cleared by a larger one.
func TestSmallFanHint(t *testing.T) {
	h, err := NewHub()
	if err != nil {
		t.Fatal(err)
	}
	// Cleanups run last first: the streams go before Shutdown waits for them.
	t.Cleanup(func() { h.Shutdown(context.Background()) })
	reg := func(topics ...string) *Conn {
		c, err := h.register(connSpec{topics: topics})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			c.end(reasonDisconnected)
			h.unregister(c)
		})
		return c
	}
	c := reg("few", "many")
	for range smallFanOut {
		reg("many")
	}
	ctx := context.Background()
	if _, err := h.PublishRaw(ctx, "few", "e", []byte(`1`)); err != nil {
		t.Fatal(err)
	}
	if !c.smallFan.Load() {
		t.Fatal("a publish to 1 stream left the small fan-out hint unset")
	}
	if _, err := h.PublishRaw(ctx, "many", "e", []byte(`2`)); err != nil {
		t.Fatal(err)
	}
	if c.smallFan.Load() {
		t.Fatalf("a publish to %d streams left the small fan-out hint set", smallFanOut+1)
	}
	if _, err := h.PublishRaw(ctx, "few", "e", []byte(`3`)); err != nil {
		t.Fatal(err)
	}
	if !c.smallFan.Load() {
		t.Fatal("a publish to 1 stream after a large one did not set the hint again")
	}
}
