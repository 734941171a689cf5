package geo_test

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"strata/geo"
)

func TestValidateGeometry(t *testing.T) {
	ring := orb.Ring{{34, 31}, {35, 31}, {35, 32}, {34, 31}}
	cases := []struct {
		name string
		g    orb.Geometry
		want string // "" for valid
	}{
		{"point", orb.Point{34, 31}, ""},
		{"edge of the world", orb.Point{180, -90}, ""},
		{"polygon", orb.Polygon{ring}, ""},
		{"multipolygon", orb.MultiPolygon{{ring}}, ""},
		{"line", orb.LineString{{34, 31}, {35, 32}}, ""},
		{"multiline", orb.MultiLineString{{{34, 31}, {35, 32}}}, ""},
		{"multipoint", orb.MultiPoint{{34, 31}}, ""},
		{"collection", orb.Collection{orb.Point{1, 1}, orb.LineString{{1, 1}, {2, 2}}}, ""},
		{"nil", nil, "missing"},
		{"NaN", orb.Point{math.NaN(), 31}, "finite"},
		{"Inf", orb.Point{34, math.Inf(1)}, "finite"},
		{"lon 181", orb.Point{181, 31}, "outside"},
		{"lat -91", orb.Point{34, -91}, "outside"},
		{"short line", orb.LineString{{34, 31}}, "at least 2"},
		{"empty multipoint", orb.MultiPoint{}, "no points"},
		{"empty multiline", orb.MultiLineString{}, "no lines"},
		{"empty polygon", orb.Polygon{}, "no rings"},
		{"empty multipolygon", orb.MultiPolygon{}, "no polygons"},
		{"empty collection", orb.Collection{}, "no geometries"},
		{"open ring", orb.Polygon{{{34, 31}, {35, 31}, {35, 32}, {34, 32}}}, "not closed"},
		{"short ring", orb.Polygon{{{34, 31}, {35, 31}, {34, 31}}}, "at least 4"},
		{"bad hole", orb.Polygon{ring, {{34, 31}}}, "ring 1"},
		{"bad part", orb.MultiLineString{{{34, 31}, {35, 32}}, {{1, 1}}}, "at least 2"},
		{"bound", orb.Bound{}, "not supported"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := geo.ValidateGeometry(c.g)
			if c.want == "" {
				if err != nil {
					t.Errorf("unexpected error %v", err)
				}
				return
			}
			if !errors.Is(err, geo.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %v, want ErrInvalid containing %q", err, c.want)
			}
		})
	}
}

func TestFeatureAndLayerValidate(t *testing.T) {
	good := geo.Feature{ID: "a-1.b_c~", Geometry: orb.Point{1, 1}, PrecisionM: 10, Sources: []geo.Source{{Title: "S"}}, Properties: json.RawMessage(`{}`)}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := map[string]func(f *geo.Feature){
		"id":          func(f *geo.Feature) { f.ID = "" },
		"id chars":    func(f *geo.Feature) { f.ID = "a/b" },
		"long id":     func(f *geo.Feature) { f.ID = strings.Repeat("a", 129) },
		"precision_m": func(f *geo.Feature) { f.PrecisionM = math.NaN() },
		"negative":    func(f *geo.Feature) { f.PrecisionM = -1 },
		"sources":     func(f *geo.Feature) { f.Sources = nil },
		"title":       func(f *geo.Feature) { f.Sources = []geo.Source{{URL: "https://x"}} },
		"geometry":    func(f *geo.Feature) { f.Geometry = nil },
	}
	for name, mutate := range bad {
		f := good
		mutate(&f)
		if err := f.Validate(); !errors.Is(err, geo.ErrInvalid) {
			t.Errorf("%s: error = %v, want ErrInvalid", name, err)
		}
	}
	l := geo.Layer{ID: "towns", Title: "Towns", Kind: geo.KindPoint}
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]geo.Layer{"id": {ID: "", Title: "x", Kind: geo.KindPoint}, "title": {ID: "x", Kind: geo.KindPoint}, "kind": {ID: "x", Title: "x", Kind: "circle"}} {
		if err := m.Validate(); !errors.Is(err, geo.ErrInvalid) {
			t.Errorf("layer %s: error = %v", name, err)
		}
	}
}
