package redisbackend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/ssekit/ssekit/core"
)

// ErrNotTracked is returned by ClusterCount for a metadata key that was not
// named in WithStats.
var ErrNotTracked = errors.New("redisbackend: metadata key not tracked")

// nodeStats is what one instance writes to Redis on every stats interval.
type nodeStats struct {
	Connections int                       `json:"connections"`
	Topics      map[string]int            `json:"topics,omitempty"`
	Meta        map[string]map[string]int `json:"meta,omitempty"`
}

// writeNodeScript stores one instance's figures with a TTL, indexes it in
// the set of instances (scored by expiry, in Redis's clock) and removes
// instances whose figures have expired.
//
//	KEYS[1] nodes (sorted set)   KEYS[2] this node's key
//	ARGV[1] node id   ARGV[2] figures (JSON)   ARGV[3] TTL in ms
var writeNodeScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ttl)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`)

// shareStats writes the attached hubs' figures on every stats interval
// until Close.
func (b *Broker) shareStats() {
	defer b.wg.Done()
	t := time.NewTicker(b.cfg.statsInterval)
	defer t.Stop()
	for {
		b.writeStats()
		select {
		case <-b.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// writeStats counts and writes under statsMu, so that writes land in the
// order their figures were taken: a stale count never overwrites a fresh
// one.
func (b *Broker) writeStats() {
	b.statsMu.Lock()
	defer b.statsMu.Unlock()
	body, err := json.Marshal(b.localStats())
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, b.cfg.publishTimeout)
	defer cancel()
	err = writeNodeScript.Run(ctx, b.client, []string{b.keys.nodes, b.keys.nodePrefix + b.nodeID},
		b.nodeID, body, strconv.FormatInt(b.cfg.statsTTL.Milliseconds(), 10)).Err()
	if err != nil && b.ctx.Err() == nil {
		b.cfg.log.Warn("redisbackend: write cluster stats", "err", err)
	}
}

// localStats sums the subscribed hubs' counts.
func (b *Broker) localStats() nodeStats {
	s := nodeStats{Topics: map[string]int{}}
	if len(b.cfg.statsKeys) > 0 {
		s.Meta = make(map[string]map[string]int, len(b.cfg.statsKeys))
		for _, k := range b.cfg.statsKeys {
			s.Meta[k] = map[string]int{}
		}
	}
	for _, h := range b.handlers() {
		lc := h.Counts(b.cfg.statsKeys...)
		s.Connections += lc.Connections
		for t, n := range lc.Topics {
			s.Topics[t] += n
		}
		for k, vs := range lc.Meta {
			for v, n := range vs {
				s.Meta[k][v] += n
			}
		}
	}
	return s
}

// leaveCluster removes this instance's figures at Close.
func (b *Broker) leaveCluster() {
	b.hubMu.Lock()
	started := b.statsStarted
	b.hubMu.Unlock()
	if !started {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.cfg.publishTimeout)
	defer cancel()
	pipe := b.client.TxPipeline()
	pipe.ZRem(ctx, b.keys.nodes, b.nodeID)
	pipe.Del(ctx, b.keys.nodePrefix+b.nodeID)
	_, _ = pipe.Exec(ctx)
}

// nodes reads the figures of every live instance.
func (b *Broker) nodes(ctx context.Context) ([]nodeStats, error) {
	ids, err := b.client.ZRange(ctx, b.keys.nodes, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("redisbackend: cluster stats: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	ks := make([]string, len(ids))
	for i, id := range ids {
		ks[i] = b.keys.nodePrefix + id
	}
	vals, err := b.client.MGet(ctx, ks...).Result()
	if err != nil {
		return nil, fmt.Errorf("redisbackend: cluster stats: %w", err)
	}
	out := make([]nodeStats, 0, len(vals))
	for _, v := range vals {
		s, ok := v.(string)
		if !ok {
			continue // expired: the instance is gone
		}
		var n nodeStats
		if json.Unmarshal([]byte(s), &n) == nil {
			out = append(out, n)
		}
	}
	return out, nil
}

// ClusterStats implements core.ClusterStatser: connections and topic
// subscribers summed over every instance whose figures have not expired,
// as of each instance's last write (at most one stats interval old).
func (b *Broker) ClusterStats(ctx context.Context) (*core.ClusterStats, error) {
	ns, err := b.nodes(ctx)
	if err != nil {
		return nil, err
	}
	cs := &core.ClusterStats{Nodes: len(ns), Topics: map[string]int{}}
	for _, n := range ns {
		cs.Connections += n.Connections
		for t, c := range n.Topics {
			cs.Topics[t] += c
		}
	}
	return cs, nil
}

// ClusterCount returns how many connections on every live instance have
// metadata key set to value, such as the connections of user 123:
//
//	n, err := b.ClusterCount(ctx, "user_id", "123")
//
// key must be one of the keys given to WithStats, else the error wraps
// ErrNotTracked.
func (b *Broker) ClusterCount(ctx context.Context, key, value string) (int, error) {
	if !slices.Contains(b.cfg.statsKeys, key) {
		return 0, fmt.Errorf("%w: %q (name it in WithStats)", ErrNotTracked, key)
	}
	ns, err := b.nodes(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, n := range ns {
		total += n.Meta[key][value]
	}
	return total, nil
}
