// Package ctl is the control protocol between the load generator and a
// benchmark server, and the payload both sides agree on.
//
// The load generator opens one TCP connection to the server's control address
// and sends one JSON Command per line; the server answers with JSON Reply
// lines. Publishing always happens inside the server process, so what is
// measured is the server's fan-out, not an HTTP publish endpoint.
package ctl

import (
	"bytes"
	"strconv"
)

// Operations of a Command.
const (
	OpGC        = "gc"         // run runtime.GC + debug.FreeOSMemory, reply with memory figures
	OpPrepare   = "prepare"    // make sure topics t0..tN-1 exist (for libraries that need it)
	OpOpen      = "open"       // open loop: Count events at Rate per second, scheduled
	OpClosed    = "closed"     // closed loop: publish while the sequence is below the granted credit
	OpCredit    = "credit"     // grant credit up to sequence N (closed loop)
	OpStop      = "stop"       // end the closed loop
	OpProfStart = "prof_start" // start a CPU profile into Path
	OpProfStop  = "prof_stop"  // stop the CPU profile
)

// Command is one request to the server.
type Command struct {
	Op     string  `json:"op"`
	Epoch  int64   `json:"epoch,omitempty"`
	Rate   float64 `json:"rate,omitempty"`
	Count  int64   `json:"count,omitempty"`
	Topics int     `json:"topics,omitempty"`
	N      int64   `json:"n,omitempty"`
	Path   string  `json:"path,omitempty"`
}

// Reply answers a Command (gc, prepare, prof_*) or reports the end of a
// publishing phase (open, closed).
type Reply struct {
	Op         string `json:"op"`
	Err        string `json:"err,omitempty"`
	RSS        int64  `json:"rss,omitempty"` // bytes, VmRSS after the forced GC
	HeapInuse  int64  `json:"heap_inuse,omitempty"`
	StackInuse int64  `json:"stack_inuse,omitempty"`
	Goroutines int    `json:"goroutines,omitempty"`
	Published  int64  `json:"published,omitempty"`
	MaxLagNs   int64  `json:"max_lag_ns,omitempty"` // open loop: worst publisher lag behind schedule
}

// Hello is the first line a server prints on stdout.
type Hello struct {
	HTTP string `json:"http"` // host:port of the SSE listener
	Ctl  string `json:"ctl"`  // host:port of the control listener
	// Path is the request path of a stream; %s is replaced by the topic.
	Path string `json:"path"`
}

// PayloadSize is the size of the user data of every event, in bytes.
const PayloadSize = 100

// EventName is the event name of every benchmark event.
const EventName = "tick"

// BroadcastPath is every server's HTTP publish route (POST, a JSON body
// {"event", "topic", "data"}, bench B8), and BroadcastToken the bearer
// token it requires.
const (
	BroadcastPath  = "/events/broadcast"
	BroadcastToken = "bench-secret"
)

// AppendPayload appends the PayloadSize-byte JSON object that carries the
// epoch, the global sequence number and the scheduled send time (Unix ns).
func AppendPayload(dst []byte, epoch, seq, sentNs int64) []byte {
	start := len(dst)
	dst = append(dst, `{"_e":`...)
	dst = strconv.AppendInt(dst, epoch, 10)
	dst = append(dst, `,"_s":`...)
	dst = strconv.AppendInt(dst, seq, 10)
	dst = append(dst, `,"_t":`...)
	dst = strconv.AppendInt(dst, sentNs, 10)
	dst = append(dst, `,"p":"`...)
	for len(dst)-start < PayloadSize-2 {
		dst = append(dst, 'x')
	}
	return append(dst, `"}`...)
}

var marker = []byte(`{"_e":`)

// ParsePayload finds the benchmark payload in data (which may wrap it in an
// envelope) and returns its fields.
func ParsePayload(data []byte) (epoch, seq, sentNs int64, ok bool) {
	i := bytes.Index(data, marker)
	if i < 0 {
		return 0, 0, 0, false
	}
	p := data[i+len(marker):]
	var n int
	if epoch, n, ok = parseInt(p); !ok {
		return
	}
	p = p[n:]
	if len(p) < 6 {
		return 0, 0, 0, false
	}
	if seq, n, ok = parseInt(p[6:]); !ok { // `,"_s":`
		return
	}
	p = p[6+n:]
	if len(p) < 6 {
		return 0, 0, 0, false
	}
	sentNs, _, ok = parseInt(p[6:]) // `,"_t":`
	return
}

func parseInt(p []byte) (v int64, n int, ok bool) {
	for n < len(p) && p[n] >= '0' && p[n] <= '9' {
		v = v*10 + int64(p[n]-'0')
		n++
	}
	return v, n, n > 0
}
