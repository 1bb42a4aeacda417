package core_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ssekit/ssekit/core"
)

// sickBroker is the memory broker with a health switch, standing in for a
// networked broker whose server went away (redisbackend tests the real
// one against a Redis it stops).
type sickBroker struct {
	*core.MemoryBroker
	down atomic.Bool
}

func (b *sickBroker) Healthy(ctx context.Context) error {
	if b.down.Load() {
		return errors.New("server unreachable")
	}
	return b.MemoryBroker.Healthy(ctx)
}

func probe(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(body))
}

func TestReadyFollowsBrokerHealthAndShutdown(t *testing.T) {
	b := &sickBroker{MemoryBroker: core.NewMemoryBroker(0, 0)}
	defer b.Close()
	hub := newHub(t, core.WithBroker(b), core.WithHeartbeat(0))
	mux := http.NewServeMux()
	mux.Handle("/readyz", core.NewReady(hub))
	mux.Handle("/healthz", core.NewLive())
	srv := httptest.NewServer(mux)
	defer srv.Close()

	if code, body := probe(t, srv.URL+"/readyz"); code != 200 || body != `{"status":"ready"}` {
		t.Fatalf("ready: %d %s", code, body)
	}
	b.down.Store(true)
	if code, body := probe(t, srv.URL+"/readyz"); code != 503 || !strings.Contains(body, "server unreachable") {
		t.Fatalf("broker down: %d %s", code, body)
	}
	if code, _ := probe(t, srv.URL+"/healthz"); code != 200 {
		t.Fatalf("liveness with the broker down: %d", code)
	}
	b.down.Store(false)
	if code, _ := probe(t, srv.URL+"/readyz"); code != 200 {
		t.Fatalf("broker back: %d", code)
	}
	if err := hub.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if code, body := probe(t, srv.URL+"/readyz"); code != 503 || !strings.Contains(body, "closed") {
		t.Fatalf("shutting down: %d %s", code, body)
	}
	if code, body := probe(t, srv.URL+"/healthz"); code != 200 || body != `{"status":"ok"}` {
		t.Fatalf("liveness after shutdown: %d %s", code, body)
	}
	resp, err := http.Post(srv.URL+"/readyz", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST /readyz: %d", resp.StatusCode)
	}
}

func TestMemoryBrokerHealthAndNoBrokerStats(t *testing.T) {
	hub := newHub(t)
	if err := hub.Ready(context.Background()); err != nil {
		t.Fatalf("fresh hub not ready: %v", err)
	}
	if _, ok := hub.BrokerStats(); ok {
		t.Fatal("the memory broker reports broker stats")
	}
	b := core.NewMemoryBroker(0, 0)
	b.Close()
	if err := b.Healthy(context.Background()); !errors.Is(err, core.ErrClosed) {
		t.Fatalf("closed memory broker healthy: %v", err)
	}
}
