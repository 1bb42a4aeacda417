package core

import (
	"errors"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The writers of detached streams (see detach.go). A stream is run by one
// goroutine at a time: a writer of the pool, the waiter of a full socket,
// or the handler while it writes the stream's start. Anything that
// happens meanwhile (an event, a hang-up, the hub ending the stream) marks
// it to run again when that goroutine lets go.

// detacher is a hub's machinery for detached streams: a run queue drained
// by at most GOMAXPROCS writers, which exist only while there is work, and
// the poller that notices hang-ups (one goroutine, only while a detached
// stream is open).
type detacher struct {
	qmu     sync.Mutex
	runq    []*dconn
	writers int

	mu    sync.Mutex
	poll  *poller // nil while no stream is detached
	conns map[uint64]*dconn
	seq   uint64
}

// dconn is a detached stream.
type dconn struct {
	d    *detacher
	s    *session
	nc   net.Conn
	raw  syscall.RawConn
	id   uint64 // key in the detacher's table (and the poller's events)
	fd   int
	gone atomic.Bool // the client hung up

	mu      sync.Mutex
	queued  bool // in the run queue
	running bool // owned by a goroutine
	again   bool // something happened while running: run again
	blocked bool // a waiter is writing to a full socket
	closed  bool // torn down (owner only)
}

// signal tells the stream's writer that there is something to do: the
// queue became non-empty, or the hub ended the stream.
func (c *Conn) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
	if dc := c.det.Load(); dc != nil {
		dc.schedule()
	}
}

// schedule puts dc in the run queue unless it is there or running. A
// stream dropped while a waiter is stuck on its full socket is cut at once.
func (dc *dconn) schedule() {
	dc.mu.Lock()
	if dc.running {
		dc.again = true
		blocked := dc.blocked
		dc.mu.Unlock()
		if blocked && dc.s.conn.endReason() == reasonDropped {
			_ = dc.nc.SetWriteDeadline(time.Now())
		}
		return
	}
	if dc.queued {
		dc.mu.Unlock()
		return
	}
	dc.queued = true
	dc.mu.Unlock()
	dc.d.push(dc)
}

// release lets go of dc, and queues it again if something happened
// while it ran.
func (dc *dconn) release() {
	dc.mu.Lock()
	dc.running = false
	again := dc.again
	dc.again = false
	dc.mu.Unlock()
	if again {
		dc.schedule()
	}
}

// push queues dc and starts a writer if fewer than GOMAXPROCS run.
func (d *detacher) push(dc *dconn) {
	d.qmu.Lock()
	d.runq = append(d.runq, dc)
	start := d.writers < runtime.GOMAXPROCS(0)
	if start {
		d.writers++
	}
	d.qmu.Unlock()
	if start {
		go d.write()
	}
}

// write is a writer of the pool: it runs queued streams until none is
// left, then exits.
//
// It first yields the processor. A goroutine just started runs next on
// its processor, ahead of every goroutine already runnable there, and
// those are often publishers (the HTTP handlers of publish requests, the
// broker's subscribers): run before them, the writer would write each
// stream's one event with a syscall of its own. Behind them, it finds the
// events of all of them queued and writes each stream's batch at once,
// as a stream's own goroutine does on the goroutine path (woken streams
// queue behind the goroutines already runnable).
func (d *detacher) write() {
	runtime.Gosched()
	for {
		d.qmu.Lock()
		if len(d.runq) == 0 {
			d.writers--
			d.runq = nil
			d.qmu.Unlock()
			return
		}
		dc := d.pop()
		d.qmu.Unlock()
		dc.run()
	}
}

// pop takes the head of the run queue (qmu held, runq not empty).
func (d *detacher) pop() *dconn {
	dc := d.runq[0]
	d.runq[0] = nil
	d.runq = d.runq[1:]
	return dc
}

// run writes what is pending for dc, which the caller took from the run
// queue.
func (dc *dconn) run() {
	dc.mu.Lock()
	dc.queued, dc.running = false, true
	dc.mu.Unlock()
	if dc.step() {
		dc.release()
	}
}

// chunkPool holds the writers' output buffers.
var chunkPool = sync.Pool{New: func() any { return &chunks{b: make([]byte, 0, 4096), start: -1} }}

func putChunks(ch *chunks) {
	if cap(ch.b) > 64<<10 {
		return
	}
	ch.b, ch.start = ch.b[:0], -1
	chunkPool.Put(ch)
}

// step writes what is pending without blocking. It reports false when it
// handed the stream to a waiter, which releases it.
func (dc *dconn) step() bool {
	if dc.closed {
		return true
	}
	if dc.gone.Load() {
		dc.teardown()
		return true
	}
	s := dc.s
	reason := s.conn.endReason()
	ch := chunkPool.Get().(*chunks)
	if reason == reasonNone {
		_ = s.writePending(ch, nil) // writes to memory cannot fail
	} else {
		_ = s.finish(ch, nil)
		ch.end()
	}
	ch.close()
	if len(ch.b) == 0 {
		putChunks(ch)
		return true
	}
	n, err := dc.writeNow(ch.b)
	switch {
	case err != nil:
		putChunks(ch)
		s.hub.log.Debug("ssekit: stream ended", "conn", s.conn.id, "err", err)
		dc.teardown()
	case n < len(ch.b) && reason == reasonDropped:
		putChunks(ch) // a dropped client gets no more waiting
		dc.teardown()
	case n < len(ch.b):
		_ = dc.nc.SetWriteDeadline(time.Now().Add(s.hub.cfg.writeTimeout))
		dc.mu.Lock()
		dc.blocked = true
		dc.mu.Unlock()
		if s.conn.endReason() == reasonDropped { // dropped meanwhile
			_ = dc.nc.SetWriteDeadline(time.Now())
		}
		go dc.wait(ch, n, reason != reasonNone)
		return false
	default:
		putChunks(ch)
		if reason != reasonNone {
			dc.teardown()
		}
	}
	return true
}

// errAgain: the socket buffer is full.
var errAgain = errors.New("core: socket buffer full")

// writeNow writes as much of p as the socket takes now, never parking.
func (dc *dconn) writeNow(p []byte) (int, error) {
	var n int
	var werr error
	err := dc.raw.Write(func(fd uintptr) bool {
		for n < len(p) {
			m, err := syscall.Write(int(fd), p[n:])
			if m > 0 {
				n += m
			}
			switch {
			case err == syscall.EINTR:
				continue
			case err == syscall.EAGAIN:
				return true
			case err != nil:
				werr = err
				return true
			case m == 0:
				werr = errAgain
				return true
			}
		}
		return true
	})
	if err == nil {
		err = werr
	}
	return n, err
}

// wait writes the rest of ch to a full socket with a blocking write under
// the write timeout (set by step), then lets go of the stream (or ends
// it).
func (dc *dconn) wait(ch *chunks, off int, final bool) {
	s := dc.s
	_, err := dc.nc.Write(ch.b[off:])
	putChunks(ch)
	if err == nil && !final {
		err = dc.nc.SetWriteDeadline(time.Time{})
	}
	dc.mu.Lock()
	dc.blocked = false
	dc.mu.Unlock()
	if err != nil {
		s.hub.log.Debug("ssekit: stream ended", "conn", s.conn.id, "err", err)
	}
	if err != nil || final {
		dc.teardown()
	} else {
		s.conn.lastWrite.Store(time.Now().UnixNano())
	}
	dc.release()
}

// teardown closes a detached stream for good: the poller forgets it, the
// connection closes and the hub unregisters it. Only the stream's owner
// calls it.
func (dc *dconn) teardown() {
	if dc.closed {
		return
	}
	dc.closed = true
	dc.d.remove(dc)
	_ = dc.nc.Close()
	c := dc.s.conn
	c.end(reasonDisconnected)
	dc.s.hub.unregister(c)
}

// add registers dc with the poller, starting it for the first stream.
func (d *detacher) add(dc *dconn) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.poll == nil {
		p, err := newPoller()
		if err != nil {
			return err
		}
		d.poll = p
		if d.conns == nil {
			d.conns = make(map[uint64]*dconn)
		}
		go d.watch(p)
	}
	d.seq++
	dc.id = d.seq
	var err error
	if cerr := dc.raw.Control(func(fd uintptr) {
		dc.fd = int(fd)
		err = d.poll.add(dc.fd, dc.id)
	}); cerr != nil {
		err = cerr
	}
	if err != nil {
		d.stopIfIdleLocked()
		return err
	}
	d.conns[dc.id] = dc
	return nil
}

// remove unregisters dc from the poller, and stops the poller after the
// last stream.
func (d *detacher) remove(dc *dconn) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conns[dc.id] != dc {
		return
	}
	delete(d.conns, dc.id)
	_ = dc.raw.Control(func(fd uintptr) { d.poll.del(int(fd)) })
	d.stopIfIdleLocked()
}

func (d *detacher) stopIfIdleLocked() {
	if len(d.conns) == 0 && d.poll != nil {
		d.poll.stop()
		d.poll = nil
	}
}

// hangup is the poller's report that the client of stream id went away.
func (d *detacher) hangup(id uint64) {
	d.mu.Lock()
	dc := d.conns[id]
	d.mu.Unlock()
	if dc != nil {
		dc.gone.Store(true)
		dc.schedule()
	}
}

// failed ends every detached stream when the poller breaks (it cannot,
// short of a bug): their clients reconnect, and the next stream starts a
// new poller.
func (d *detacher) failed(p *poller, err error) {
	d.mu.Lock()
	if d.poll == p {
		d.poll = nil
	}
	conns := make([]*dconn, 0, len(d.conns))
	for _, dc := range d.conns {
		conns = append(conns, dc)
	}
	d.mu.Unlock()
	if len(conns) > 0 {
		conns[0].s.hub.log.Error("ssekit: detached streams: poller failed; ending them", "streams", len(conns), "err", err)
	}
	for _, dc := range conns {
		dc.gone.Store(true)
		dc.schedule()
	}
}

// A publisher yields to the writers while more than behindStreams streams
// wait in the run queue and the one at its head has behindDepth events or
// more, at most maxYields times (see yieldIfBehind).
const (
	behindStreams = 1024
	behindDepth   = 8
	maxYields     = 16
)

// yieldIfBehind lets the writers catch up before a publisher goes on. A
// writer never waits, so it runs until it is preempted, and GOMAXPROCS
// writers against many publishing goroutines (the HTTP handlers of publish
// requests) get a small share of the turns: publishers could outrun them,
// piling events up in every stream's queue (measured at 10k streams with
// 16 publish requests in flight: runs that delivered a fifth of what was
// published). On the goroutine path the streams' own goroutines, one per
// stream, take those turns. The head of the run queue is the stream queued
// longest; while the queue is long and its head holds behindDepth events,
// the writers are behind, and the publisher yields. Short of that nothing
// waits: events that arrive faster than they are written pile up to a few
// per stream, and each write carries them all. (A fan-out to fewer streams
// costs the publisher too little to outrun the writers.)
//
// Tried and dropped: more writers for a long run queue (a writer preempted
// in the middle of a stream holds that stream's write back behind the
// other writers' time slices: the slowest stream of a 10k broadcast came
// twice as late); publishers that write for the writers (they pay with
// their own lateness, and under a steady load each stream's batch stayed
// at one event); yielding once whenever the run queue is long (not enough
// turns: some runs still starved the writers).
// It returns how many times it yielded.
func (d *detacher) yieldIfBehind() int {
	for i := range maxYields {
		d.qmu.Lock()
		var head *dconn
		if len(d.runq) > behindStreams {
			head = d.runq[0]
		}
		d.qmu.Unlock()
		if head == nil || head.s.conn.pending() < behindDepth {
			return i
		}
		runtime.Gosched()
	}
	return maxYields
}
