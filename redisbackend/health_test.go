package redisbackend_test

import (
	"context"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/redisbackend"
)

// readyWithin waits until hub.Ready returns nil (want true) or an error
// (want false), failing the test after d.
func readyWithin(t *testing.T, hub *core.Hub, want bool, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := hub.Ready(ctx)
		cancel()
		if (err == nil) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("hub ready = %v (err %v) after %v, want %v", err == nil, err, d, want)
		}
		<-tick.C
	}
}

func TestReadinessFollowsRedis(t *testing.T) {
	srv := startRedis(t)
	in := newInstance(t, srv.url(), newPrefix(), fastReconnect...)
	readyWithin(t, in.hub, true, 10*time.Second)
	if s := in.broker.Stats(); !s.Subscribed {
		t.Fatalf("ready but not subscribed: %+v", s)
	}
	srv.kill()
	readyWithin(t, in.hub, false, 10*time.Second)
	if _, err := in.hub.Publish(context.Background(), "r", "e", 1); err == nil {
		t.Fatal("publish succeeded while the readiness check said Redis was down")
	}
	srv.restart(t)
	readyWithin(t, in.hub, true, 10*time.Second)
	if _, err := in.hub.Publish(context.Background(), "r", "e", 1); err != nil {
		t.Fatalf("ready again but publish fails: %v", err)
	}
	if s, ok := in.hub.BrokerStats(); !ok || s.Reconnects == 0 || s.PublishErrors == 0 {
		t.Fatalf("hub.BrokerStats after an outage: %+v, %v", s, ok)
	}
}

func TestLagIsMeasuredPerReceivedEvent(t *testing.T) {
	in := newInstance(t, redisURL(t), newPrefix())
	c := connect(t, in, "topic=r", "")
	if s := in.broker.Stats(); s.Lag != 0 {
		t.Fatalf("lag %v before any event", s.Lag)
	}
	id, err := in.hub.Publish(context.Background(), "r", "e", 1)
	if err != nil {
		t.Fatal(err)
	}
	if e := c.next(t, wait); e.ID != id {
		t.Fatalf("got %+v", e)
	}
	// Redis's clock and ours agree on one machine to well under a minute.
	if s := in.broker.Stats(); s.Received != 1 || s.Lag > time.Minute {
		t.Fatalf("stats %+v", s)
	}
}

type traceKey struct{}

func TestTraceIDFromContextCrossesInstances(t *testing.T) {
	url, prefix := redisURL(t), newPrefix()
	newBroker := func() *redisbackend.Broker {
		b, err := redisbackend.New(context.Background(), url, redisbackend.WithPrefix(prefix))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	t.Cleanup(func() { dropKeys(url, prefix) })
	a := serveWith(t, newBroker(), core.WithTraceIDFrom(func(ctx context.Context) string {
		s, _ := ctx.Value(traceKey{}).(string)
		return s
	}))
	b := serveWith(t, newBroker())
	c := connect(t, b, "topic=r", "")
	const trace = "0af7651916cd43dd8448eb211c80319c"
	ctx := context.WithValue(context.Background(), traceKey{}, trace)
	id, err := a.hub.Publish(ctx, "r", "e", 1)
	if err != nil {
		t.Fatal(err)
	}
	e := c.next(t, wait)
	if env := e.envelope(t); e.ID != id || env.Meta[core.MetaTraceID] != trace {
		t.Fatalf("on the other instance: id %s trace_id %q, want %s %q", e.ID, env.Meta[core.MetaTraceID], id, trace)
	}
}
