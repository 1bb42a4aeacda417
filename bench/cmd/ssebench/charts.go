package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Charts drawn from the results with gonum/plot, as SVG files next to
// RESULTS.md. Every point is a median over runs; the whiskers span the
// min–max of the runs.

// chartFiles are the charts drawChart writes, by file name; the README
// shows the first two.
const (
	chartSaturation = "chart-saturation.svg"
	chartIdle       = "chart-idle-memory.svg"
	chartLatency    = "chart-latency.svg"
	chartB2         = "chart-saturation-inprocess.svg"
)

// drawCharts writes every chart the results have data for into dir and
// returns the files written.
func drawCharts(dir string, names []string, results []Result) ([]string, error) {
	tabs := collect(results)
	var wrote []string
	save := func(p *plot.Plot, file string, w vg.Length) error {
		path := filepath.Join(dir, file)
		if err := p.Save(w, 4*vg.Inch, path); err != nil {
			return fmt.Errorf("chart %s: %w", file, err)
		}
		wrote = append(wrote, path)
		return nil
	}
	if tb := tabs["B8"]; tb != nil {
		p := saturationChart(tb, "B8", "deliveries_per_s", names,
			"Saturation, events published over HTTP (16 in flight)")
		if err := save(p, chartSaturation, 7*vg.Inch); err != nil {
			return wrote, err
		}
	}
	if tb := tabs["B2"]; tb != nil {
		p := saturationChart(tb, "B2", "deliveries_per_s", names,
			"Saturation, published in process (credit window)")
		if err := save(p, chartB2, 7*vg.Inch); err != nil {
			return wrote, err
		}
	}
	if tb := idleTable(tabs); tb != nil {
		p, err := groupedBars(tb, "B0", "rss_kib_per_conn", names, "RSS per idle stream (after GC)", "KiB per stream")
		if err != nil {
			return wrote, err
		}
		if err := save(p, chartIdle, 8*vg.Inch); err != nil {
			return wrote, err
		}
	}
	if tb := tabs["B1"]; tb != nil {
		p, err := latencyChart(tb, names)
		if err != nil {
			return wrote, err
		}
		if err := save(p, chartLatency, 8*vg.Inch); err != nil {
			return wrote, err
		}
	}
	return wrote, nil
}

// subsOf reads the stream count at the start of a case name ("10k subs…").
func subsOf(cas string) float64 {
	f := strings.Fields(cas)
	if len(f) == 0 {
		return math.NaN()
	}
	s, mult := f[0], 1.0
	if t, ok := strings.CutSuffix(s, "k"); ok {
		s, mult = t, 1000
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return v * mult
}

// saturationChart draws metric against subscribers, one line per server.
func saturationChart(tb *table, scen, metric string, names []string, title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "subscribers"
	p.Y.Label.Text = "deliveries/s (median, whiskers min–max)"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Legend.Top, p.Legend.Left = true, true
	i := 0
	for _, srv := range names {
		var xy plotter.XYs
		var errs plotter.YErrors
		for _, cas := range tb.cases {
			s := tb.summary(scen, cas, srv, metric)
			x := subsOf(cas)
			if s.N == 0 || math.IsNaN(x) {
				continue
			}
			xy = append(xy, plotter.XY{X: x, Y: s.Median})
			errs = append(errs, struct{ Low, High float64 }{s.Median - s.Min, s.Max - s.Median})
		}
		if len(xy) == 0 {
			continue
		}
		slices.SortFunc(xy, func(a, b plotter.XY) int { return int(a.X - b.X) })
		line, points, err := plotter.NewLinePoints(xy)
		if err != nil {
			continue
		}
		c := plotutil.Color(i)
		line.Color, points.Color = c, c
		points.Shape = plotutil.Shape(i)
		p.Add(line, points)
		if eb, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{xy, errs}); err == nil {
			eb.Color = c
			p.Add(eb)
		}
		p.Legend.Add(srv, line, points)
		i++
	}
	p.Y.Min = 0
	p.Y.Max *= 1.3 // room for the legend
	p.Add(plotter.NewGrid())
	return p
}

// idleTable merges B0 and the adapters' idle rows (B7-B0) into one table.
func idleTable(tabs map[string]*table) *table {
	b0, b7 := tabs["B0"], tabs["B7-B0"]
	if b0 == nil && b7 == nil {
		return nil
	}
	out := &table{vals: map[key3]map[string][]float64{}}
	for _, t := range []*table{b0, b7} {
		if t == nil {
			continue
		}
		for k, v := range t.vals {
			out.vals[key3{"B0", k.cas, k.server}] = v
			if !contains(out.cases, k.cas) {
				out.cases = append(out.cases, k.cas)
			}
			if !contains(out.servers, k.server) {
				out.servers = append(out.servers, k.server)
			}
		}
	}
	slices.SortFunc(out.cases, func(a, b string) int { return int(subsOf(a) - subsOf(b)) })
	return out
}

// groupedBars draws one group of bars per server, one bar per case.
func groupedBars(tb *table, scen, metric string, names []string, title, ylabel string) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	var servers []string
	for _, s := range names {
		if contains(tb.servers, s) {
			servers = append(servers, s)
		}
	}
	w := vg.Points(14)
	for i, cas := range tb.cases {
		vals := make(plotter.Values, len(servers))
		for j, srv := range servers {
			if s := tb.summary(scen, cas, srv, metric); s.N > 0 {
				vals[j] = s.Median
			}
		}
		bars, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return nil, err
		}
		bars.LineStyle.Width = 0
		bars.Color = plotutil.Color(i)
		bars.Offset = w * vg.Length(2*i-len(tb.cases)+1) / 2
		p.Add(bars)
		p.Legend.Add(cas, bars)
	}
	p.Legend.Top = true
	p.NominalX(servers...)
	// Server names are long: slanted, they do not run into each other.
	p.X.Tick.Label.Rotation = math.Pi / 6
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YTop
	p.Y.Min = 0
	p.Y.Max *= 1.3 // room for the legend
	p.Add(plotter.NewGrid())
	return p, nil
}

// latencyChart draws p50 and p99 of every B1 case, grouped by server.
func latencyChart(tb *table, names []string) (*plot.Plot, error) {
	lat := &table{vals: map[key3]map[string][]float64{}, servers: tb.servers}
	for k, v := range tb.vals {
		for _, q := range []string{"p50", "p99"} {
			cas := q + " · " + k.cas
			lat.vals[key3{"B1", cas, k.server}] = map[string][]float64{"ms": v[q+"_ms"]}
			if !contains(lat.cases, cas) {
				lat.cases = append(lat.cases, cas)
			}
		}
	}
	slices.Sort(lat.cases)
	p, err := groupedBars(lat, "B1", "ms", names, "Broadcast latency percentiles (open loop)", "ms, publish → receive (median of runs)")
	if err != nil {
		return nil, err
	}
	return p, nil
}

// redrawFrom draws the charts, and writes the report when out is set, from
// a results JSON of an earlier run; it returns the exit code.
func redrawFrom(jsonPaths, out, dir, only string) int {
	var saved struct {
		Plan    Plan     `json:"plan"`
		Results []Result `json:"results"`
		Skipped []string `json:"skipped"`
	}
	// Several files (comma-separated) are read as one run: the first gives
	// the plan, a later one's results and notes are added.
	for i, path := range strings.Split(jsonPaths, ",") {
		b, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ssebench:", err)
			return 1
		}
		var one struct {
			Plan    Plan     `json:"plan"`
			Results []Result `json:"results"`
			Skipped []string `json:"skipped"`
		}
		if err := json.Unmarshal(b, &one); err != nil {
			fmt.Fprintf(os.Stderr, "ssebench: %s: %v\n", path, err)
			return 1
		}
		if i == 0 {
			saved.Plan = one.Plan
		}
		saved.Results = append(saved.Results, one.Results...)
		saved.Skipped = append(saved.Skipped, one.Skipped...)
	}
	saved.Skipped = slices.DeleteFunc(saved.Skipped, func(note string) bool { return redone(note, saved.Results) })
	names := orderServers(only)
	if out != "" && out != os.DevNull {
		if err := os.WriteFile(out, []byte(report(saved.Plan, names, saved.Results, saved.Skipped, 0)), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "ssebench:", err)
			return 1
		}
	}
	if dir == "" || dir == "-" {
		return 0
	}
	files, err := drawCharts(dir, names, saved.Results)
	fmt.Fprintln(os.Stderr, "charts:", files)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ssebench:", err)
		return 1
	}
	return 0
}

// redone reports whether a "run N server scenario…: error" note of one file
// is answered by results of another (the case was run again and measured).
func redone(note string, results []Result) bool {
	f := strings.Fields(note)
	if len(f) < 4 || f[0] != "run" {
		return false
	}
	run, err := strconv.Atoi(f[1])
	if err != nil {
		return false
	}
	scen := strings.TrimSuffix(f[3], ":")
	if scen == "B8" && len(b8Servers([]string{f[2]})) == 0 {
		return true // a server B8 no longer measures
	}
	return slices.ContainsFunc(results, func(r Result) bool { return r.Server == f[2] && r.Run == run && r.Scenario == scen })
}
