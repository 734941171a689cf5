package geojson_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"strata/geo"
	"strata/geo/geojson"
)

// TestAppendValidTime checks that valid_from and valid_to are written as
// RFC 3339 date-times in UTC (QGIS and GDAL type a date-only value as
// Date, and QGIS compares a Date with a DateTime as text), that they read
// back to the same instants, and that open bounds are null.
func TestAppendValidTime(t *testing.T) {
	oct10 := int64(1760054400000) // 2025-10-10T00:00:00Z
	cases := []struct {
		iv       geo.Interval
		from, to any
	}{
		{geo.Interval{Start: oct10, End: oct10 + geo.DayMillis}, "2025-10-10T00:00:00Z", "2025-10-11T00:00:00Z"},
		{geo.Interval{Start: oct10, End: geo.OpenEnd}, "2025-10-10T00:00:00Z", nil},
		{geo.Interval{Start: geo.OpenStart, End: oct10}, nil, "2025-10-10T00:00:00Z"},
		{geo.Always, nil, nil},
		{geo.Interval{Start: oct10 + 3600000, End: oct10 + 3600002}, "2025-10-10T01:00:00Z", "2025-10-10T01:00:00.002Z"},
		{geo.Interval{Start: geo.MinTime, End: geo.MaxTime - 1}, "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z"},
		{geo.Interval{Start: -geo.DayMillis, End: 0}, "1969-12-31T00:00:00Z", "1970-01-01T00:00:00Z"},
	}
	for _, c := range cases {
		f := &geo.Feature{ID: "x", Geometry: orb.Point{1, 2}, Valid: c.iv, PrecisionM: 1, Sources: []geo.Source{{Title: "t"}}}
		out := geojson.AppendFeature(nil, f)
		var got struct{ Properties map[string]any }
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%+v: %v in %s", c.iv, err, out)
		}
		if got.Properties["valid_from"] != c.from || got.Properties["valid_to"] != c.to {
			t.Errorf("%+v: valid_from, valid_to = %v, %v; want %v, %v", c.iv, got.Properties["valid_from"], got.Properties["valid_to"], c.from, c.to)
		}
		for _, v := range []any{got.Properties["valid_from"], got.Properties["valid_to"]} {
			if s, ok := v.(string); ok {
				if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
					t.Errorf("%q is not an RFC 3339 date-time: %v", s, err)
				}
			}
		}
		back, err := geojson.DecodeFeature(out, "l", "", geojson.Options{})
		if err != nil {
			t.Fatalf("%+v: reading back %s: %v", c.iv, out, err)
		}
		if back.Feature.Valid != c.iv {
			t.Errorf("read back as %+v, want %+v", back.Feature.Valid, c.iv)
		}
	}
}

// TestCitation checks the flat text form of the sources, beside them in
// every feature, and that a citation sent back is ignored rather than
// kept as an own property (it would then be written twice).
func TestCitation(t *testing.T) {
	cases := []struct {
		srcs []geo.Source
		want string
	}{
		{[]geo.Source{{Title: "T"}}, "T"},
		{[]geo.Source{{Title: "T", Publisher: "P", Date: "2025-10-10", URL: "https://e.org/a", Note: "left out"}}, "T, P, 2025-10-10, https://e.org/a"},
		{[]geo.Source{{Title: "A", URL: "https://e.org/a"}, {Title: "B", Publisher: "Q"}}, "A, https://e.org/a; B, Q"},
		{nil, ""},
	}
	for _, c := range cases {
		if got := geojson.Citation(c.srcs); got != c.want {
			t.Errorf("Citation(%+v) = %q, want %q", c.srcs, got, c.want)
		}
		out := geojson.AppendFeature(nil, &geo.Feature{ID: "x", Geometry: orb.Point{1, 2}, Properties: json.RawMessage(`{"a":1}`), Sources: c.srcs})
		var got struct{ Properties map[string]any }
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		if got.Properties["citation"] != c.want || got.Properties["a"] != 1.0 {
			t.Errorf("properties %v: citation %q and a=1 expected", got.Properties, c.want)
		}
	}
	body := []byte(`{"type":"Feature","id":"x","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"citation":"old","precision_m":1,"sources":[{"title":"New"}]}}`)
	w, err := geojson.DecodeFeature(body, "l", "", geojson.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if string(w.Feature.Properties) != "{}" {
		t.Errorf("own properties = %s, want {}: citation is derived from sources", w.Feature.Properties)
	}
}

// TestAppendFeatureAllocs checks that the citation and the date-time
// bounds cost no allocation: every feature of every items page has them.
func TestAppendFeatureAllocs(t *testing.T) {
	f := &geo.Feature{ID: "x", Geometry: orb.Point{34.5, 31.5}, Properties: json.RawMessage(`{"name":"N"}`),
		Valid: geo.Interval{Start: 1760054400000, End: 1760054400000 + geo.DayMillis}, PrecisionM: 50,
		Sources: []geo.Source{{Title: "A <b>", Publisher: "P", Date: "2025-10-10", URL: "https://e.org/?a=1&b=2"}, {Title: "B"}}}
	buf := make([]byte, 0, 4096)
	if n := testing.AllocsPerRun(100, func() { buf = geojson.AppendFeature(buf[:0], f) }); n != 0 {
		t.Errorf("AppendFeature allocates %v times a feature", n)
	}
	var got struct{ Properties struct{ Citation string } }
	if err := json.Unmarshal(geojson.AppendFeature(nil, f), &got); err != nil || got.Properties.Citation != "A <b>, P, 2025-10-10, https://e.org/?a=1&b=2; B" {
		t.Errorf("citation %q (%v)", got.Properties.Citation, err)
	}
}
