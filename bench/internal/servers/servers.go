// Package servers holds every server under test behind one interface, so the
// load generator drives ssekit, its peers and the raw baselines the same way.
// A new contender (an adapter, a Redis-backed hub) is one more entry in
// Registry.
package servers

import (
	"fmt"
	"net"
	"sort"
	"strconv"
	"sync/atomic"
	"time"
)

// Server is one SSE implementation under test.
type Server interface {
	// Serve accepts stream connections on ln until Close.
	Serve(ln net.Listener) error
	// Path is the request path of a stream, %s standing for the topic.
	Path() string
	// Prepare makes sure the topics exist before anyone subscribes or publishes.
	Prepare(topics []string)
	// Publish sends one event named ctl.EventName whose user data is payload
	// (a JSON object) to every subscriber of topic. It may block when the
	// implementation applies backpressure to the publisher.
	Publish(topic string, payload []byte) error
	// Close stops the server and ends every stream.
	Close()
}

// Options are the settings every implementation receives.
type Options struct {
	// QueueSize is the per-connection queue, for implementations that have one.
	QueueSize int
	// MaxConnections is the connection limit, for implementations that have one.
	MaxConnections int
	// Heartbeat is the idle heartbeat interval, for implementations that have one.
	Heartbeat time.Duration
	// Instance and Peers configure multi-instance backends (B6): this
	// instance's index and the shared backend address.
	Instance int
	Backend  string
}

// Registry maps a server name to its constructor.
var Registry = map[string]func(Options) (Server, error){}

// Describe is a one-line description of each registered server, for reports.
var Describe = map[string]string{}

func register(name, desc string, f func(Options) (Server, error)) {
	Registry[name] = f
	Describe[name] = desc
}

// Names lists the registered servers in a stable order.
func Names() []string {
	var n []string
	for k := range Registry {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// New builds the named server.
func New(name string, o Options) (Server, error) {
	f, ok := Registry[name]
	if !ok {
		return nil, fmt.Errorf("servers: unknown server %q (have %v)", name, Names())
	}
	return f(o)
}

// envelope mimics the JSON envelope ssekit writes as data (same keys, same
// lengths), so that peers and baselines put the same bytes on the wire.
type envelope struct {
	seq atomic.Uint64
}

// Producer is the producer name every emulated envelope carries.
const Producer = "bench"

func (e *envelope) next() string {
	s := e.seq.Add(1)
	b := strconv.AppendInt(nil, time.Now().UnixMilli(), 10)
	b = append(b, '-')
	return string(strconv.AppendUint(b, s%1000, 10))
}

func (e *envelope) appendData(dst []byte, id, event, topic string, payload []byte) []byte {
	dst = append(dst, `{"id":"`...)
	dst = append(dst, id...)
	dst = append(dst, `","event":"`...)
	dst = append(dst, event...)
	dst = append(dst, `","occurred_at":"`...)
	dst = time.Now().UTC().AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","data":`...)
	dst = append(dst, payload...)
	dst = append(dst, `,"meta":{"topic":"`...)
	dst = append(dst, topic...)
	dst = append(dst, `","producer":"`+Producer+`","trace_id":"`...)
	dst = append(dst, id...)
	return append(dst, `"}}`...)
}

// appendFrame writes a whole SSE event: id, event and one data line.
func appendFrame(dst []byte, id, event string, data []byte) []byte {
	dst = append(dst, "id: "...)
	dst = append(dst, id...)
	dst = append(dst, "\nevent: "...)
	dst = append(dst, event...)
	dst = append(dst, "\ndata: "...)
	dst = append(dst, data...)
	return append(dst, "\n\n"...)
}
