package archive

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"strata/geo"
)

var sources = []geo.Source{{Title: "T", Publisher: "P", Date: "2025-10-10", URL: "https://example.org/?a=1&b=<2>", Note: "n"}}

// sample returns records of every kind, with values a careless encoding
// would change: spaced and escaped properties, sub-millisecond record
// times, open and sub-day valid times, shortest floats.
func sample() []geo.Record {
	at := time.Date(2025, 10, 10, 12, 0, 0, 123456000, time.UTC)
	zoom := 7.25
	feature := func(id string, props string, g orb.Geometry, iv geo.Interval) *geo.Feature {
		return &geo.Feature{ID: id, Layer: "l", Name: "N " + id, Kind: "k", Geometry: g, Properties: json.RawMessage(props),
			Valid: iv, PrecisionM: 0.1, Sources: sources, Version: 1}
	}
	return []geo.Record{
		{Layer: &geo.Layer{ID: "l", Title: "L <&>", Description: "d", Kind: geo.KindMixed, Group: "g", Style: geo.Style{Color: "#fff", Dash: "1 2", Marker: "star"}, Attribution: "a", Licence: "CC0", Order: -3}},
		{Token: &geo.Token{Name: "a", Hash: bytes.Repeat([]byte{0xab}, 32), Layers: []string{"*"}, Created: at}},
		{Token: &geo.Token{Name: "b", Hash: bytes.Repeat([]byte{1}, 32), Layers: []string{"l", "m"}, Created: at, Expires: at.Add(time.Hour), Revoked: at.Add(time.Minute), Unconditional: true}},
		{Briefing: &geo.Briefing{ID: "b", Title: "B", Description: "x", Steps: []geo.Step{{ID: "s", Title: "S", Date: "2025-10-10/2025-10-12",
			View: geo.View{Center: &[2]float64{34.1, 31.2}, Zoom: &zoom}, Layers: []string{"l"}, Highlight: []string{"l/a"}, Caption: "c\n\nd", Sources: sources, Notes: "n", HoldSeconds: 1.5}}}},
		{Changeset: &geo.Changeset{ID: 2, Author: "import", Comment: "first <b>", RecordedAt: at, Layers: []string{"l"}, Created: 2, BBox: orb.Bound{Min: orb.Point{0.1, -0.2}, Max: orb.Point{34.123456789012345, 31}}}},
		{Row: &geo.Row{Layer: "l", Pos: 1, From: 2, To: 3, Feature: feature("a", `{"name": "spaced" , "x":[1.50,2e3],"s":"<\u00e9>\u2028"}`, orb.Point{34.123456789012345, -0.000001}, geo.Interval{Start: geo.OpenStart, End: 1760054400001})}},
		{Row: &geo.Row{Layer: "l", Pos: 2, From: 2, Feature: feature("b", `{}`, orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, geo.Always)}},
		{Changeset: &geo.Changeset{ID: 3, Author: "w", RecordedAt: at.Add(time.Microsecond), Layers: []string{"l"}, Deleted: 1, Empty: true}},
		{Version: 4},
	}
}

func encodeAll(t *testing.T, recs []geo.Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	e := NewEncoder(&buf)
	for _, r := range recs {
		if err := e.Encode(r); err != nil {
			t.Fatalf("Encode(%+v): %v", r, err)
		}
	}
	return buf.Bytes()
}

func decodeAll(data []byte) ([]geo.Record, error) {
	var out []geo.Record
	for r, err := range Decode(bytes.NewReader(data)) {
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

func TestRoundTrip(t *testing.T) {
	recs := sample()
	data := encodeAll(t, recs)
	if !bytes.HasPrefix(data, []byte(Header+"\n")) || bytes.Count(data, []byte("\n")) != len(recs)+1 {
		t.Fatalf("encoding is not the header and one line a record:\n%s", data)
	}
	got, err := decodeAll(data)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if !reflect.DeepEqual(got, recs) {
		for i := range recs {
			if !reflect.DeepEqual(got[i], recs[i]) {
				t.Errorf("record %d decodes as\n%#v\nwant\n%#v", i, got[i], recs[i])
			}
		}
		if len(got) != len(recs) {
			t.Errorf("decoded %d records, want %d", len(got), len(recs))
		}
	}
	if again := encodeAll(t, got); !bytes.Equal(again, data) {
		t.Errorf("encoding the decoded records gives\n%s\nwant\n%s", again, data)
	}
	// The feature is GeoJSON as geo/geojson writes it, readable as such.
	if !strings.Contains(string(data), `"feature":{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[34.123456789012344,-0.000001]},"properties":{"name": "spaced" , "x":[1.50,2e3],"s":"<\u00e9>\u2028","valid_from":null`) {
		t.Errorf("the row of feature a is not its GeoJSON with its properties as they are:\n%s", data)
	}
}

// Empty properties read back as {}, as the stores keep them.
func TestEmptyProperties(t *testing.T) {
	r := sample()[6]
	r.Row.Feature.Properties = nil
	b, err := AppendRecord(nil, r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeAll(append([]byte(Header+"\n"), b...))
	if err != nil || len(got) != 1 || string(got[0].Row.Feature.Properties) != "{}" {
		t.Fatalf("decoded %+v, %v; want properties {}", got, err)
	}
}

func TestEncodeRefuses(t *testing.T) {
	row := func(props string) geo.Record {
		r := sample()[6]
		f := *r.Row.Feature
		f.Properties = json.RawMessage(props)
		return geo.Record{Row: &geo.Row{Layer: "l", Pos: 1, From: 2, Feature: &f}}
	}
	for name, r := range map[string]geo.Record{
		"two items":               {Layer: sample()[0].Layer, Version: 3},
		"a row without a feature": {Row: &geo.Row{Layer: "l"}},
		"space before properties": row(` {"a":1}`),
		"space after properties":  row(`{"a":1} `),
		"space inside {}":         row(`{ }`),
		"properties not object":   row(`[1]`),
	} {
		if _, err := AppendRecord(nil, r); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	recs := sample()
	good := encodeAll(t, recs)
	lines := strings.SplitAfter(string(good), "\n")
	rowLine := lines[6] // feature a
	replaceIn := func(line, old, new string) string {
		if !strings.Contains(line, old) {
			t.Fatalf("%q is not in %s", old, line)
		}
		return Header + "\n" + strings.Replace(line, old, new, 1)
	}
	cases := []struct {
		name, data, want string
	}{
		{"empty", "", "empty"},
		{"no header", lines[1], "not a Strata archive"},
		{"another format", `{"strata_archive":2}` + "\n", "format 2"},
		{"header twice", Header + "\n" + Header + "\n", "header comes again"},
		{"not JSON", Header + "\nnope\n", "line 2: not a JSON object"},
		{"two members", Header + "\n" + `{"version":1,"layer":{"id":"x"}}` + "\n", "holds 2"},
		{"no member", Header + "\n{}\n", "holds 0"},
		{"null member", Header + "\n" + `{"version":null}` + "\n", "holds 0"},
		{"unknown member", Header + "\n" + `{"versions":1}` + "\n", "unknown field"},
		{"unknown layer field", replaceIn(lines[1], `"id"`, `"ID2":1,"id"`), "unknown field"},
		{"trailing data", Header + "\n" + `{"version":1} {}` + "\n", "after the JSON object"},
		{"invalid UTF-8", Header + "\n" + `{"layer":{"id":"` + "\xff" + `"}}` + "\n", "UTF-8"},
		{"bad hash", replaceIn(lines[2], `"hash":"ab`, `"hash":"zz`), "hexadecimal"},
		{"bad time", replaceIn(lines[2], `"created":"2025`, `"created":"x2025`), "RFC 3339"},
		{"bad recorded_at", replaceIn(lines[5], `"recorded_at":"`, `"recorded_at":"1`), "recorded_at"},
		{"bad geometry", replaceIn(rowLine, `"type":"Point"`, `"type":"Blob"`), "geometry"},
		{"no feature", replaceIn(rowLine, `,"feature":`, `,"x":`), "unknown field"},
		{"added members changed", replaceIn(rowLine, `"precision_m":0.1`, `"precision_m":0.10`), "as Strata writes them"},
		{"reserved member twice", replaceIn(rowLine, `{"name": "spaced"`, `{"sources":[],"name": "spaced"`), "sources twice"},
		{"properties not an object", replaceIn(rowLine, `"properties":{"name": "spaced" , "x":[1.50,2e3],"s":"<\u00e9>\u2028",`, `"properties":{`), ""},
		{"too long", Header + "\n" + strings.Repeat(" ", MaxLineBytes+10) + "\n", "longer than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := decodeAll([]byte(c.data))
			if c.name == "properties not an object" {
				// The feature then has no properties of its own: that
				// reads, as {}.
				if err != nil || len(got) != 1 || string(got[0].Row.Feature.Properties) != "{}" {
					t.Errorf("got %+v, %v", got, err)
				}
				return
			}
			if !errors.Is(err, geo.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want ErrInvalid saying %q", err, c.want)
			}
		})
	}
}

// A read error is returned as it is, not as invalid input.
func TestDecodeReadError(t *testing.T) {
	broken := errors.New("broken pipe")
	r := ioErrReader{data: []byte(Header + "\n" + `{"version":1}` + "\n" + `{"ver`), err: broken}
	var last error
	n := 0
	for _, err := range Decode(&r) {
		if err != nil {
			last = err
			break
		}
		n++
	}
	if n != 1 || !errors.Is(last, broken) || errors.Is(last, geo.ErrInvalid) {
		t.Errorf("%d records then %v; want 1 then the read error", n, last)
	}
}

type ioErrReader struct {
	data []byte
	err  error
}

func (r *ioErrReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// Decode never panics: bad input is an error; what it decodes encodes
// back to what it read.
func FuzzDecode(f *testing.F) {
	var buf bytes.Buffer
	e := NewEncoder(&buf)
	for _, r := range sample() {
		if err := e.Encode(r); err != nil {
			f.Fatal(err)
		}
	}
	f.Add(buf.Bytes())
	for _, line := range strings.SplitAfter(buf.String(), "\n")[1:] {
		f.Add([]byte(Header + "\n" + line))
	}
	f.Add([]byte(Header + "\n{\"row\":{\"feature\":null}}\n"))
	f.Add([]byte(Header + "\n{\"changeset\":{\"bbox\":[1,2,3]}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []geo.Record
		for r, err := range Decode(bytes.NewReader(data)) {
			if err != nil {
				if !errors.Is(err, geo.ErrInvalid) {
					t.Fatalf("error %v does not wrap ErrInvalid", err)
				}
				return
			}
			got = append(got, r)
		}
		// What decoded encodes (or is refused), and the encoding is
		// stable: decoded and encoded again, it gives the same bytes.
		encode := func(recs []geo.Record) []byte {
			var out bytes.Buffer
			e := NewEncoder(&out)
			for _, r := range recs {
				if err := e.Encode(r); err != nil {
					return nil
				}
			}
			return out.Bytes()
		}
		first := encode(got)
		if first == nil {
			return
		}
		again, err := decodeAll(first)
		if err != nil {
			t.Fatalf("decoded %+v, encoded as\n%s\nwhich does not decode: %v", got, first, err)
		}
		if second := encode(again); !bytes.Equal(second, first) {
			t.Fatalf("encoding is not stable:\n%s\nthen\n%s", first, second)
		}
	})
}
