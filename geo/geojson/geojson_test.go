package geojson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/paulmach/orb"
	orbjson "github.com/paulmach/orb/geojson"

	"strata/geo"
	"strata/geo/geojson"
)

func decodeAll(t testing.TB, body string, opt geojson.Options) ([]*geo.Feature, error) {
	var out []*geo.Feature
	for f, err := range geojson.Decode(strings.NewReader(body), "l", opt) {
		if err != nil {
			return out, err
		}
		out = append(out, f)
	}
	return out, nil
}

func TestDecode(t *testing.T) {
	body := `{"features":[
	  {"type":"Feature","id":7,"geometry":{"type":"Point","coordinates":[34,31]},"properties":{"name":"Seven","kind":"k","valid_from":"2025-10-10","precision_m":5,"sources":[{"title":"S","url":"https://e.org"}],"extra":{"a":[1,2]}}},
	  {"type":"Feature","geometry":{"type":"LineString","coordinates":[[34,31],[35,32]]},"properties":{"id":"from-props","valid_to":"2025-10-10T12:00:00Z"}}
	],"type":"FeatureCollection","bbox":[0,0,1,1]}`
	p := 25.0
	fs, err := decodeAll(t, body, geojson.Options{Sources: []geo.Source{{Title: "Default"}}, PrecisionM: &p})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 {
		t.Fatalf("got %d features", len(fs))
	}
	a, b := fs[0], fs[1]
	if a.ID != "7" || a.Name != "Seven" || a.Kind != "k" || a.PrecisionM != 5 || a.Layer != "l" || a.Sources[0].URL != "https://e.org" {
		t.Errorf("first feature = %+v", a)
	}
	if !orb.Equal(a.Geometry, orb.Point{34, 31}) {
		t.Errorf("geometry = %v", a.Geometry)
	}
	var props map[string]any
	json.Unmarshal(a.Properties, &props)
	if _, reserved := props["valid_from"]; reserved || props["extra"] == nil || props["name"] != "Seven" {
		t.Errorf("properties = %s: reserved members must go, own ones stay", a.Properties)
	}
	if b.ID != "from-props" || b.PrecisionM != 25 || b.Sources[0].Title != "Default" || !b.Valid.IsOpenStart() || b.Valid.IsOpenEnd() {
		t.Errorf("second feature = %+v", b)
	}
	if strings.Contains(string(b.Properties), "from-props") {
		t.Errorf("id property kept in properties: %s", b.Properties)
	}
}

func TestDecodeErrors(t *testing.T) {
	pt := `{"type":"Point","coordinates":[34,31]}`
	ok := `"properties":{"precision_m":1,"sources":[{"title":"S"}]}`
	one := func(geom string) string {
		return `{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","geometry":` + geom + `,` + ok + `}]}`
	}
	withProps := func(props string) string {
		return `{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","geometry":` + pt + `,"properties":{"precision_m":1,"sources":[{"title":"S"}]` + props + `}}]}`
	}
	nested := func(n int) string {
		return strings.Repeat(`{"type":"GeometryCollection","geometries":[`, n) + pt + strings.Repeat(`]}`, n)
	}
	cases := []struct {
		name, body, want string
		kind             geo.GeometryKind
	}{
		{"empty", ``, "empty", ""},
		{"not an object", `"x"`, "FeatureCollection", ""},
		{"no type", `{"features":[]}`, "type", ""},
		{"no features", `{"type":"FeatureCollection"}`, "features", ""},
		{"features not array", `{"type":"FeatureCollection","features":{}}`, "not an array", ""},
		{"feature type", `{"type":"FeatureCollection","features":[{"type":"Point","id":"a","geometry":` + pt + `,` + ok + `}]}`, "not Feature", ""},
		{"sources shape", withProps(`,"sources":"S"`), "sources", ""},
		{"precision type", strings.Replace(withProps(""), `"precision_m":1`, `"precision_m":"1"`, 1), "precision_m", ""},
		{"float id", `{"type":"FeatureCollection","features":[{"type":"Feature","id":1.5,"geometry":` + pt + `,` + ok + `}]}`, "id", ""},
		{"valid_from not string", withProps(`,"valid_from":5`), "valid_from", ""},
		// Positions: exactly longitude and latitude.
		{"point of one number", one(`{"type":"Point","coordinates":[34.4]}`), `features[0] (id "a"): geometry: Point: position [34.4] has 1 number, needs 2`, ""},
		{"empty point", one(`{"type":"Point","coordinates":[]}`), "position [] has 0 numbers", ""},
		{"point with z", one(`{"type":"Point","coordinates":[34,31,12]}`), "has 3 numbers", ""},
		{"point with z and m", one(`{"type":"Point","coordinates":[34,31,12,5]}`), "has 4 numbers", ""},
		{"line of one-number positions", one(`{"type":"LineString","coordinates":[[34],[35]]}`), "position [34] has 1 number", ""},
		{"polygon of one-number positions", one(`{"type":"Polygon","coordinates":[[[34],[35],[36],[34]]]}`), "position [34] has 1 number", ""},
		{"multipolygon with z", one(`{"type":"MultiPolygon","coordinates":[[[[34,31,1],[35,31,1],[35,32,1],[34,31,1]]]]}`), "has 3 numbers", ""},
		{"string coordinate", one(`{"type":"Point","coordinates":["34",31]}`), "not a finite number", ""},
		{"null coordinate", one(`{"type":"Point","coordinates":[null,31]}`), "not a finite number", ""},
		{"overflowing coordinate", one(`{"type":"Point","coordinates":[1e999,31]}`), "not a finite number", ""},
		{"line of numbers", one(`{"type":"LineString","coordinates":[34,31]}`), "position 34 is not an array", ""},
		{"point as a line", one(`{"type":"Point","coordinates":[[34,31],[35,31]]}`), "holds an array or object where a number belongs", ""},
		{"polygon as an object", one(`{"type":"Polygon","coordinates":{"a":1}}`), "not nested", ""},
		{"no coordinates", one(`{"type":"Point"}`), `Point has no "coordinates"`, ""},
		{"unknown type", one(`{"type":"Circle","coordinates":[34,31]}`), `"Circle"`, ""},
		{"no type", one(`{"coordinates":[34,31]}`), `no "type"`, ""},
		{"collection without geometries", one(`{"type":"GeometryCollection"}`), `no "geometries"`, ""},
		{"collection holding a bad point", one(`{"type":"GeometryCollection","geometries":[` + pt + `,{"type":"Point","coordinates":[1]}]}`), "geometries[1]", ""},
		{"collections 9 deep", one(nested(9)), "nest more than 8 deep", ""},
		{"collections 4990 deep", one(nested(4990)), "more than 64 deep", ""},
		{"deep properties", withProps(`,"x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100)), "properties nest", ""},
		// Layer kinds.
		{"polygon in a point layer", one(`{"type":"Polygon","coordinates":[[[34,31],[35,31],[35,32],[34,31]]]}`), "a Polygon cannot go in a point layer", geo.KindPoint},
		{"point in a line layer", one(pt), "a Point cannot go in a line layer", geo.KindLine},
		{"line in a polygon layer", one(`{"type":"LineString","coordinates":[[34,31],[35,32]]}`), "a LineString cannot go in a polygon layer", geo.KindPolygon},
		{"collection in a point layer", one(`{"type":"GeometryCollection","geometries":[` + pt + `]}`), "GeometryCollection cannot go in a point layer", geo.KindPoint},
		// Invalid UTF-8, named by field.
		{"bad UTF-8 in a property", withProps(`,"note":"a\xffb"`), "properties.note is not valid UTF-8", ""},
		{"bad UTF-8 in the name", withProps(`,"name":"\xc3"`), "name is not valid UTF-8", ""},
		{"bad UTF-8 in a source", strings.Replace(withProps(""), `"title":"S"`, `"title":"S\xed\xa0\x80"`, 1), "sources is not valid UTF-8", ""},
		{"bad UTF-8 in a property name", withProps(`,"k\xff":1`), "a property name is not valid UTF-8", ""},
		{"bad UTF-8 in the id", strings.Replace(one(pt), `"id":"a"`, `"id":"a\xff"`, 1), "id is not valid UTF-8", ""},
		// Sizes.
		{"huge foreign member", `{"type":"FeatureCollection","x":"` + strings.Repeat("x", 2*geojson.MaxMemberBytes) + `","features":[]}`, `member "x" is larger than`, ""},
		{"huge type", `{"type":"` + strings.Repeat("x", 2*geojson.MaxMemberBytes) + `","features":[]}`, `member "type" is larger than`, ""},
		{"huge member name", `{"type":"FeatureCollection","` + strings.Repeat("x", 2*geojson.MaxMemberBytes) + `":1,"features":[]}`, `a member name is longer than`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := decodeAll(t, unescapeBytes(c.body), geojson.Options{Kind: c.kind})
			if !errors.Is(err, geo.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %.300v, want ErrInvalid mentioning %q", err, c.want)
			}
		})
	}
}

// unescapeBytes turns the escapes \xNN in s into the bytes they stand
// for, to write invalid UTF-8 in a test table.
func unescapeBytes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.HasPrefix(s[i:], `\x`) && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func TestDecodeMaxBytes(t *testing.T) {
	body := `{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[34,31]},"properties":{"precision_m":1,"sources":[{"title":"S"}]}}]}`
	if fs, err := decodeAll(t, body, geojson.Options{MaxBytes: int64(len(body))}); err != nil || len(fs) != 1 {
		t.Fatalf("a document of exactly MaxBytes: %v", err)
	}
	_, err := decodeAll(t, body+"\n", geojson.Options{MaxBytes: int64(len(body))})
	if !errors.Is(err, geo.ErrInvalid) || !strings.Contains(err.Error(), "the document is larger than") {
		t.Errorf("error = %v, want the document is larger", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(`{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[34,31]},"properties":{"precision_m":1,"sources":[{"title":"S"}]}}]}`)
	f.Add(`{"type":"FeatureCollection","features":[{"type":"Feature","id":1,"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":{"valid_from":"2025-01-01","valid_to":"2024-01-01"}}]}`)
	f.Add(`{"type":"FeatureCollection","features":[]}`)
	f.Add(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"GeometryCollection","geometries":[]}}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		p := 1.0
		for ft, err := range geojson.Decode(strings.NewReader(body), "l", geojson.Options{Sources: []geo.Source{{Title: "d"}}, PrecisionM: &p}) {
			if err != nil {
				if !errors.Is(err, geo.ErrInvalid) {
					t.Fatalf("error %v is not ErrInvalid", err)
				}
				return
			}
			if err := ft.Validate(); err != nil {
				t.Fatalf("decoded feature is invalid: %v", err)
			}
			if ft.Valid.End <= ft.Valid.Start {
				t.Fatalf("decoded feature has an empty valid time: %+v", ft.Valid)
			}
			if !json.Valid(ft.Properties) {
				t.Fatalf("properties are not JSON: %s", ft.Properties)
			}
		}
	})
}

// TestAppendFeatureMatchesReference compares the fast encoder with orb's
// geojson package and encoding/json, feature for feature.
func TestAppendFeatureMatchesReference(t *testing.T) {
	ring := orb.Ring{{34, 31}, {34.123456789, 31}, {34.5, 31.5}, {34, 31}}
	geoms := []orb.Geometry{
		orb.Point{34.77167, 31.60611},
		orb.Point{-0.000001, 1e-7},
		orb.MultiPoint{{1, 2}, {3, 4}},
		orb.LineString{{34.1, 31.1}, {34.2, 31.2}},
		orb.MultiLineString{{{1, 1}, {2, 2}}, {{3, 3}, {4, 4}}},
		orb.Polygon{ring},
		orb.MultiPolygon{{ring}, {ring}},
		orb.Collection{orb.Point{1, 1}, orb.LineString{{1, 1}, {2, 2}}},
	}
	for i, g := range geoms {
		f := &geo.Feature{
			ID: "f-" + g.GeoJSONType(), Geometry: g,
			Properties: json.RawMessage(`{"name":"<b>x</b> & \"y\"","n":1.5,"nested":{"a":[true,null]}}`),
			Valid:      geo.Interval{Start: 1760054400000, End: geo.OpenEnd}, PrecisionM: 1500.5,
			Sources: []geo.Source{{Title: "T\u2028", Publisher: "P", Date: "2025-10-10", URL: "https://e.org/?a=1&b=2"}},
		}
		if i%2 == 1 {
			f.Properties = json.RawMessage(`{}`)
			f.Valid = geo.Always
		}
		out := geojson.AppendFeature(nil, f)
		if !json.Valid(out) {
			t.Fatalf("%s: invalid JSON: %s", f.ID, out)
		}
		ref, err := orbjson.UnmarshalFeature(out)
		if err != nil {
			t.Fatalf("%s: orb cannot read our output: %v", f.ID, err)
		}
		if !orb.Equal(ref.Geometry, g) {
			t.Errorf("%s: geometry round trip %v != %v", f.ID, ref.Geometry, g)
		}
		refGeom, _ := json.Marshal(orbjson.NewGeometry(g))
		ours := geojson.AppendGeometry(nil, g)
		var a, b any
		json.Unmarshal(refGeom, &a)
		json.Unmarshal(ours, &b)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: geometry JSON differs from orb's:\n%s\n%s", f.ID, ours, refGeom)
		}
		var own map[string]any
		var whole struct{ Properties map[string]any }
		json.Unmarshal(f.Properties, &own)
		json.Unmarshal(out, &whole)
		props := whole.Properties
		srcs, _ := json.Marshal(f.Sources)
		var wantSrcs any
		json.Unmarshal(srcs, &wantSrcs)
		if !reflect.DeepEqual(props["sources"], wantSrcs) || props["precision_m"] != f.PrecisionM {
			t.Errorf("%s: sources/precision = %v %v", f.ID, props["sources"], props["precision_m"])
		}
		for k, v := range own {
			if !reflect.DeepEqual(props[k], v) {
				t.Errorf("%s: property %s = %v, want %v", f.ID, k, props[k], v)
			}
		}
	}
}

// TestAppendTime checks the JSON-FG "time" member of features (appendTime).
func TestAppendTime(t *testing.T) {
	day := geo.DayMillis
	oct10 := int64(1760054400000) // 2025-10-10T00:00:00Z
	cases := []struct {
		iv   geo.Interval
		want string
	}{
		// No known bound is an unbounded interval, not "no time" (null):
		// such a feature matches every datetime query.
		{geo.Always, `{"interval":["..",".."]}`},
		{geo.Interval{Start: oct10, End: geo.OpenEnd}, `{"interval":["2025-10-10",".."]}`},
		{geo.Interval{Start: geo.OpenStart, End: oct10}, `{"interval":["..","2025-10-09"]}`},
		{geo.Interval{Start: oct10, End: oct10 + day}, `{"date":"2025-10-10"}`},
		{geo.Interval{Start: oct10, End: oct10 + 3*day}, `{"interval":["2025-10-10","2025-10-12"]}`},
		{geo.Interval{Start: oct10 + 3600000, End: oct10 + 7200000}, `{"interval":["2025-10-10T01:00:00Z","2025-10-10T02:00:00Z"]}`},
	}
	for _, c := range cases {
		var f struct{ Time json.RawMessage }
		if err := json.Unmarshal(geojson.AppendFeature(nil, &geo.Feature{ID: "x", Geometry: orb.Point{1, 2}, Valid: c.iv}), &f); err != nil {
			t.Fatal(err)
		}
		if got := string(f.Time); got != c.want {
			t.Errorf("time of %+v = %s, want %s", c.iv, got, c.want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "quote\" back\\ slash", "<script>&", "\x00\x1f\n\t\r", "\u2028\u2029", "é日本", "\xff\xfe bad"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := geojson.AppendString(nil, s)
		var got string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("invalid JSON string %q: %v", out, err)
		}
		ref, _ := json.Marshal(s)
		var want string
		json.Unmarshal(ref, &want)
		if got != want {
			t.Fatalf("AppendString(%q) decodes to %q, encoding/json gives %q", s, got, want)
		}
		if strings.ContainsAny(string(out), "<>&") {
			t.Fatalf("HTML characters not escaped: %s", out)
		}
	})
}

func BenchmarkAppendFeature(b *testing.B) {
	f := &geo.Feature{
		ID: "p-123456", Name: "Point", Kind: "event", Geometry: orb.Point{34.456789, 31.501234},
		Properties: json.RawMessage(`{"name":"Point 123456","kind":"event"}`),
		Valid:      geo.Interval{Start: 1760054400000, End: 1760054400000 + geo.DayMillis*60}, PrecisionM: 0,
		Sources: []geo.Source{{Title: "Synthetic benchmark data", Publisher: "Strata"}},
	}
	b.Run("strata", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 4096)
		for b.Loop() {
			buf = geojson.AppendFeature(buf[:0], f)
		}
	})
	b.Run("orb+encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			of := orbjson.NewFeature(f.Geometry)
			of.ID = f.ID
			props := map[string]any{}
			json.Unmarshal(f.Properties, &props)
			props["valid_from"] = geo.FormatBound(f.Valid.Start)
			props["valid_to"] = geo.FormatBound(f.Valid.End)
			props["precision_m"] = f.PrecisionM
			props["sources"] = f.Sources
			of.Properties = props
			if _, err := json.Marshal(of); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestAppendFloat compares AppendFloat with encoding/json, the reference,
// and checks that a value JSON cannot hold is written as null.
func TestAppendFloat(t *testing.T) {
	for _, v := range []float64{0, 1, -1, 34.77167, 1e-7, -1e-7, 1e-6, 123456789, 1e20, 1e21, 1e308, -1e308, math.MaxFloat64,
		math.SmallestNonzeroFloat64, 5e-324, 0.1 + 0.2, math.Copysign(0, -1), 1500.5} {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := geojson.AppendFloat(nil, v); string(got) != string(want) {
			t.Errorf("AppendFloat(%g) = %s, encoding/json writes %s", v, got, want)
		}
	}
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got := geojson.AppendFloat(nil, v); string(got) != "null" {
			t.Errorf("AppendFloat(%g) = %s, want null", v, got)
		}
	}
	// A feature read from a damaged store still encodes as valid JSON.
	f := &geo.Feature{ID: "x", Geometry: orb.LineString{{math.NaN(), 31}, {1e308, math.Inf(-1)}}, PrecisionM: math.Inf(1), Properties: json.RawMessage("{\"a\":\"\xff\"}")}
	if out := geojson.AppendFeature(nil, f); !json.Valid(out) || !utf8.Valid(out) || bytes.Contains(out, []byte("NaN")) || bytes.Contains(out, []byte("Inf")) {
		t.Errorf("invalid JSON: %s", out)
	}
}

func FuzzAppendFloat(f *testing.F) {
	for _, v := range []float64{0, 1e308, 1e-7, 34.5, 1e21} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		got := geojson.AppendFloat([]byte("["), v)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			if string(got) != "[null" {
				t.Fatalf("AppendFloat(%g) = %s", v, got[1:])
			}
			return
		}
		want, _ := json.Marshal(v)
		if string(got[1:]) != string(want) {
			t.Fatalf("AppendFloat(%g) = %s, encoding/json writes %s", v, got[1:], want)
		}
		var back float64
		if err := json.Unmarshal(got[1:], &back); err != nil || back != v {
			t.Fatalf("%s reads back as %g, %v", got[1:], back, err)
		}
	})
}
