package main

import (
	"testing"
	"time"
)

// TestFlat checks the soak's flatness rule: 5 % of the plateau, or of the
// scale when that is larger.
func TestFlat(t *testing.T) {
	warm := []float64{1, 1, 1} // the warm-up third is not judged
	cases := []struct {
		xs    []float64
		scale float64
		ok    bool
	}{
		{append(warm, 100, 100, 104, 100, 100, 100), 0, true},
		{append(warm, 100, 100, 106, 100, 100, 100), 0, false},
		// 150 waiters over a plateau of 6 goroutines, 15k streams held: 1 %.
		{append(warm, 6, 6, 156, 6, 6, 6), 15000, true},
		{append(warm, 6, 6, 156, 6, 6, 6), 0, false},
		{append(warm, 6, 6, 1006, 6, 6, 6), 15000, false},
	}
	for i, c := range cases {
		if _, worst, ok := flat(c.xs, c.scale); ok != c.ok {
			t.Errorf("case %d: flat = %v (worst %.3f), want %v", i, ok, worst, c.ok)
		}
	}
}

// TestSoakFlagsText checks the command line the soak report says it was
// made with.
func TestSoakFlagsText(t *testing.T) {
	short := defaultSoak
	short.Dur = time.Minute
	for _, c := range []struct {
		server string
		cfg    soakConfig
		want   string
	}{
		{"ssekit", defaultSoak, "-soak"},
		{"ssekit-detached", defaultSoak, "-soak -servers ssekit-detached"},
		{"ssekit", short, "-soak -soak-dur 1m0s"},
	} {
		if got := soakFlagsText(c.server, c.cfg); got != c.want {
			t.Errorf("soakFlagsText(%q, %v) = %q, want %q", c.server, c.cfg.Dur, got, c.want)
		}
	}
}
