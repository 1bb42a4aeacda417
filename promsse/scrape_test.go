package promsse_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/promsse"
	"github.com/ssekit/ssekit/ssetest"
)

// smallBuffers makes accepted connections' send buffers tiny, so a client
// that stops reading stalls its writer after kilobytes.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4096)
	}
	return c, err
}

// app is a hub with the exporter, its routes and /metrics on a real
// loopback server.
type app struct {
	hub *core.Hub
	srv *httptest.Server
}

func newApp(t *testing.T, exp *promsse.Exporter, opts ...core.HubOption) *app {
	t.Helper()
	hub, err := core.NewHub(append([]core.HubOption{core.WithObserver(exp), core.WithHeartbeat(0)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := exp.Watch(hub); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(exp)
	mux := http.NewServeMux()
	if err := core.Mount(mux, "/events", hub); err != nil {
		t.Fatal(err)
	}
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := httptest.NewUnstartedServer(mux)
	srv.Listener = smallBuffers{srv.Listener}
	srv.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hub.Shutdown(ctx)
		srv.Close()
	})
	return &app{hub: hub, srv: srv}
}

// scrape GETs /metrics and parses it with the Prometheus text parser.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("Content-Type %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return mfs
}

// value returns the value of the series of name with the given label pairs
// ("k=v"); histograms give their sample count.
func value(t *testing.T, mfs map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	t.Helper()
	mf := mfs[name]
	if mf == nil {
		t.Fatalf("metric %s not exported", name)
	}
next:
	for _, m := range mf.Metric {
		for _, l := range labels {
			k, v, _ := strings.Cut(l, "=")
			found := false
			for _, lp := range m.Label {
				found = found || (lp.GetName() == k && lp.GetValue() == v)
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	t.Fatalf("no series %s%v", name, labels)
	return 0
}

func expect(t *testing.T, mfs map[string]*dto.MetricFamily, want map[string]float64) {
	t.Helper()
	for key, w := range want {
		name, rest, _ := strings.Cut(key, "{")
		var labels []string
		if rest != "" {
			labels = strings.Split(strings.TrimSuffix(rest, "}"), ",")
		}
		if got := value(t, mfs, name, labels...); got != w {
			t.Errorf("%s = %v, want %v", key, got, w)
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-time.After(5 * time.Millisecond)
	}
}

func TestScrapeAfterKnownSequence(t *testing.T) {
	exp, err := promsse.New(promsse.Topics("orders", "quiet"))
	if err != nil {
		t.Fatal(err)
	}
	a := newApp(t, exp, core.WithQueueSize(4), core.WithMaxConnections(10), core.WithWriteTimeout(300*time.Millisecond))

	// Three streams read everything; one request asks for too many topics.
	var streams []*ssetest.Stream
	for range 3 {
		streams = append(streams, ssetest.Open(t, a.srv.URL+"/events?topic=orders", nil))
	}
	q := "topic=t0"
	for i := 1; i <= core.DefaultMaxTopics; i++ {
		q += fmt.Sprintf("&topic=t%d", i)
	}
	resp, err := http.Get(a.srv.URL + "/events?" + q)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("too many topics: status %d", resp.StatusCode)
	}
	// In lockstep, so that no reader falls 4 events behind.
	for i := range 5 {
		if _, err := a.hub.Publish(context.Background(), "orders", "order.created", i); err != nil {
			t.Fatal(err)
		}
		for _, s := range streams {
			if ev := s.Next(); ev.Name != "order.created" {
				t.Fatalf("got %+v", ev)
			}
		}
	}
	waitFor(t, "15 deliveries counted", func() bool { return a.hub.Stats().Delivered == 15 })
	mfs := scrape(t, a.srv.URL)
	expect(t, mfs, map[string]float64{
		"ssekit_connections":                        3,
		"ssekit_connections_limit":                  10,
		"ssekit_topic_connections{topic=orders}":    3,
		"ssekit_topic_connections{topic=quiet}":     0,
		"ssekit_connections_opened_total":           3,
		"ssekit_connections_closed_total":           0,
		"ssekit_events_published_total":             5,
		"ssekit_events_delivered_total":             15,
		"ssekit_connections_dropped_total":          0,
		"ssekit_rejected_total{reason=topics}":      1,
		"ssekit_rejected_total{reason=connections}": 0,
		"ssekit_publish_duration_seconds":           5,
		"ssekit_fanout_latency_seconds":             5,
		"ssekit_publish_errors_total":               0,
		"ssekit_panics_total":                       0,
	})
	if n := value(t, mfs, "ssekit_queue_wait_seconds"); n < 3 || n > 15 {
		t.Errorf("queue wait observed %v times for 15 deliveries to 3 streams", n)
	}
	if _, ok := mfs["ssekit_broker_up"]; ok {
		t.Error("broker metrics exported for the in-memory broker")
	}

	// A client that stops reading is dropped once its queue of 4 is full.
	slow, err := net.Dial("tcp", a.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	slow.(*net.TCPConn).SetReadBuffer(4096)
	fmt.Fprintf(slow, "GET /events?topic=slow HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
	waitFor(t, "the slow stream", func() bool { return a.hub.Count() == 4 })
	payload := []byte(strings.Repeat("x", 8<<10))
	k := 0
	for a.hub.Stats().Dropped == 0 {
		if k++; k > 5000 {
			t.Fatal("the stalled client was never dropped")
		}
		if _, err := a.hub.PublishRaw(context.Background(), "slow", "big", payload); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the slow stream gone", func() bool { return a.hub.Count() == 3 })
	mfs = scrape(t, a.srv.URL)
	expect(t, mfs, map[string]float64{
		"ssekit_connections":                                  3,
		"ssekit_connections_opened_total":                     4,
		"ssekit_connections_closed_total":                     1,
		"ssekit_connections_dropped_total{reason=queue_full}": 1,
		"ssekit_events_published_total":                       float64(5 + k),
		"ssekit_publish_duration_seconds":                     float64(5 + k),
		"ssekit_fanout_latency_seconds":                       float64(5 + k),
	})
	// What reached the stalled client before the drop is up to the kernel's
	// buffers: the fast streams' 15 and at most the k big events.
	if d := value(t, mfs, "ssekit_events_delivered_total"); d < 15 || d > float64(15+k) {
		t.Errorf("delivered %v, want 15..%d", d, 15+k)
	}
	t.Logf("slow client dropped after %d publishes of 8 KiB", k)
}
