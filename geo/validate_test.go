package geo_test

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
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

func TestValidateGeometryFor(t *testing.T) {
	ring := orb.Ring{{34, 31}, {35, 31}, {35, 32}, {34, 31}}
	geoms := map[string]orb.Geometry{
		"Point": orb.Point{34, 31}, "MultiPoint": orb.MultiPoint{{34, 31}},
		"LineString": orb.LineString{{34, 31}, {35, 32}}, "MultiLineString": orb.MultiLineString{{{34, 31}, {35, 32}}},
		"Polygon": orb.Polygon{ring}, "MultiPolygon": orb.MultiPolygon{{ring}},
		"GeometryCollection": orb.Collection{orb.Point{34, 31}},
	}
	fits := map[geo.GeometryKind][]string{
		geo.KindPoint:   {"Point", "MultiPoint"},
		geo.KindLine:    {"LineString", "MultiLineString"},
		geo.KindPolygon: {"Polygon", "MultiPolygon"},
		geo.KindMixed:   {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"},
		"":              {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"},
	}
	for kind, ok := range fits {
		for name, g := range geoms {
			err := geo.ValidateGeometryFor(kind, g)
			want := slices.Contains(ok, name)
			if want && err != nil || !want && (!errors.Is(err, geo.ErrInvalid) || !strings.Contains(err.Error(), "cannot go in a "+string(kind)+" layer")) {
				t.Errorf("%s in a %q layer: error %v", name, kind, err)
			}
		}
	}
	if err := geo.ValidateGeometryFor(geo.KindPoint, orb.Point{200, 0}); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("an invalid point that fits the kind: error %v", err)
	}
}

func TestCollectionDepth(t *testing.T) {
	nest := func(n int) orb.Geometry {
		var g orb.Geometry = orb.Point{1, 1}
		for range n {
			g = orb.Collection{g}
		}
		return g
	}
	if err := geo.ValidateGeometry(nest(geo.MaxCollectionDepth)); err != nil {
		t.Errorf("%d deep: %v", geo.MaxCollectionDepth, err)
	}
	if err := geo.ValidateGeometry(nest(geo.MaxCollectionDepth + 1)); !errors.Is(err, geo.ErrInvalid) || !strings.Contains(err.Error(), "nest more than") {
		t.Errorf("%d deep: error %v", geo.MaxCollectionDepth+1, err)
	}
}

func TestFeatureValidateText(t *testing.T) {
	good := geo.Feature{ID: "a", Geometry: orb.Point{1, 1}, PrecisionM: 10, Sources: []geo.Source{{Title: "S"}}, Properties: json.RawMessage(`{"a":"é"}`)}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := map[string]func(f *geo.Feature){
		"name":             func(f *geo.Feature) { f.Name = "a\xff" },
		"kind":             func(f *geo.Feature) { f.Kind = "\xc3" },
		"properties":       func(f *geo.Feature) { f.Properties = json.RawMessage("{\"a\":\"\xff\"}") },
		"sources[0].url":   func(f *geo.Feature) { f.Sources = []geo.Source{{Title: "S", URL: "https://\xed\xa0\x80"}} },
		"sources[0].title": func(f *geo.Feature) { f.Sources = []geo.Source{{Title: "S\xff"}} },
		"a JSON object":    func(f *geo.Feature) { f.Properties = json.RawMessage(`[1]`) },
	}
	for want, mutate := range bad {
		f := good
		mutate(&f)
		if err := f.Validate(); !errors.Is(err, geo.ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error = %v", want, err)
		}
	}
	l := geo.Layer{ID: "x", Title: "T\xff", Kind: geo.KindPoint}
	if err := l.Validate(); !errors.Is(err, geo.ErrInvalid) || !strings.Contains(err.Error(), "title is not valid UTF-8") {
		t.Errorf("layer title: error = %v", err)
	}
	if err := geo.CheckUTF8("caption", "\xff"); !errors.Is(err, geo.ErrInvalid) || !strings.Contains(err.Error(), "caption") {
		t.Errorf("CheckUTF8: error = %v", err)
	}
}

func TestCheckStored(t *testing.T) {
	l := &geo.Layer{ID: "towns", Title: "Towns", Kind: geo.KindPoint}
	good := geo.Feature{ID: "a", Geometry: orb.Point{1, 1}, PrecisionM: 10, Sources: []geo.Source{{Title: "S"}}, Properties: json.RawMessage(`{}`), Valid: geo.Always}
	if err := geo.CheckStoredFeature(l, &good); err != nil {
		t.Fatal(err)
	}
	bad := map[string]func(f *geo.Feature){
		"NaN":          func(f *geo.Feature) { f.Geometry = orb.Point{math.NaN(), 31} },
		"1e308":        func(f *geo.Feature) { f.Geometry = orb.Point{1e308, 31} },
		"kind":         func(f *geo.Feature) { f.Geometry = orb.LineString{{1, 1}, {2, 2}} },
		"valid time":   func(f *geo.Feature) { f.Valid = geo.Interval{Start: math.MinInt64 + 1, End: math.MaxInt64 - 1} },
		"UTF-8":        func(f *geo.Feature) { f.Name = "\xff" },
		"empty period": func(f *geo.Feature) { f.Valid = geo.Interval{Start: 10, End: 10} },
	}
	for name, mutate := range bad {
		f := good
		mutate(&f)
		if err := geo.CheckStoredFeature(l, &f); !errors.Is(err, geo.ErrInvalid) {
			t.Errorf("%s: error = %v", name, err)
		}
	}
	if err := geo.CheckStoredGeometry(orb.Point{math.Inf(1), 0}); !errors.Is(err, geo.ErrInvalid) {
		t.Errorf("CheckStoredGeometry(Inf): %v", err)
	}
}
