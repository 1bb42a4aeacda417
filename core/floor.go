package core

import "slices"

// floor is a resumed connection's replay cursor: the replay has written
// every event up to it, so a live delivery at or below it is a duplicate.
// Live deliveries reach a connection in increasing id order, so once one
// passes the floor, the floor is done with. The connection's mutex guards
// it.
type floor struct {
	id EventID
	on bool
}

// set starts the floor at the replay's cursor and removes from queue what
// the replay already wrote; it returns the queue that is left.
func (f *floor) set(cursor EventID, queue []*Message) []*Message {
	f.id, f.on = cursor, true
	return slices.DeleteFunc(queue, f.covered)
}

// skip reports whether m was already written by the replay.
func (f *floor) skip(m *Message) bool {
	if !f.on {
		return false
	}
	if f.covered(m) {
		return true
	}
	if _, ok := m.EventID(); ok && !m.reset {
		f.on = false
	}
	return false
}

// covered reports whether the replay wrote m. A reset queued by the broker
// is never covered: it says the broker goes on from a new position, which
// the replay cannot have sent.
func (f *floor) covered(m *Message) bool {
	id, ok := m.EventID()
	return ok && !m.reset && id.Compare(f.id) <= 0
}
