package ext

import "github.com/ssekit/ssekit/core"

// HandlerFunc is a core.BrokerHandler that calls f for every message and
// reports no connections, for code that reads a broker without a hub (a
// broker's own tests, an audit log). Resets and gaps are ignored.
//
//	unsubscribe, err := broker.Subscribe(ext.HandlerFunc(func(m *core.Message) { log.Println(m.ID(), m.Event) }))
type HandlerFunc func(m *core.Message)

// Deliver calls f(m).
func (f HandlerFunc) Deliver(m *core.Message) { f(m) }

// Reset does nothing.
func (HandlerFunc) Reset(core.EventID, string) {}

// Gap does nothing.
func (HandlerFunc) Gap(string) {}

// Counts reports nothing.
func (HandlerFunc) Counts(...string) core.LocalCounts { return core.LocalCounts{} }
