package workload

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"strata/geo"
)

// digest hashes everything Generate yields for cfg and the three GeoJSON
// files WriteGeoJSON writes.
func digest(t testing.TB, cfg Config) string {
	t.Helper()
	h := sha256.New()
	err := Generate(cfg, func(f *geo.Feature) error {
		fmt.Fprintf(h, "%s|%s|%s|%s|%v|%s|%d|%d|%g|%v\n", f.ID, f.Layer, f.Name, f.Kind,
			f.Geometry, f.Properties, f.Valid.Start, f.Valid.End, f.PrecisionM, f.Sources)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range Layers {
		if err := WriteGeoJSON(h, cfg, l); err != nil {
			t.Fatal(err)
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestDeterminism(t *testing.T) {
	base := Config{Points: 500, Polygons: 50, Lines: 20, Seed: 1}
	tests := []struct {
		name string
		a, b Config
		same bool
	}{
		{"same seed", base, base, true},
		{"default seed", Config{Points: 300, Polygons: 30, Lines: 10, Seed: DefaultSeed}, Config{Points: 300, Polygons: 30, Lines: 10, Seed: DefaultSeed}, true},
		{"different seed", base, Config{Points: 500, Polygons: 50, Lines: 20, Seed: 2}, false},
		{"seeds 0 and 1", Config{Points: 10, Seed: 0}, Config{Points: 10, Seed: 1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := digest(t, tt.a) == digest(t, tt.b); got != tt.same {
				t.Errorf("outputs equal = %v, want %v", got, tt.same)
			}
		})
	}
}

// TestLayersIndependent checks that a layer does not depend on the sizes
// of the others, so WriteGeoJSON of one layer matches Generate.
func TestLayersIndependent(t *testing.T) {
	var a, b bytes.Buffer
	if err := WriteGeoJSON(&a, Config{Points: 0, Polygons: 20, Lines: 0, Seed: 5}, "polygons"); err != nil {
		t.Fatal(err)
	}
	if err := WriteGeoJSON(&b, Config{Points: 1000, Polygons: 20, Lines: 7, Seed: 5}, "polygons"); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the polygons layer changed with the number of points and lines")
	}
}

func TestCounts(t *testing.T) {
	tests := []Config{
		{},
		{Points: 1},
		{Polygons: 3},
		{Lines: 2},
		{Points: 1234, Polygons: 56, Lines: 7, Seed: 9},
	}
	for _, cfg := range tests {
		t.Run(fmt.Sprintf("%d-%d-%d", cfg.Points, cfg.Polygons, cfg.Lines), func(t *testing.T) {
			got := map[string]int{}
			var order []string
			err := Generate(cfg, func(f *geo.Feature) error {
				if len(order) == 0 || order[len(order)-1] != f.Layer {
					order = append(order, f.Layer)
				}
				got[f.Layer]++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int{"points": cfg.Points, "polygons": cfg.Polygons, "lines": cfg.Lines}
			for l, n := range want {
				if got[l] != n {
					t.Errorf("%s: %d features, want %d", l, got[l], n)
				}
				if n == 0 {
					delete(want, l)
				}
			}
			var wantOrder []string
			for _, l := range Layers {
				if want[l] > 0 {
					wantOrder = append(wantOrder, l)
				}
			}
			if !slices.Equal(order, wantOrder) {
				t.Errorf("layer order %v, want %v", order, wantOrder)
			}
			for _, l := range Layers {
				var buf bytes.Buffer
				if err := WriteGeoJSON(&buf, cfg, l); err != nil {
					t.Fatal(err)
				}
				fc, err := geojson.UnmarshalFeatureCollection(buf.Bytes())
				if err != nil {
					t.Fatalf("%s: %v", l, err)
				}
				if len(fc.Features) != want[l] {
					t.Errorf("%s: GeoJSON has %d features, want %d", l, len(fc.Features), want[l])
				}
			}
		})
	}
}

func TestErrors(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := Generate(Config{Points: 100, Lines: 5}, func(*geo.Feature) error {
		n++
		if n == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 10 {
		t.Errorf("Generate stopped by fn: err %v after %d features, want %v after 10", err, n, stop)
	}
	tests := []struct {
		name  string
		cfg   Config
		layer string
	}{
		{"unknown layer", Config{Points: 1}, "roads"},
		{"empty layer", Config{Points: 1}, ""},
		{"negative points", Config{Points: -1}, "points"},
		{"negative lines", Config{Lines: -1}, "points"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := WriteGeoJSON(io.Discard, tt.cfg, tt.layer); err == nil {
				t.Error("WriteGeoJSON: no error")
			}
		})
	}
	if err := Generate(Config{Polygons: -2}, func(*geo.Feature) error { return nil }); err == nil {
		t.Error("Generate with a negative count: no error")
	}
	if err := WriteGeoJSON(failWriter{}, Config{Points: 10000}, "points"); err == nil {
		t.Error("WriteGeoJSON to a failing writer: no error")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func inBox(p orb.Point) bool {
	return p[0] >= lon0 && p[0] <= lon1 && p[1] >= lat0 && p[1] <= lat1
}

func rounded6(v float64) bool { return math.Round(v*1e6)/1e6 == v }

// TestDistribution checks the default workload against gen.py's rules.
func TestDistribution(t *testing.T) {
	if testing.Short() {
		t.Skip("generates the full default workload")
	}
	kinds := map[string][]string{"points": pointKinds, "polygons": polygonKinds, "lines": lineKinds}
	var (
		n, open, closed, nearTown, clustered, points int
		sumDays                                      float64
		ids                                          = map[string]bool{}
		first                                        *geo.Source
	)
	start, end := geo.Millis(day0), geo.Millis(day1)
	err := Generate(Default(), func(f *geo.Feature) error {
		n++
		if err := f.Validate(); err != nil {
			return fmt.Errorf("feature %s/%s: %v", f.Layer, f.ID, err)
		}
		key := f.Layer + "/" + f.ID
		if ids[key] {
			return fmt.Errorf("duplicate id %s", key)
		}
		ids[key] = true
		if !slices.Contains(kinds[f.Layer], f.Kind) {
			return fmt.Errorf("feature %s: kind %q is not a %s kind", key, f.Kind, f.Layer)
		}
		if first == nil {
			first = &f.Sources[0]
		} else if len(f.Sources) != 1 || &f.Sources[0] != first {
			return fmt.Errorf("feature %s does not share the one Sources slice", key)
		}
		if f.PrecisionM != 0 {
			return fmt.Errorf("feature %s: precision %g", key, f.PrecisionM)
		}
		var props struct {
			ID         json.Number
			Name, Kind string
		}
		if err := json.Unmarshal(f.Properties, &props); err != nil {
			return fmt.Errorf("feature %s: properties %s: %v", key, f.Properties, err)
		}
		if props.Name != f.Name || props.Kind != f.Kind || props.ID.String() != f.ID {
			return fmt.Errorf("feature %s: properties %s do not match name %q kind %q", key, f.Properties, f.Name, f.Kind)
		}
		if !strings.HasPrefix(f.Name, f.Kind+" ") {
			return fmt.Errorf("feature %s: name %q does not start with its kind", key, f.Name)
		}
		for _, p := range positions(f.Geometry) {
			if !inBox(p) || !rounded6(p[0]) || !rounded6(p[1]) {
				return fmt.Errorf("feature %s: position %v is outside the box or not rounded to 6 decimals", key, p)
			}
		}
		switch g := f.Geometry.(type) {
		case orb.Point:
			points++
			for _, tw := range towns {
				if math.Hypot(g[0]-tw.lon, g[1]-tw.lat) <= 3*tw.sigma {
					nearTown++
					break
				}
			}
			if strings.Contains(f.Name, " near ") {
				clustered++
			}
		case orb.Polygon:
			if len(g) != 1 || len(g[0]) < 7 || len(g[0]) > 17 {
				return fmt.Errorf("feature %s: polygon of %d rings, %d positions", key, len(g), len(g[0]))
			}
		case orb.LineString:
			if len(g) < 5 || len(g) > 60 {
				return fmt.Errorf("feature %s: line of %d positions", key, len(g))
			}
		default:
			return fmt.Errorf("feature %s: unexpected geometry %T", key, g)
		}
		if f.Valid.Start < start || f.Valid.Start >= end || f.Valid.Start%geo.DayMillis != 0 {
			return fmt.Errorf("feature %s: start %s outside %s..%s", key, geo.FormatBound(f.Valid.Start), day0, day1)
		}
		if f.Valid.IsOpenEnd() {
			open++
			return nil
		}
		if f.Valid.End <= f.Valid.Start || f.Valid.End > end || f.Valid.End%geo.DayMillis != 0 {
			return fmt.Errorf("feature %s: bad valid time %v", key, f.Valid)
		}
		closed++
		sumDays += float64(f.Valid.End-f.Valid.Start) / float64(geo.DayMillis)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := 202_500; n != want {
		t.Errorf("%d features, want %d", n, want)
	}
	checks := []struct {
		name     string
		got      float64
		min, max float64
	}{
		// 5% open; the standard error over 202,500 draws is 0.05%.
		{"open-ended share", float64(open) / float64(n), 0.047, 0.053},
		// 1 + floor(Exp(60)) has mean 60.5; cutting at 2026-06-30 takes
		// off about 60*60/1003 = 3.6 days.
		{"mean duration in days", sumDays / float64(closed), 55, 59},
		// 60% clustered, 98.9% of them within 3 sigma, plus uniform points
		// that fall near a town (about 16% of the box).
		{"share of points within 3 sigma of a town", float64(nearTown) / float64(points), 0.6 - 0.01, 0.72},
		{"share of points drawn around a town", float64(clustered) / float64(points), 0.595, 0.605},
	}
	for _, c := range checks {
		if c.got < c.min || c.got > c.max {
			t.Errorf("%s = %.4f, want within [%g, %g]", c.name, c.got, c.min, c.max)
		} else {
			t.Logf("%s = %.4f", c.name, c.got)
		}
	}
}

func positions(g orb.Geometry) []orb.Point {
	switch g := g.(type) {
	case orb.Point:
		return []orb.Point{g}
	case orb.LineString:
		return g
	case orb.Polygon:
		var ps []orb.Point
		for _, r := range g {
			ps = append(ps, r...)
		}
		return ps
	}
	return nil
}

// TestWriteGeoJSONMatchesGenerate decodes the GeoJSON files with orb and
// compares them with Generate's features, one by one.
func TestWriteGeoJSONMatchesGenerate(t *testing.T) {
	cfg := Config{Points: 2000, Polygons: 200, Lines: 50, Seed: 42}
	byLayer := map[string][]*geo.Feature{}
	if err := Generate(cfg, func(f *geo.Feature) error {
		byLayer[f.Layer] = append(byLayer[f.Layer], f)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, l := range Layers {
		t.Run(l, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteGeoJSON(&buf, cfg, l); err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(buf.Bytes(), []byte("{\"type\":\"FeatureCollection\",\"features\":[\n")) || !bytes.HasSuffix(buf.Bytes(), []byte("\n]}\n")) {
				t.Errorf("GeoJSON does not have gen.py's framing")
			}
			fc, err := geojson.UnmarshalFeatureCollection(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			want := byLayer[l]
			if len(fc.Features) != len(want) {
				t.Fatalf("%d features, want %d", len(fc.Features), len(want))
			}
			for i, gf := range fc.Features {
				f := want[i]
				if id := strconv.FormatFloat(gf.ID.(float64), 'f', -1, 64); id != f.ID {
					t.Fatalf("feature %d: id %s, want %s", i, id, f.ID)
				}
				if !orb.Equal(gf.Geometry, f.Geometry) {
					t.Fatalf("feature %s: geometry %v, want %v", f.ID, gf.Geometry, f.Geometry)
				}
				p := gf.Properties
				to, _ := p["valid_to"].(string)
				iv, err := geo.ParseValidTime("test", p.MustString("valid_from"), to)
				if err != nil {
					t.Fatal(err)
				}
				if p.MustString("name") != f.Name || p.MustString("kind") != f.Kind || iv != f.Valid || p.MustFloat64("id") != gf.ID {
					t.Fatalf("feature %s: properties %v, want name %q kind %q valid %v", f.ID, p, f.Name, f.Kind, f.Valid)
				}
				if _, ok := p["valid_to"]; !ok {
					t.Fatalf("feature %s has no valid_to member", f.ID)
				}
			}
		})
	}
}

var benchConfig = Config{Points: 20_000, Polygons: 200, Lines: 50, Seed: DefaultSeed}

func BenchmarkGenerate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if err := Generate(benchConfig, func(*geo.Feature) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(benchConfig.Points+benchConfig.Polygons+benchConfig.Lines), "ns/feature")
}

func BenchmarkWriteGeoJSON(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range Layers {
			if err := WriteGeoJSON(io.Discard, benchConfig, l); err != nil {
				b.Fatal(err)
			}
		}
	}
}
