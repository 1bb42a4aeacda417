package loadgen

import (
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ssekit/ssekit/bench/internal/ctl"
	"github.com/ssekit/ssekit/bench/internal/stats"
)

// ClockTick is the unit of utime/stime in /proc/PID/stat (USER_HZ).
const ClockTick = 10 * time.Millisecond

// CPUTime returns the user+system CPU time a process has used so far.
func CPUTime(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+2:]
	}
	f := strings.Fields(s) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * ClockTick
}

// MachineBusy returns the CPU time all processes of the machine have used
// (user, nice, system, irq, softirq, steal from /proc/stat).
func MachineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0])
	var t int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		if i < len(f) {
			v, _ := strconv.ParseInt(f[i], 10, 64)
			t += v
		}
	}
	return time.Duration(t) * ClockTick
}

// cpuSample is the CPU used so far by the server, this process and the
// whole machine.
type cpuSample struct {
	server, self, all time.Duration
	at                time.Time
}

func sampleCPU(pid int) cpuSample {
	return cpuSample{CPUTime(pid), CPUTime(os.Getpid()), MachineBusy(), time.Now()}
}

// cores returns the cores used between a and b by the server, this process
// and everything else on the machine.
func cores(a, b cpuSample) (server, self, other float64) {
	el := b.at.Sub(a.at).Seconds()
	server = (b.server - a.server).Seconds() / el
	self = (b.self - a.self).Seconds() / el
	other = max(0, (b.all-a.all).Seconds()/el-server-self)
	return
}

// newEpoch starts a fresh measurement: events of older phases still in
// flight are ignored from now on.
func (g *Gen) newEpoch(conns []*Conn, measureFrom int64) int64 {
	e := g.epoch.Add(1)
	g.measureFrom.Store(measureFrom)
	for _, c := range conns {
		c.last.Store(-1)
		c.got.Store(0)
	}
	return e
}

// OpenResult is the outcome of an open-loop phase.
type OpenResult struct {
	P50, P99, Max, Mean time.Duration
	Samples, Expected   int64
	Lost                int64   // expected deliveries that never arrived in time
	DeliveriesPerSec    float64 // over the publishing window, all connections
	ServerCPU           float64 // cores used by the server while publishing
	LoadgenCPU          float64 // cores used by this process while publishing
	OtherCPU            float64 // cores used by the rest of the machine meanwhile
	MaxLag              time.Duration
	// Group1 holds the latency of the connections in group 1, if any.
	Group1 *OpenResult
}

// OpenLoop asks the server to publish count events at rate per second over
// topics topics; the first warm events are not measured. Latency is taken
// from each event's scheduled send time. conns are the connections whose
// deliveries are expected (slow or churning ones excluded).
func (g *Gen) OpenLoop(pid int, conns []*Conn, topics int, rate float64, count, warm int64, drain time.Duration) (OpenResult, error) {
	if topics < 1 {
		topics = 1
	}
	h, h1 := &stats.Hist{}, &stats.Hist{}
	g.hist[0].Store(nil)
	g.hist[1].Store(nil)
	e := g.newEpoch(g.Conns(), warm)
	g.hist[0].Store(h)
	g.hist[1].Store(h1)
	d0 := g.delivered.Load()
	c0 := sampleCPU(pid)
	t0 := c0.at
	if err := g.ctl.Send(ctl.Command{Op: ctl.OpOpen, Epoch: e, Rate: rate, Count: count, Topics: topics}); err != nil {
		return OpenResult{}, err
	}
	dur := time.Duration(float64(count) / rate * float64(time.Second))
	rep, err := g.ctl.Wait(ctl.OpOpen, dur+30*time.Second)
	if err != nil {
		return OpenResult{}, err
	}
	c1 := sampleCPU(pid)
	var expected, expected1 int64
	for _, c := range conns {
		// events k in [warm, count) with k % topics == c.Topic
		n := countMod(warm, count, int64(topics), int64(c.Topic))
		if c.Group == 1 {
			expected1 += n
		} else {
			expected += n
		}
	}
	deadline := time.Now().Add(drain)
	for (int64(h.Count()) < expected || int64(h1.Count()) < expected1) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	g.hist[0].Store(nil)
	g.hist[1].Store(nil)
	r := OpenResult{
		P50: h.Quantile(0.50), P99: h.Quantile(0.99), Max: h.Max(), Mean: h.Mean(),
		Samples: int64(h.Count()), Expected: expected, MaxLag: time.Duration(rep.MaxLagNs),
		DeliveriesPerSec: float64(g.delivered.Load()-d0) / time.Since(t0).Seconds(),
	}
	r.ServerCPU, r.LoadgenCPU, r.OtherCPU = cores(c0, c1)
	r.Lost = max(0, expected-r.Samples)
	if expected1 > 0 {
		r.Group1 = &OpenResult{P50: h1.Quantile(0.50), P99: h1.Quantile(0.99), Max: h1.Max(), Mean: h1.Mean(),
			Samples: int64(h1.Count()), Expected: expected1, Lost: max(0, expected1-int64(h1.Count()))}
	}
	return r, nil
}

// countMod counts k in [lo, hi) with k % m == r.
func countMod(lo, hi, m, r int64) int64 {
	f := func(n int64) int64 { // k in [0, n)
		if n <= r {
			return 0
		}
		return (n-r-1)/m + 1
	}
	return f(hi) - f(lo)
}

// ClosedResult is the outcome of a closed-loop phase.
type ClosedResult struct {
	DeliveriesPerSec float64
	CPUPerDelivery   time.Duration // server CPU per delivery
	ServerCPU        float64       // cores
	LoadgenCPU       float64       // cores
	OtherCPU         float64       // cores used by the rest of the machine
	Published        int64
	Window           time.Duration
}

// ClosedLoop lets the server publish as fast as the slowest active
// subscriber allows (at most window events ahead of it), warms up, then
// measures deliveries per second and server CPU over measure.
// With settle, it then waits for the backlog to reach every subscriber.
func (g *Gen) ClosedLoop(pid int, topics int, window int64, warm, measure time.Duration, settle bool) (ClosedResult, error) {
	if topics < 1 {
		topics = 1
	}
	active := g.Active()
	e := g.newEpoch(g.Conns(), math.MaxInt64)
	if err := g.ctl.Send(ctl.Command{Op: ctl.OpClosed, Epoch: e, Topics: topics}); err != nil {
		return ClosedResult{}, err
	}
	T := int64(topics)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // the credit controller
		defer close(done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		granted := int64(-1)
		for {
			minRound := int64(math.MaxInt64)
			for _, c := range active {
				if c.Ended() {
					continue
				}
				r := int64(-1)
				if l := c.last.Load(); l >= 0 {
					r = l / T
				}
				minRound = min(minRound, r)
			}
			if minRound == math.MaxInt64 {
				minRound = -1
			}
			if credit := (minRound + 1 + window) * T; credit > granted {
				granted = credit
				if g.ctl.Send(ctl.Command{Op: ctl.OpCredit, N: credit}) != nil {
					return
				}
			}
			select {
			case <-tick.C:
			case <-stop:
				return
			}
		}
	}()
	time.Sleep(warm)
	d0, c0 := g.delivered.Load(), sampleCPU(pid)
	time.Sleep(measure)
	d1, c1 := g.delivered.Load(), sampleCPU(pid)
	close(stop)
	<-done
	if err := g.ctl.Send(ctl.Command{Op: ctl.OpStop}); err != nil {
		return ClosedResult{}, err
	}
	rep, err := g.ctl.Wait(ctl.OpClosed, 30*time.Second)
	if err != nil {
		return ClosedResult{}, err
	}
	if settle {
		g.settle(active, topics, rep.Published, 10*time.Second)
	}
	el := c1.at.Sub(c0.at)
	r := ClosedResult{
		DeliveriesPerSec: float64(d1-d0) / el.Seconds(),
		Published:        rep.Published,
		Window:           el,
	}
	r.ServerCPU, r.LoadgenCPU, r.OtherCPU = cores(c0, c1)
	if d1 > d0 {
		r.CPUPerDelivery = (c1.server - c0.server) / time.Duration(d1-d0)
	}
	return r, nil
}

// Churn closes the oldest of pool and opens a replacement, perSec times per
// second, for dur. It returns how many reconnects succeeded.
func (g *Gen) Churn(pool []*Conn, perSec int, dur time.Duration, topicOf func(i int) int) (int, error) {
	tick := time.NewTicker(time.Second / time.Duration(perSec))
	defer tick.Stop()
	end := time.Now().Add(dur)
	n := 0
	var firstErr error
	for i := 0; time.Now().Before(end); i++ {
		<-tick.C
		if len(pool) > 0 {
			pool[0].Close()
			pool = pool[1:]
		}
		c, err := g.Connect(1, func(int) int { return topicOf(i) }, false, 5*time.Second)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		pool = append(pool, c...)
		n++
	}
	return n, firstErr
}

// settle waits until every active connection has received the last event of
// its topic among the published ones (so that the next phase starts on an
// idle server), or until timeout.
func (g *Gen) settle(conns []*Conn, topics int, published int64, timeout time.Duration) {
	if published == 0 {
		return
	}
	deadline := time.Now().Add(timeout)
	for _, c := range conns {
		// last sequence of topic c.Topic below published
		last := published - 1 - ((published-1-int64(c.Topic))%int64(topics)+int64(topics))%int64(topics)
		if last < 0 {
			continue
		}
		for c.last.Load() < last && !c.Ended() && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
	}
}
