package geojson_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

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
	  {"type":"Feature","id":7,"geometry":{"type":"Point","coordinates":[34,31,12]},"properties":{"name":"Seven","kind":"k","valid_from":"2025-10-10","precision_m":5,"sources":[{"title":"S","url":"https://e.org"}],"extra":{"a":[1,2]}}},
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
	cases := []struct{ name, body, want string }{
		{"empty", ``, "empty"},
		{"not an object", `"x"`, "FeatureCollection"},
		{"no type", `{"features":[]}`, "type"},
		{"no features", `{"type":"FeatureCollection"}`, "features"},
		{"features not array", `{"type":"FeatureCollection","features":{}}`, "not an array"},
		{"feature type", `{"type":"FeatureCollection","features":[{"type":"Point","id":"a","geometry":` + pt + `,` + ok + `}]}`, "not Feature"},
		{"sources shape", `{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","geometry":` + pt + `,"properties":{"precision_m":1,"sources":"S"}}]}`, "sources"},
		{"precision type", `{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","geometry":` + pt + `,"properties":{"precision_m":"1","sources":[{"title":"S"}]}}]}`, "precision_m"},
		{"float id", `{"type":"FeatureCollection","features":[{"type":"Feature","id":1.5,"geometry":` + pt + `,` + ok + `}]}`, "id"},
		{"name not string", `{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","geometry":` + pt + `,"properties":{"precision_m":1,"sources":[{"title":"S"}],"valid_from":5}}]}`, "valid_from"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := decodeAll(t, c.body, geojson.Options{})
			if !errors.Is(err, geo.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %v, want ErrInvalid mentioning %q", err, c.want)
			}
		})
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
		{geo.Always, `null`},
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
