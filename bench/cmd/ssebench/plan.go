package main

import "time"

// B1Case is one open-loop latency point.
type B1Case struct {
	Subs int
	Rate float64
}

// Plan sizes every scenario; ShortPlan fits make bench's five minutes,
// LongPlan is the full benchmark.
type Plan struct {
	Name      string
	Runs      int // runs of B0–B2, B7 and B8 per server
	ExtraRuns int // runs of B4 and B5 per server (B3 and B6 have their own)

	B0Levels []int
	B7Levels []int // connection levels of the adapter runs (B7)
	Settle   time.Duration
	Idle     time.Duration

	B1     []B1Case
	B1Dur  time.Duration
	B1Warm float64 // fraction of each B1 phase not measured

	B2Subs    []int
	B2Warm    time.Duration
	B2Measure time.Duration
	Window    int64 // closed-loop credit: events ahead of the slowest subscriber

	B3Runs           int // runs of B3 (its verdict needs 3)
	B3Topics, B3Subs int
	B3Rate           float64
	B3Dur            time.Duration

	B4Subs, B4Slow int
	B4Rate         float64
	B4RefDur       time.Duration
	B4Dur          time.Duration

	B5Base   int
	B5PerSec int
	B5Rate   float64
	B5Dur    time.Duration

	B6Runs   int   // runs of B6 (its verdict needs 3)
	B6Levels []int // subscribers per instance, one open-loop case each
	B6Rate   float64
	B6Dur    time.Duration

	B8Subs     []int // B8: streams per fresh process
	B8Inflight int   // B8: publish requests in flight
	B8Warm     time.Duration
	B8Measure  time.Duration

	Drain time.Duration
}

var ShortPlan = Plan{
	Name: "short", Runs: 3, ExtraRuns: 1,
	B0Levels: []int{1000, 10000}, B7Levels: []int{1000}, Settle: 200 * time.Millisecond, Idle: 300 * time.Millisecond,
	B1:    []B1Case{{1000, 40}, {10000, 10}},
	B1Dur: time.Second, B1Warm: 0.2,
	B2Subs: []int{1000, 10000}, B2Warm: 200 * time.Millisecond, B2Measure: 600 * time.Millisecond, Window: 32,
	B3Runs: 3, B3Topics: 1000, B3Subs: 5, B3Rate: 2000, B3Dur: time.Second,
	B8Subs: []int{1000, 10000}, B8Inflight: 16, B8Warm: 300 * time.Millisecond, B8Measure: time.Second,
	B4Subs: 10000, B4Slow: 100, B4Rate: 10, B4RefDur: time.Second, B4Dur: 2 * time.Second,
	B5Base: 1000, B5PerSec: 100, B5Rate: 10, B5Dur: 3 * time.Second,
	B6Runs: 3, B6Levels: []int{500, 1000}, B6Rate: 40, B6Dur: 3 * time.Second,
	Drain: 1500 * time.Millisecond,
}

var LongPlan = Plan{
	Name: "long", Runs: 5, ExtraRuns: 3,
	B0Levels: []int{1000, 5000, 10000, 19000}, B7Levels: []int{1000, 10000}, Settle: time.Second, Idle: 3 * time.Second,
	B1:    []B1Case{{1000, 1}, {1000, 10}, {1000, 40}, {10000, 1}, {10000, 10}, {10000, 40}},
	B1Dur: 10 * time.Second, B1Warm: 0.1,
	B2Subs: []int{1000, 10000}, B2Warm: time.Second, B2Measure: 5 * time.Second, Window: 32,
	B3Runs: 3, B3Topics: 1000, B3Subs: 10, B3Rate: 10000, B3Dur: 10 * time.Second,
	B8Subs: []int{1000, 10000}, B8Inflight: 16, B8Warm: time.Second, B8Measure: 5 * time.Second,
	B4Subs: 10000, B4Slow: 100, B4Rate: 10, B4RefDur: 10 * time.Second, B4Dur: 2 * time.Minute,
	B5Base: 10000, B5PerSec: 100, B5Rate: 10, B5Dur: 2 * time.Minute,
	B6Runs: 3, B6Levels: []int{500, 1000, 5000}, B6Rate: 40, B6Dur: 10 * time.Second,
	Drain: 10 * time.Second,
}
