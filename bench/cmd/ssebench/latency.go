package main

import (
	"fmt"
	"strings"
)

// b1Goals checks issue 17's latency goals on every mount: B1's p99 at 1k
// streams × 40/s no worse than the naive hub's (raw-flush) in the same
// run, and, with detached streams, a 10k broadcast reaching its subscribers
// sooner (p99) than on the mount's goroutine path. Core's mounts are in
// B1, the adapters' in B7-B1.
func b1Goals(t map[string]*table) [][3]string {
	const one, ten = "1k subs @ 40/s", "10k subs @ 10/s"
	find := func(cas, m string) (*table, string) {
		for _, id := range []string{"B1", "B7-B1"} {
			if tb := t[id]; tb.summary(id, cas, m, "p99_ms").N > 0 {
				return tb, id
			}
		}
		return nil, ""
	}
	var out [][3]string
	naive, nid := find(one, "raw-flush")
	for _, m := range mounts {
		tb, id := find(one, m)
		if tb == nil || naive == nil {
			continue
		}
		s, r := tb.summary(id, one, m, "p99_ms"), naive.summary(nid, one, "raw-flush", "p99_ms")
		v := verdict("B1 @ "+one+": "+m+" p99 no worse than the naive hub's", r.Median/s.Median, 1,
			fmt.Sprintf("%s %.2f ms (%s) vs raw-flush %.2f ms (%s)", m, s.Median, spreadOf(tb, id, one, m, "p99_ms", 2), r.Median, spreadOf(naive, nid, one, "raw-flush", "p99_ms", 2)))
		if v[2] == "**missed**" && s.Min <= r.Max {
			v[2] = fmt.Sprintf("**missed** by %.0f %%, inside the run-to-run spread", 100*(s.Median/r.Median-1))
		}
		out = append(out, fewRuns(v, min(s.N, r.N)))
	}
	for _, m := range mounts {
		base, ok := strings.CutSuffix(m, "-detached")
		if !ok {
			continue
		}
		dt, did := find(ten, m)
		gt, gid := find(ten, base)
		if dt == nil || gt == nil {
			continue
		}
		d, g := dt.summary(did, ten, m, "p99_ms"), gt.summary(gid, ten, base, "p99_ms")
		v := verdict("B1 @ "+ten+": "+m+" reaches its subscribers sooner than "+base, g.Median/d.Median, 1,
			fmt.Sprintf("p99 %.1f ms (%s), max %.1f ms vs %.1f ms (%s), max %.1f ms", d.Median, spreadOf(dt, did, ten, m, "p99_ms", 1),
				dt.summary(did, ten, m, "max_ms").Median, g.Median, spreadOf(gt, gid, ten, base, "p99_ms", 1), gt.summary(gid, ten, base, "max_ms").Median))
		out = append(out, fewRuns(v, min(d.N, g.N)))
	}
	return out
}
