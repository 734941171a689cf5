package geojson_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"strata/geo"
	"strata/geo/geojson"
)

const okFeature = `{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[34.5,31.5]},
 "properties":{"name":"Crossing","kind":"crossing","note":"x","valid_from":"2025-10-10","valid_to":null,
 "precision_m":25,"sources":[{"title":"S","url":"https://example.org"}]}}`

func TestDecodeFeature(t *testing.T) {
	w, err := geojson.DecodeFeature([]byte(okFeature), "l", "", geojson.Options{Kind: geo.KindPoint})
	if err != nil {
		t.Fatal(err)
	}
	f := w.Feature
	if f.ID != "a" || f.Layer != "l" || f.Name != "Crossing" || f.Kind != "crossing" || f.PrecisionM != 25 ||
		len(f.Sources) != 1 || f.Valid.Start != geo.Millis(time.Date(2025, 10, 10, 0, 0, 0, 0, time.UTC)) || f.Valid.End != geo.OpenEnd || w.Comment != "" {
		t.Errorf("decoded %+v", f)
	}
	if strings.Contains(string(f.Properties), "valid_from") || !strings.Contains(string(f.Properties), `"note":"x"`) {
		t.Errorf("properties %s", f.Properties)
	}

	// The default id, a comment, and the id property.
	noID := strings.Replace(okFeature, `"id":"a",`, `"comment":"moved east",`, 1)
	w, err = geojson.DecodeFeature([]byte(noID), "l", "gen1", geojson.Options{})
	if err != nil || w.Feature.ID != "gen1" || w.Comment != "moved east" {
		t.Errorf("default id: %+v, %v", w, err)
	}
	propID := strings.Replace(noID, `"note":"x"`, `"id":"p1"`, 1)
	w, err = geojson.DecodeFeature([]byte(propID), "l", "gen1", geojson.Options{})
	if err != nil || w.Feature.ID != "p1" {
		t.Errorf("id property: %+v, %v", w, err)
	}
	if _, err := geojson.DecodeFeature([]byte(noID), "l", "", geojson.Options{}); param(err) != "id" {
		t.Errorf("no id and no default: %v", err)
	}
}

func param(err error) string {
	var ge *geo.Error
	if errors.As(err, &ge) && errors.Is(err, geo.ErrInvalid) {
		return ge.Param
	}
	return "not a *geo.Error wrapping ErrInvalid: " + errString(err)
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

// TestDecodeFeatureErrors checks that each invalid body is refused with
// the member at fault named, in the Param and in the message.
func TestDecodeFeatureErrors(t *testing.T) {
	repl := func(old, new string) string { return strings.Replace(okFeature, old, new, 1) }
	cases := []struct {
		name, body, param, want string
		kind                    geo.GeometryKind
	}{
		{"empty", ``, "body", "empty", ""},
		{"array", `[]`, "body", "not a GeoJSON Feature", ""},
		{"bad JSON", `{"type":`, "body", "bad JSON", ""},
		{"trailing data", okFeature + `{}`, "body", "after the feature", ""},
		{"type", repl(`"type":"Feature"`, `"type":"FeatureCollection"`), "type", "not Feature", ""},
		{"type not a string", repl(`"type":"Feature"`, `"type":1`), "type", "type", ""},
		{"bad id", repl(`"id":"a"`, `"id":"a b"`), "id", "id", ""},
		{"float id", repl(`"id":"a"`, `"id":1.5`), "id", "id", ""},
		{"no geometry", repl(`"geometry":{"type":"Point","coordinates":[34.5,31.5]}`, `"geometry":null`), "geometry", "geometry is missing", ""},
		{"bad geometry", repl(`[34.5,31.5]`, `[34.5]`), "geometry", "position", ""},
		{"out of range", repl(`[34.5,31.5]`, `[340.5,31.5]`), "geometry", "", ""},
		{"wrong kind", okFeature, "geometry", "cannot go in a line layer", geo.KindLine},
		{"valid_from", repl(`"2025-10-10"`, `"last week"`), "valid_from", "valid_from", ""},
		{"valid_from type", repl(`"2025-10-10"`, `5`), "valid_from", "valid_from", ""},
		{"valid_to before", repl(`"valid_to":null`, `"valid_to":"2025-01-01"`), "valid_to", "not after", ""},
		{"valid_to year", repl(`"valid_to":null`, `"valid_to":"10000-01-01"`), "valid_to", "valid_to", ""},
		{"no precision", repl(`"precision_m":25,`, ``), "precision_m", "precision_m is missing", ""},
		{"negative precision", repl(`"precision_m":25`, `"precision_m":-1`), "precision_m", "precision_m", ""},
		{"no sources", repl(`,"sources":[{"title":"S","url":"https://example.org"}]`, ``), "sources", "sources is missing", ""},
		{"empty sources", repl(`[{"title":"S","url":"https://example.org"}]`, `[]`), "sources", "sources", ""},
		{"untitled source", repl(`"title":"S",`, ``), "sources", "title", ""},
		{"properties array", `{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[1,2]},"properties":[1]}`, "properties", "properties", ""},
		{"bad UTF-8 property", repl(`"note":"x"`, "\"note\":\"\xff\""), "properties.note", "properties.note", ""},
		{"comment type", repl(`"type":"Feature",`, `"type":"Feature","comment":5,`), "comment", "comment", ""},
		{"comment UTF-8", repl(`"type":"Feature",`, "\"type\":\"Feature\",\"comment\":\"\xff\","), "comment", "comment", ""},
		{"deep", `{"type":"Feature","x":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`, "body", "nests", ""},
		{"huge", `{"type":"Feature","x":"` + strings.Repeat("x", geojson.MaxFeatureBytes) + `"}`, "body", "larger", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, err := geojson.DecodeFeature([]byte(c.body), "l", "", geojson.Options{Kind: c.kind})
			if err == nil {
				t.Fatalf("accepted: %+v", w.Feature)
			}
			if p := param(err); p != c.param || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q (param %q); want param %q and a message naming %q", err, p, c.param, c.want)
			}
		})
	}
}

// FuzzDecodeFeature checks that any body is either refused with an
// ErrInvalid naming a member, or gives a feature that passes the import
// rules and survives encoding and decoding again unchanged.
func FuzzDecodeFeature(f *testing.F) {
	f.Add([]byte(okFeature))
	f.Add([]byte(`{"type":"Feature","geometry":{"type":"GeometryCollection","geometries":[]},"properties":null}`))
	f.Add([]byte(`{"type":"Feature","id":7,"comment":"c","geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]},"properties":{"precision_m":0,"sources":[{"title":"t"}],"valid_to":"2020-01-01T00:00:00.5Z"}}`))
	f.Add([]byte(`{"type":"Feature","id":"x","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":{"id":"y"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		w, err := geojson.DecodeFeature(body, "l", "d", geojson.Options{})
		if err != nil {
			var ge *geo.Error
			if !errors.Is(err, geo.ErrInvalid) || !errors.As(err, &ge) || ge.Param == "" {
				t.Fatalf("error %v is not an ErrInvalid naming a member", err)
			}
			return
		}
		l := geo.Layer{ID: "l", Title: "L", Kind: geo.KindMixed}
		if err := geo.CheckImport(&l, w.Feature); err != nil {
			t.Fatalf("decoded feature breaks the import rules: %v", err)
		}
		again, err := geojson.DecodeFeature(geojson.AppendFeature(nil, w.Feature), "l", "", geojson.Options{})
		if err != nil {
			t.Fatalf("re-decoding the encoded feature: %v", err)
		}
		a, b := geojson.AppendFeature(nil, w.Feature), geojson.AppendFeature(nil, again.Feature)
		if string(a) != string(b) {
			t.Fatalf("round trip changed the feature:\n%s\n%s", a, b)
		}
	})
}
