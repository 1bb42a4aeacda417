package redisbackend_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
	"github.com/ssekit/ssekit/redisbackend"
)

var statsOpts = []redisbackend.Option{redisbackend.WithStats(100*time.Millisecond, 600*time.Millisecond, "user_id")}

// TestHelperInstance is not a test: it is the second app instance of
// TestClusterStatsCountEveryInstanceAndForgetADeadOne, run in a child
// process so that it can be killed like a crashed server.
func TestHelperInstance(t *testing.T) {
	url, prefix := os.Getenv("SSEKIT_HELPER_REDIS"), os.Getenv("SSEKIT_HELPER_PREFIX")
	if url == "" {
		t.Skip("helper process only")
	}
	in := newInstance(t, url, prefix, statsOpts...)
	for _, q := range []string{"topic=a&user_id=1", "topic=b&user_id=1", "topic=b&user_id=2"} {
		connect(t, in, q, "")
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent kills us
}

func TestClusterStatsCountEveryInstanceAndForgetADeadOne(t *testing.T) {
	url, prefix := redisURL(t), newPrefix()
	a := newInstance(t, url, prefix, statsOpts...)
	connect(t, a, "topic=a&user_id=1", "")
	connect(t, a, "topic=a&user_id=3", "")

	child := exec.Command(os.Args[0], "-test.run=^TestHelperInstance$", "-test.count=1")
	child.Env = append(os.Environ(), "SSEKIT_HELPER_REDIS="+url, "SSEKIT_HELPER_PREFIX="+prefix)
	stdin, _ := child.StdinPipe()
	stdout, _ := child.StdoutPipe()
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = child.Wait(); close(exited) }()
	t.Cleanup(func() { _ = child.Process.Kill(); stdin.Close(); <-exited })
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "ready" {
				ready <- true
			}
		}
		close(ready)
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("helper instance exited before it was ready")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("helper instance not ready")
	}

	ctx := context.Background()
	expect := func(nodes, conns, topicB, user1 int) error {
		cs, err := a.broker.ClusterStats(ctx)
		if err != nil {
			return err
		}
		n, err := a.broker.ClusterCount(ctx, "user_id", "1")
		if err != nil {
			return err
		}
		if cs.Nodes != nodes || cs.Connections != conns || cs.Topics["b"] != topicB || n != user1 {
			return fmt.Errorf("cluster %+v, user 1 has %d; want %d nodes, %d connections, %d on b, user 1 on %d", cs, n, nodes, conns, topicB, user1)
		}
		return nil
	}
	if err := waitFor(10*time.Second, func() error { return expect(2, 5, 2, 3) }); err != nil {
		t.Fatal(err)
	}
	// The hub's local stats do no I/O; its ClusterStats (and so the stats
	// endpoint) carry the cluster figures.
	if s := a.hub.Stats(); s.Cluster != nil || s.Connections != 2 {
		t.Fatalf("hub stats %+v", s)
	}
	if cs, err := a.hub.ClusterStats(ctx); err != nil || cs == nil || cs.Connections != 5 {
		t.Fatalf("hub cluster stats %+v, %v", cs, err)
	}
	if _, err := a.broker.ClusterCount(ctx, "tenant", "x"); err == nil {
		t.Fatal("ClusterCount on an untracked key succeeded")
	}

	// Kill the other instance as a crash would: no goodbye, its figures
	// must age out.
	_ = child.Process.Kill()
	<-exited
	start := time.Now()
	if err := waitFor(10*time.Second, func() error { return expect(1, 2, 0, 1) }); err != nil {
		t.Fatal(err)
	}
	t.Logf("dead instance left the cluster figures after %v", time.Since(start).Round(10*time.Millisecond))
}

func TestAShutDownHubLeavesTheClusterFiguresAtOnce(t *testing.T) {
	url, prefix := redisURL(t), newPrefix()
	// A stats interval far longer than the test: only an unsubscribe can
	// update the figures in time.
	a := newInstance(t, url, prefix, redisbackend.WithStats(time.Minute, 2*time.Minute))
	b := newInstance(t, url, prefix, redisbackend.WithStats(time.Minute, 2*time.Minute))
	connect(t, b, "topic=a", "")
	ctx := context.Background()
	cs := func() int {
		s, err := a.broker.ClusterStats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s.Connections
	}
	// b wrote its figures when its hub subscribed, before the stream
	// opened; a reader that subscribes and leaves rewrites them now.
	unsub, err := b.broker.Subscribe(ext.HandlerFunc(func(*core.Message) {}))
	if err != nil {
		t.Fatal(err)
	}
	unsub()
	if n := cs(); n != 1 {
		t.Fatalf("cluster connections = %d, want 1", n)
	}
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := b.hub.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	if n := cs(); n != 0 {
		t.Fatalf("cluster connections after b's hub shut down = %d, want 0 at once", n)
	}
}
