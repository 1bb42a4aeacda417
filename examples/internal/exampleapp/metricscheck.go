package exampleapp

import (
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// checkMetrics scrapes /metrics with the Prometheus text parser after the
// contract's sequence (one stream opened and dropped by /admin/drop, two
// broadcasts; the demo publisher may have added ticks) and checks the
// figures.
func checkMetrics(t *testing.T, get func(path, wantType string) string) {
	t.Helper()
	scrape := func() map[string]*dto.MetricFamily {
		t.Helper()
		parser := expfmt.NewTextParser(model.UTF8Validation)
		mfs, err := parser.TextToMetricFamilies(strings.NewReader(get("/metrics", "text/plain")))
		if err != nil {
			t.Fatalf("/metrics does not parse: %v", err)
		}
		return mfs
	}
	// The dropped stream's client saw its end before the server finished
	// unregistering it: scrape until it has (bounded).
	mfs := scrape()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); mfs = scrape() {
		if g := mfs["ssekit_connections"]; g != nil && len(g.Metric) > 0 && g.Metric[0].GetGauge().GetValue() == 0 {
			break
		}
		<-time.After(20 * time.Millisecond) // polling with a deadline, not synchronizing
	}
	value := func(name string) float64 {
		mf := mfs[name]
		if mf == nil || len(mf.Metric) == 0 {
			t.Errorf("/metrics has no %s", name)
			return -1
		}
		m := mf.Metric[0]
		switch mf.GetType() {
		case dto.MetricType_COUNTER:
			return m.GetCounter().GetValue()
		case dto.MetricType_GAUGE:
			return m.GetGauge().GetValue()
		case dto.MetricType_HISTOGRAM:
			return float64(m.GetHistogram().GetSampleCount())
		}
		return -1
	}
	for name, want := range map[string]float64{
		"ssekit_connections":              0,
		"ssekit_connections_opened_total": 1,
		"ssekit_connections_closed_total": 1,
	} {
		if got := value(name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if got := value("ssekit_events_published_total"); got < 2 {
		t.Errorf("ssekit_events_published_total = %v, want at least the 2 broadcasts", got)
	}
	if got := value("ssekit_publish_duration_seconds"); got < 2 {
		t.Errorf("ssekit_publish_duration_seconds observed %v times", got)
	}
	if _, ok := mfs["go_goroutines"]; !ok {
		t.Error("/metrics lacks the Go runtime's figures")
	}
}
