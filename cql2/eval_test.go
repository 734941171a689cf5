package cql2

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"strata/geo"
)

func ms(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMilli()
}

var testQueryables = Queryables{
	"geometry": TypeGeometry, "name": TypeString, "kind": TypeString, "category": TypeString,
	"valid_from": TypeInstant, "valid_to": TypeInstant, "precision_m": TypeNumber,
	"casualties": TypeNumber, "approximate": TypeBoolean, "note": TypeString, "mixed": TypeAny,
}

// features to filter: a visit on 10 October in Gaza, a strike from 12
// October to 1 November, a line open-ended from 11 October.
var testFeatures = []*geo.Feature{
	{ID: "visit", Name: "Visit", Kind: "event", Geometry: orb.Point{34.45, 31.5},
		Properties: json.RawMessage(`{"name":"Visit","kind":"event","category":"visit","casualties":0,"approximate":true,"mixed":"a"}`),
		Valid:      geo.Interval{Start: ms("2025-10-10T00:00:00Z"), End: ms("2025-10-11T00:00:00Z")}, PrecisionM: 100},
	{ID: "strike", Name: "Strike at Rafah", Kind: "event", Geometry: orb.Point{34.25, 31.29},
		Properties: json.RawMessage(`{"name":"Strike at Rafah","kind":"event","category":"strike","casualties":12,"approximate":false,"note":"50% reported","mixed":3}`),
		Valid:      geo.Interval{Start: ms("2025-10-12T00:00:00Z"), End: ms("2025-11-01T00:00:00Z")}, PrecisionM: 2000},
	{ID: "line", Name: "Yellow line", Kind: "line", Geometry: orb.LineString{{34.25, 31.25}, {34.75, 31.75}},
		Properties: json.RawMessage(`{"name":"Yellow line","kind":"line"}`),
		Valid:      geo.Interval{Start: ms("2025-10-11T00:00:00Z"), End: geo.OpenEnd}, PrecisionM: 50},
}

func TestMatch(t *testing.T) {
	tests := []struct {
		filter string
		want   string // ids matched, space-separated
	}{
		{"category = 'visit'", "visit"},
		{"category <> 'visit'", "strike"},
		{"category='visit' AND valid_from < TIMESTAMP('2025-11-01T00:00:00Z')", "visit"},
		{"category = 'visit' OR kind = 'line'", "visit line"},
		{"NOT (category = 'visit')", "strike"},
		{"casualties > 5", "strike"},
		{"casualties BETWEEN 0 AND 5", "visit"},
		{"casualties NOT BETWEEN 0 AND 5", "strike"},
		{"category IN ('visit', 'strike')", "visit strike"},
		{"category NOT IN ('visit')", "strike"},
		{"name LIKE 'Strike%'", "strike"},
		{"name LIKE '%line'", "line"},
		{"name LIKE 'V_sit'", "visit"},
		{"name NOT LIKE 'V%'", "strike line"},
		{"CASEI(name) LIKE CASEI('yellow%')", "line"},
		{"CASEI(name) = casei('VISIT')", "visit"},
		{"ACCENTI(name) = ACCENTI('Vïsít')", "visit"},
		{"ACCENTI(CASEI(name)) LIKE ACCENTI(CASEI('STRÏKE%'))", "strike"},
		{"name LIKE ACCENTI('Yéllow%')", "line"},
		{`note LIKE '50\% %'`, "strike"},
		{"note IS NULL", "visit line"},
		{"note IS NOT NULL", "strike"},
		{"valid_to IS NULL", "line"},
		{"approximate = true", "visit"},
		{"approximate = FALSE", "strike"},
		{"precision_m >= 100", "visit strike"},
		{"valid_from = TIMESTAMP('2025-10-12T00:00:00Z')", "strike"},
		{"valid_from >= DATE('2025-10-11')", "strike line"},
		{"valid_from < '2025-10-11'", "visit"},
		{"valid_to <= '2025-11-01T00:00:00Z'", "visit strike"},
		{"mixed = 'a'", "visit"},
		{"mixed = 3", "strike"},
		{"TRUE", "visit strike line"},
		{"FALSE", ""},
		{"S_INTERSECTS(geometry, BBOX(34.4, 31.4, 34.5, 31.6))", "visit line"},
		{"S_INTERSECTS(geometry, POINT(34.25 31.29))", "strike"},
		{"S_INTERSECTS(geometry, POINT(34.5 31.5))", "line"},
		{"S_INTERSECTS(geometry, LINESTRING(34.2 31.6, 34.6 31.2))", "line"},
		{"S_INTERSECTS(geometry, POLYGON((34.2 31.2, 34.3 31.2, 34.3 31.3, 34.2 31.3, 34.2 31.2)))", "strike line"},
		{"S_DISJOINT(geometry, POLYGON((34.2 31.2, 34.3 31.2, 34.3 31.3, 34.2 31.3, 34.2 31.2)))", "visit"},
		{"S_WITHIN(geometry, POLYGON((34 31, 35 31, 35 32, 34 32, 34 31)))", "visit strike line"},
		{"S_WITHIN(geometry, POLYGON((34.3 31, 35 31, 35 32, 34.3 32, 34.3 31)))", "visit"},
		{"S_CONTAINS(geometry, POINT(34.5 31.5))", "line"},
		{"S_CONTAINS(POLYGON((34.3 31, 35 31, 35 32, 34.3 32, 34.3 31)), geometry)", "visit"},
		{"S_INTERSECTS(geometry, MULTIPOINT((34.45 31.5), (0 0)))", "visit"},
		{"T_INTERSECTS(INTERVAL(valid_from, valid_to), DATE('2025-10-10'))", "visit"},
		{"T_INTERSECTS(INTERVAL(valid_from, valid_to), DATE('2025-10-11'))", "line"},
		{"T_INTERSECTS(INTERVAL(valid_from, valid_to), INTERVAL('2025-10-10', '2025-10-12'))", "visit strike line"},
		{"T_BEFORE(INTERVAL(valid_from, valid_to), TIMESTAMP('2025-10-11T00:00:00Z'))", "visit"},
		{"T_AFTER(valid_from, DATE('2025-10-10'))", "strike line"},
		{"T_DURING(INTERVAL(valid_from, valid_to), INTERVAL('2025-10-01', '2025-12-31'))", "visit strike"},
		{"T_CONTAINS(INTERVAL(valid_from, valid_to), TIMESTAMP('2025-10-20T00:00:00Z'))", "strike line"},
		{"T_EQUALS(valid_from, TIMESTAMP('2025-10-10T00:00:00Z'))", "visit"},
		{"T_STARTS(INTERVAL(valid_from, valid_to), INTERVAL('2025-10-12T00:00:00Z', '..'))", "strike"},
		{"T_DISJOINT(INTERVAL(valid_from, valid_to), INTERVAL('..', '2025-10-10T12:00:00Z'))", "strike line"},
		{"T_OVERLAPS(INTERVAL(valid_from, valid_to), INTERVAL('2025-10-20', '2025-12-01'))", "strike"},
		{"T_FINISHES(INTERVAL(valid_from, valid_to), INTERVAL('..', '..'))", "line"},
		{"T_METBY(valid_from, TIMESTAMP('2025-10-10T00:00:00Z'))", "visit"},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			e, err := ParseText(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Compile(e, testQueryables, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			box, iv := Bounds(e, Options{})
			for _, feat := range testFeatures {
				if f.Match(feat) {
					got = append(got, feat.ID)
					// Bounds never narrows a search past a match.
					if (box != nil && !box.IntersectsGeometry(feat.Geometry)) || !feat.Valid.Overlaps(iv) {
						t.Errorf("%s matches but lies outside Bounds %v %v", feat.ID, box, iv)
					}
				}
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("matched %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLatLon(t *testing.T) {
	e, err := ParseText("S_INTERSECTS(geometry, POINT(31.29 34.25)) OR S_INTERSECTS(geometry, BBOX(31.49, 34.44, 31.51, 34.46))")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Compile(e, testQueryables, Options{LatLon: true})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Match(testFeatures[0]) || !f.Match(testFeatures[1]) || f.Match(testFeatures[2]) {
		t.Error("EPSG:4326 coordinates are not read latitude first")
	}
}

func TestTextErrors(t *testing.T) {
	tests := []struct{ filter, want string }{
		{"category = ", "at character 12: the filter ends where a value or property was expected"},
		{"category = 'visit", "at character 12: the text starting with ' is never closed"},
		{"category 'visit'", "at character 10: expected a comparison (=, <>, <, <=, >, >=, LIKE, BETWEEN, IN, IS NULL) after \"category\", found 'visit'"},
		{"(category = 'visit'", "at character 20: expected ')'"},
		{"category = 'visit' AND", "at character 23"},
		{"category = 'visit' extra", "at character 20: unexpected \"extra\""},
		{"category BETWEEN 1 2", "at character 20: expected AND in BETWEEN"},
		{"valid_from < TIMESTAMP('2025-13-01T00:00:00Z')", "at character 14: TIMESTAMP"},
		{"S_INTERSECTS(geometry, POINT(1))", "at character 24: POINT is not a valid WKT"},
		{"S_INTERSECTS(geometry, POINT(1 2)", "at character 34: expected ',' or ')' in the arguments of S_INTERSECTS"},
		{"a = 1 + 2", "arithmetic"},
		{"x IS 3", "expected NULL after IS"},
		{"category = 'a' § 1", "at character 16"},
	}
	for _, tt := range tests {
		_, err := ParseText(tt.filter)
		var se *SyntaxError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseText(%q) = %v, want a syntax error containing %q", tt.filter, err, tt.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ filter, want string }{
		{"nope = 1", `"nope" is not a queryable`},
		{"category = 1", "cannot compare text with a number"},
		{"valid_from < 'soon'", "not a date or an RFC 3339 timestamp"},
		{"approximate < true", "booleans are compared with = and <> only"},
		{"geometry = 'x'", "cannot compare a geometry with text"},
		{"S_CROSSES(geometry, POINT(1 2))", "S_CROSSES is not supported"},
		{"T_BEFORE(name, DATE('2025-01-01'))", "not a date-time"},
		{"S_INTERSECTS(name, POINT(1 2))", `"name" is not a geometry`},
		{"casualties LIKE 'a%'", "LIKE compares text"},
		{"buffer(geometry) = 1", "unknown function or operator BUFFER"},
		{"category", "after \"category\", found end of the filter"},
		{`{"op":"and","args":[{"op":"=","args":[{"property":"category"},"x"]},{"op":"casei","args":["x"]}]}`, "CASEI gives a value, not a condition"},
		{"S_INTERSECTS(geometry, BBOX(0, 10, 1, 5))", "south not above north"},
	}
	for _, tt := range tests {
		parse := ParseText
		if strings.HasPrefix(tt.filter, "{") {
			parse = func(s string) (Expr, error) { return ParseJSON([]byte(s)) }
		}
		e, err := parse(tt.filter)
		if err == nil {
			_, err = Compile(e, testQueryables, Options{})
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want one containing %q", tt.filter, err, tt.want)
		}
	}
}

func TestJSONErrors(t *testing.T) {
	tests := []struct{ filter, want string }{
		{`{"op":"=","args":[{"property":"a"},1]`, "at character 37: not valid JSON"},
		{`{"op":"=","args":[{"property":"a"},1]} 3`, "more JSON"},
		{`{"op":"=","args":[{"property":"a"},null]}`, "at /args/1: null is not a value"},
		{`{"op":"=","args":[{"property":"a"},{"timestamp":"x"}]}`, "at /args/1/timestamp"},
		{`{"op":"and","args":[{"property":"a"},true]}`, "at /args/0: expected an operation"},
		{`{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":[1]}]}`, "at /args/1: not a GeoJSON geometry"},
		{`{"op":"in","args":[{"property":"a"},"x"]}`, "at /args/1: the second argument of in must be an array"},
		{`"x"`, "expected an operation"},
		{strings.Repeat(`{"op":"not","args":[`, 200) + "true" + strings.Repeat("]}", 200), "nested more than"},
	}
	for _, tt := range tests {
		_, err := ParseJSON([]byte(tt.filter))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseJSON(%.60s) = %v, want an error containing %q", tt.filter, err, tt.want)
		}
	}
}

func TestDeepText(t *testing.T) {
	_, err := ParseText(strings.Repeat("(", 500) + "a = 1" + strings.Repeat(")", 500))
	if err == nil || !strings.Contains(err.Error(), "nested more than") {
		t.Errorf("deep nesting: %v", err)
	}
	_, err = ParseText(strings.Repeat("NOT ", 500) + "a = 1")
	if err == nil || !strings.Contains(err.Error(), "nested more than") {
		t.Errorf("deep NOT: %v", err)
	}
}

// FuzzParseText checks that no input crashes the text parser, and that
// what it reads compiles or fails with an error, never a panic.
func FuzzParseText(f *testing.F) {
	for _, s := range []string{"category = 'visit'", "a BETWEEN 1 AND 2 OR NOT b IN ('x','y')",
		"S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 0)))", "T_DURING(INTERVAL(valid_from, valid_to), INTERVAL('2020-01-01', '..'))",
		"name LIKE CASEI('a%')", "valid_to IS NOT NULL", "\"name\" = 'x'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseText(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Pos < 1 || se.Pos > len([]rune(s))+1 {
				t.Fatalf("ParseText(%q): %v is not a syntax error with a position in the text", s, err)
			}
			return
		}
		if filter, err := Compile(e, testQueryables, Options{}); err == nil {
			for _, feat := range testFeatures {
				filter.Match(feat)
			}
		}
	})
}

// FuzzParseJSON is FuzzParseText for cql2-json.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{"op":"=","args":[{"property":"category"},"visit"]}`,
		`{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[0,0,1,1]}]}`,
		`{"op":"t_before","args":[{"interval":[{"property":"valid_from"},{"property":"valid_to"}]},{"date":"2025-01-01"}]}`,
		`{"op":"in","args":[{"property":"name"},["a","b"]]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseJSON([]byte(s))
		if err != nil {
			var se *SyntaxError
			var pe *PathError
			if !errors.As(err, &se) && !errors.As(err, &pe) {
				t.Fatalf("ParseJSON(%q): %v is neither a syntax nor a path error", s, err)
			}
			return
		}
		if filter, err := Compile(e, testQueryables, Options{}); err == nil {
			for _, feat := range testFeatures {
				filter.Match(feat)
			}
		}
	})
}

func TestBounds(t *testing.T) {
	day := geo.DayMillis
	oct10 := ms("2025-10-10T00:00:00Z")
	tests := []struct {
		filter string
		latLon bool
		box    *geo.BBox
		iv     geo.Interval
	}{
		{"category = 'visit'", false, nil, geo.Always},
		{"S_INTERSECTS(geometry, BBOX(34, 31, 35, 32))", false, &geo.BBox{MinLon: 34, MinLat: 31, MaxLon: 35, MaxLat: 32}, geo.Always},
		{"S_WITHIN(geometry, POLYGON((34 31, 35 31, 35.5 32, 34 31)))", false, &geo.BBox{MinLon: 34, MinLat: 31, MaxLon: 35.5, MaxLat: 32}, geo.Always},
		{"S_INTERSECTS(POINT(31 34), geometry)", true, &geo.BBox{MinLon: 34, MinLat: 31, MaxLon: 34, MaxLat: 31}, geo.Always},
		{"S_DISJOINT(geometry, POINT(1 2))", false, nil, geo.Always},
		{"S_INTERSECTS(geometry, POINT(1 2)) OR a = 1", false, nil, geo.Always},
		{"a = 1 AND (valid_from < TIMESTAMP('2025-10-10T00:00:00Z') AND b = 2)", false, nil, geo.Interval{Start: geo.OpenStart, End: oct10}},
		{"DATE('2025-10-10') < valid_to", false, nil, geo.Interval{Start: oct10, End: geo.OpenEnd}},
		{"valid_to >= DATE('2025-10-10') AND valid_from <= DATE('2025-10-12')", false, nil, geo.Interval{Start: oct10 - 1, End: oct10 + 2*day}},
		{"T_INTERSECTS(INTERVAL(valid_from, valid_to), DATE('2025-10-10'))", false, nil, geo.Interval{Start: oct10, End: oct10 + day - 1}},
		{"T_DURING(INTERVAL(valid_from, valid_to), INTERVAL('2025-10-10T00:00:00Z', '..'))", false, nil, geo.Interval{Start: oct10, End: geo.OpenEnd}},
		{"T_DURING(DATE('2025-10-10'), INTERVAL(valid_from, valid_to))", false, nil, geo.Always},
		{"valid_from > DATE('2025-10-10')", false, nil, geo.Always},
		{"valid_from < DATE('2025-10-10') AND valid_to > DATE('2025-10-12')", false, nil, geo.Always},
	}
	for _, tt := range tests {
		e, err := ParseText(tt.filter)
		if err != nil {
			t.Fatal(err)
		}
		box, iv := Bounds(e, Options{LatLon: tt.latLon})
		if (box == nil) != (tt.box == nil) || (box != nil && *box != *tt.box) || iv != tt.iv {
			t.Errorf("Bounds(%s) = %v, %v; want %v, %v", tt.filter, box, iv, tt.box, tt.iv)
		}
	}
}
