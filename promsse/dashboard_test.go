package promsse_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/ssekit/ssekit/promsse"
)

// exported returns the names of every metric the exporter describes.
func exported(t *testing.T) map[string]bool {
	t.Helper()
	exp, err := promsse.New()
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan *prometheus.Desc, 64)
	go func() { exp.Describe(ch); close(ch) }()
	fq := regexp.MustCompile(`fqName: "([^"]+)"`)
	names := map[string]bool{}
	for d := range ch {
		m := fq.FindStringSubmatch(d.String())
		if m == nil {
			t.Fatalf("no name in %s", d)
		}
		names[m[1]] = true
	}
	return names
}

// TestGrafanaDashboardQueriesExportedMetrics loads docs/grafana-dashboard.json
// and checks that every query (and template variable query) names at least
// one metric and only metrics the exporter exports.
func TestGrafanaDashboardQueriesExportedMetrics(t *testing.T) {
	raw, err := os.ReadFile("../docs/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Type  string `json:"type"`
				Query any    `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("dashboard is not valid JSON: %v", err)
	}
	names := exported(t)
	metric := regexp.MustCompile(`\bssekit_[a-z_]+`)
	check := func(where, expr string) {
		found := metric.FindAllString(expr, -1)
		if len(found) == 0 {
			t.Errorf("%s: query %q names no ssekit metric", where, expr)
		}
		for _, m := range found {
			base := m
			for _, suf := range []string{"_bucket", "_sum", "_count"} {
				if b, ok := strings.CutSuffix(m, suf); ok && names[b] {
					base = b
				}
			}
			if !names[base] {
				t.Errorf("%s: %s is not exported", where, m)
			}
		}
	}
	queries := 0
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			check("panel "+p.Title, tg.Expr)
			queries++
		}
	}
	for _, v := range dash.Templating.List {
		if q, ok := v.Query.(string); ok && v.Type == "query" {
			check("variable", q)
		}
	}
	if queries < 5 {
		t.Fatalf("only %d queries in the dashboard", queries)
	}
}
