package redisbackend_test

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/ssekit/ssekit/redisbackend"
)

// startCluster starts a three-master Redis Cluster on loopback ports; the
// test's cleanup kills every node.
func startCluster(t *testing.T) []string {
	t.Helper()
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Fatalf("redis-cli not installed (run scripts/ensure-redis.sh): %v", err)
	}
	var addrs []string
	for range 3 {
		s := startRedis(t, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000")
		addrs = append(addrs, s.addr())
	}
	out, err := exec.Command(cli, append(append([]string{"--cluster", "create"}, addrs...), "--cluster-replicas", "0", "--cluster-yes")...).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, a := range addrs {
		err := waitFor(20*time.Second, func() error {
			c := redis.NewClient(&redis.Options{Addr: a, MaxRetries: -1})
			defer c.Close()
			info, err := c.ClusterInfo(context.Background()).Result()
			if err != nil {
				return err
			}
			if !strings.Contains(info, "cluster_state:ok") {
				return fmt.Errorf("node %s: cluster not ok yet", a)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return addrs
}

func newClusterClient(t *testing.T, addrs []string) *redis.ClusterClient {
	t.Helper()
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, ContextTimeoutEnabled: true, MaxRedirects: 3})
	t.Cleanup(func() { c.Close() })
	return c
}

func TestRedisClusterUsesShardedPubSub(t *testing.T) {
	addrs := startCluster(t)
	prefix := newPrefix()
	ctx := context.Background()
	instances := make([]*instance, 2)
	for i := range instances {
		b, err := redisbackend.NewFromClient(ctx, newClusterClient(t, addrs), redisbackend.WithPrefix(prefix),
			redisbackend.WithStats(100*time.Millisecond, time.Second))
		if err != nil {
			t.Fatal(err)
		}
		instances[i] = serve(t, b)
	}
	a, b := instances[0], instances[1]
	ca, cb := connect(t, a, "topic=c", ""), connect(t, b, "topic=c", "")

	// Both subscriptions are shard channel subscriptions on the node that
	// owns the prefix's hash slot, and none is a classic one.
	admin := newClusterClient(t, addrs)
	channel := "{" + prefix + "}:events"
	if err := waitFor(wait, func() error {
		n, err := admin.PubSubShardNumSub(ctx, channel).Result()
		if err != nil {
			return err
		}
		if n[channel] != 2 {
			return fmt.Errorf("SSUBSCRIBE count %v, want 2", n)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := admin.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		n, err := m.PubSubNumSub(ctx, channel).Result()
		if err == nil && n[channel] != 0 {
			return fmt.Errorf("node %s has %d classic subscribers", m.Options().Addr, n[channel])
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}

	var ids []string
	for n := range 5 {
		hub := a.hub
		if n%2 == 1 {
			hub = b.hub
		}
		id, err := hub.Publish(ctx, "c", "e", n)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for _, c := range []*client{ca, cb} {
		for _, id := range ids {
			if e := c.next(t, wait); e.ID != id {
				t.Fatalf("got %+v, want %s", e, id)
			}
		}
	}
	// Resume on the other instance, through the cluster.
	r := connect(t, b, "topic=c", ids[1])
	for _, id := range ids[2:] {
		if e := r.next(t, wait); e.ID != id {
			t.Fatalf("replay: got %+v, want %s", e, id)
		}
	}
	if err := waitFor(wait, func() error {
		cs, err := a.broker.ClusterStats(ctx)
		if err != nil {
			return err
		}
		if cs.Nodes != 2 || cs.Connections != 3 {
			return fmt.Errorf("cluster stats %+v", cs)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
