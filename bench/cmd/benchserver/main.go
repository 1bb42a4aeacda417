// Command benchserver runs one SSE implementation under test in its own
// process: it serves streams on a loopback port, and publishes events inside
// the process when the load generator asks for them over a control port.
//
//	benchserver -server ssekit
//
// It prints one JSON line (ctl.Hello) with its addresses, then serves until
// its control connection closes or it receives SIGINT/SIGTERM.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ssekit/ssekit/bench/internal/ctl"
	"github.com/ssekit/ssekit/bench/internal/servers"
)

func main() {
	name := flag.String("server", "raw-coalesce", "server under test: "+strings.Join(servers.Names(), ", "))
	queue := flag.Int("queue", 0, "per-connection queue size, where the implementation has one (0: its default; raw baselines 256)")
	maxConns := flag.Int("max-conns", 20000, "connection limit, where the implementation has one")
	heartbeat := flag.Duration("heartbeat", 15*time.Second, "heartbeat interval, where the implementation has one")
	instance := flag.Int("instance", 0, "instance index (multi-instance backends)")
	backend := flag.String("backend", "", "backend address (multi-instance backends)")
	flag.Parse()
	if err := run(*name, servers.Options{QueueSize: *queue, MaxConnections: *maxConns, Heartbeat: *heartbeat, Instance: *instance, Backend: *backend}); err != nil {
		fmt.Fprintln(os.Stderr, "benchserver:", err)
		os.Exit(1)
	}
}

func run(name string, o servers.Options) error {
	srv, err := servers.New(name, o)
	if err != nil {
		return err
	}
	defer srv.Close()
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	cl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer cl.Close()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(hl) }()

	hello, _ := json.Marshal(ctl.Hello{HTTP: hl.Addr().String(), Ctl: cl.Addr().String(), Path: srv.Path()})
	fmt.Println(string(hello))

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	ctlDone := make(chan error, 1)
	go func() {
		c, err := cl.Accept()
		if err != nil {
			ctlDone <- err
			return
		}
		ctlDone <- (&session{srv: srv, conn: c, enc: json.NewEncoder(c)}).serve()
	}()
	select {
	case err := <-serveErr:
		return err
	case <-sig:
		return nil
	case err := <-ctlDone:
		return err
	}
}

// session handles the load generator's control connection.
type session struct {
	srv  servers.Server
	conn net.Conn
	mu   sync.Mutex
	enc  *json.Encoder

	credit  atomic.Int64
	wake    chan struct{}
	stop    chan struct{}
	pubDone chan struct{}
	prof    *os.File
}

func (s *session) reply(r ctl.Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.enc.Encode(r)
}

func topicNames(n int) []string {
	if n < 1 {
		n = 1
	}
	t := make([]string, n)
	for i := range t {
		t[i] = "t" + strconv.Itoa(i)
	}
	return t
}

// serve runs commands until the control connection closes.
func (s *session) serve() error {
	defer s.stopPublisher()
	sc := bufio.NewScanner(s.conn)
	for sc.Scan() {
		var c ctl.Command
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			s.reply(ctl.Reply{Op: "error", Err: err.Error()})
			continue
		}
		switch c.Op {
		case ctl.OpGC:
			s.reply(memReply())
		case ctl.OpPrepare:
			s.srv.Prepare(topicNames(c.Topics))
			s.reply(ctl.Reply{Op: c.Op})
		case ctl.OpOpen:
			s.stopPublisher()
			s.startPublisher(func(stop chan struct{}) { s.openLoop(c, stop) })
		case ctl.OpClosed:
			s.stopPublisher()
			s.credit.Store(0)
			s.wake = make(chan struct{}, 1)
			s.startPublisher(func(stop chan struct{}) { s.closedLoop(c, stop) })
		case ctl.OpCredit:
			if c.N > s.credit.Load() {
				s.credit.Store(c.N)
				select {
				case s.wake <- struct{}{}:
				default:
				}
			}
		case ctl.OpStop:
			s.stopPublisher()
		case ctl.OpProfStart:
			f, err := os.Create(c.Path)
			if err == nil {
				err = pprof.StartCPUProfile(f)
				s.prof = f
			}
			s.reply(errReply(c.Op, err))
		case ctl.OpProfStop:
			pprof.StopCPUProfile()
			var err error
			if s.prof != nil {
				err = s.prof.Close()
				s.prof = nil
			}
			s.reply(errReply(c.Op, err))
		default:
			s.reply(ctl.Reply{Op: "error", Err: "unknown op " + c.Op})
		}
	}
	return sc.Err()
}

func errReply(op string, err error) ctl.Reply {
	r := ctl.Reply{Op: op}
	if err != nil {
		r.Err = err.Error()
	}
	return r
}

func (s *session) startPublisher(f func(stop chan struct{})) {
	s.stop = make(chan struct{})
	s.pubDone = make(chan struct{})
	stop, done := s.stop, s.pubDone
	go func() {
		defer close(done)
		f(stop)
	}()
}

// stopPublisher ends a running publishing phase and waits for it.
func (s *session) stopPublisher() {
	if s.stop == nil {
		return
	}
	close(s.stop)
	<-s.pubDone
	s.stop, s.pubDone = nil, nil
}

// openLoop publishes c.Count events at c.Rate per second on a fixed schedule.
// Each payload carries its scheduled time, so a publisher that falls behind
// shows up as latency instead of hiding it (no coordinated omission).
func (s *session) openLoop(c ctl.Command, stop chan struct{}) {
	topics := topicNames(c.Topics)
	s.srv.Prepare(topics)
	interval := float64(time.Second) / c.Rate
	start := time.Now().Add(time.Millisecond)
	var maxLag time.Duration
	var k int64
	var err error
	for k = 0; k < c.Count; k++ {
		due := start.Add(time.Duration(float64(k) * interval))
		if d := time.Until(due); d > 0 {
			select {
			case <-time.After(d):
			case <-stop:
				s.reply(ctl.Reply{Op: c.Op, Published: k, MaxLagNs: int64(maxLag)})
				return
			}
		} else if lag := -d; lag > maxLag {
			maxLag = lag
		}
		p := ctl.AppendPayload(make([]byte, 0, ctl.PayloadSize), c.Epoch, k, due.UnixNano())
		if e := s.srv.Publish(topics[k%int64(len(topics))], p); e != nil && err == nil {
			err = e
		}
	}
	r := ctl.Reply{Op: c.Op, Published: k, MaxLagNs: int64(maxLag)}
	if err != nil {
		r.Err = err.Error()
	}
	s.reply(r)
}

// closedLoop publishes as fast as the load generator's credit allows: the
// sequence never runs more than a window ahead of the slowest subscriber.
func (s *session) closedLoop(c ctl.Command, stop chan struct{}) {
	topics := topicNames(c.Topics)
	s.srv.Prepare(topics)
	var k int64
	var err error
	for {
		if k%64 == 0 {
			select {
			case <-stop:
				r := ctl.Reply{Op: c.Op, Published: k}
				if err != nil {
					r.Err = err.Error()
				}
				s.reply(r)
				return
			default:
			}
		}
		for k >= s.credit.Load() {
			select {
			case <-s.wake:
			case <-stop:
				r := ctl.Reply{Op: c.Op, Published: k}
				if err != nil {
					r.Err = err.Error()
				}
				s.reply(r)
				return
			}
		}
		p := ctl.AppendPayload(make([]byte, 0, ctl.PayloadSize), c.Epoch, k, time.Now().UnixNano())
		if e := s.srv.Publish(topics[k%int64(len(topics))], p); e != nil && err == nil {
			err = e
		}
		k++
	}
}

// memReply forces a full GC, returns freed memory to the OS and reports what
// is left.
func memReply() ctl.Reply {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ctl.Reply{Op: ctl.OpGC, RSS: selfRSS(), HeapInuse: int64(ms.HeapInuse), StackInuse: int64(ms.StackInuse), Goroutines: runtime.NumGoroutine()}
}

func selfRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}
