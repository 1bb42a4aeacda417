package core

// Match is a metadata filter: a connection matches when its metadata holds
// every key of the Match with the same value. An empty Match matches every
// connection.
//
//	hub.Publish(ctx, "scores", "goal", goal, core.Where(core.Match{"channel": "sports"}))
type Match map[string]string

// Matches reports whether meta holds every pair of m.
func (m Match) Matches(meta map[string]string) bool {
	for k, v := range m {
		if got, ok := meta[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// rules are a stream's own acceptance rules (an allow-list of event names
// and predicates over the envelope), evaluated before a frame is queued.
type rules struct {
	allow map[string]struct{}
	preds []func(*Envelope) bool
}

func (r *rules) accepts(m *Message) bool {
	if r == nil {
		return true
	}
	if r.allow != nil {
		if _, ok := r.allow[m.Event]; !ok {
			return false
		}
	}
	if len(r.preds) > 0 {
		env := m.Envelope()
		for _, p := range r.preds {
			if !p(env) {
				return false
			}
		}
	}
	return true
}
