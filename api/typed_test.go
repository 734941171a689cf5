package api_test

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"strata/geo"
)

type geomFC struct {
	NumberMatched int `json:"numberMatched"`
	Features      []struct {
		ID       string `json:"id"`
		Geometry struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
}

// points returns every position of a GeoJSON coordinates member.
func points(t *testing.T, raw json.RawMessage) []orb.Point {
	t.Helper()
	var p orb.Point
	if json.Unmarshal(raw, &p) == nil {
		return []orb.Point{p}
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatalf("coordinates %s: %v", raw, err)
	}
	var out []orb.Point
	for _, m := range list {
		out = append(out, points(t, m)...)
	}
	return out
}

func TestCRS(t *testing.T) { forEachStore(t, testCRS) }

// testCRS checks Part 2: items and a feature in each CRS, the same
// positions as CRS84 transformed, Content-Crs on every answer, bbox-crs,
// and 400s naming crs and bbox-crs.
func testCRS(t *testing.T, srv *httptest.Server) {
	items := srv.URL + "/collections/towns/items?limit=1000"
	base := get(t, items)
	if got := base.header.Get("Content-Crs"); got != "<"+geo.CRS84+">" {
		t.Errorf("items without crs: Content-Crs %q", got)
	}
	ref := decode[geomFC](t, base)
	if len(ref.Features) == 0 {
		t.Fatal("no towns")
	}
	for _, uri := range []string{geo.CRS84, geo.EPSG4326, geo.EPSG3857} {
		c, _ := geo.ParseCRS("crs", uri)
		r := get(t, items+"&crs="+url.QueryEscape(uri))
		if r.status != 200 || r.header.Get("Content-Crs") != "<"+uri+">" {
			t.Fatalf("crs=%s: status %d, Content-Crs %q", uri, r.status, r.header.Get("Content-Crs"))
		}
		fc := decode[geomFC](t, r)
		if len(fc.Features) != len(ref.Features) {
			t.Fatalf("crs=%s: %d features, want %d", uri, len(fc.Features), len(ref.Features))
		}
		for i, f := range fc.Features {
			want, got := points(t, ref.Features[i].Geometry.Coordinates), points(t, f.Geometry.Coordinates)
			if len(got) != len(want) || f.ID != ref.Features[i].ID {
				t.Fatalf("crs=%s: feature %s has %d positions, want %d", uri, f.ID, len(got), len(want))
			}
			for j := range got {
				back := c.ToCRS84(got[j])
				if math.Abs(back[0]-want[j][0]) > 1e-9 || math.Abs(back[1]-want[j][1]) > 1e-9 {
					t.Fatalf("crs=%s: %s position %d is %v, %v in CRS84; want %v", uri, f.ID, j, got[j], back, want[j])
				}
			}
			if uri == geo.EPSG4326 && got[0] != (orb.Point{want[0][1], want[0][0]}) {
				t.Errorf("EPSG:4326: %v, want latitude first of %v", got[0], want[0])
			}
			if uri == geo.EPSG3857 && math.Abs(got[0][0]) < 1e6 {
				t.Errorf("EPSG:3857: %v is not in metres", got[0])
			}
		}
	}
	// Filtering, sorting and choosing properties keep the CRS.
	merc3857 := items + "&crs=" + url.QueryEscape(geo.EPSG3857)
	byID := map[string]any{}
	for _, f := range decode[geomFC](t, get(t, merc3857)).Features {
		byID[f.ID] = points(t, f.Geometry.Coordinates)[0]
	}
	for _, extra := range []string{"&properties=name", "&sortby=-name", "&filter=" + url.QueryEscape("name <> ''")} {
		fc := decode[geomFC](t, get(t, merc3857+extra))
		if len(fc.Features) != len(byID) {
			t.Fatalf("crs=EPSG:3857%s: %d features, want %d", extra, len(fc.Features), len(byID))
		}
		for _, f := range fc.Features {
			if got := points(t, f.Geometry.Coordinates)[0]; got != byID[f.ID] {
				t.Errorf("crs=EPSG:3857%s: %s at %v, want %v", extra, f.ID, got, byID[f.ID])
			}
		}
	}
	// One feature, and its Content-Crs also without crs.
	id := ref.Features[0].ID
	one := get(t, srv.URL+"/collections/towns/items/"+id+"?crs="+url.QueryEscape(geo.EPSG3857))
	if one.status != 200 || one.header.Get("Content-Crs") != "<"+geo.EPSG3857+">" {
		t.Errorf("feature in EPSG:3857: status %d, Content-Crs %q", one.status, one.header.Get("Content-Crs"))
	}
	if r := get(t, srv.URL+"/collections/towns/items/"+id); r.header.Get("Content-Crs") != "<"+geo.CRS84+">" {
		t.Errorf("feature: Content-Crs %q", r.header.Get("Content-Crs"))
	}
	// The same box in each CRS selects the same features.
	want := decode[geomFC](t, get(t, items+"&bbox=34.2,31.2,34.5,31.6")).NumberMatched
	if want == 0 || want == len(ref.Features) {
		t.Fatalf("the test box selects %d of %d towns", want, len(ref.Features))
	}
	merc, _ := geo.ParseCRS("crs", geo.EPSG3857)
	m := func(lon, lat float64) orb.Point { return merc.Project(orb.Point{lon, lat}).(orb.Point) }
	ftoa := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	lo, hi := m(34.2, 31.2), m(34.5, 31.6)
	for _, q := range []string{
		"&bbox=31.2,34.2,31.6,34.5&bbox-crs=" + url.QueryEscape(geo.EPSG4326),
		"&bbox=" + url.QueryEscape(strings.Join([]string{ftoa(lo[0]), ftoa(lo[1]), ftoa(hi[0]), ftoa(hi[1])}, ",")) + "&bbox-crs=" + url.QueryEscape(geo.EPSG3857),
		"&bbox=34.2,31.2,34.5,31.6&bbox-crs=" + url.QueryEscape(geo.CRS84) + "&crs=" + url.QueryEscape(geo.EPSG3857),
	} {
		if got := decode[geomFC](t, get(t, items+q)).NumberMatched; got != want {
			t.Errorf("%s: %d features, want %d", q, got, want)
		}
	}
	for _, c := range []struct{ q, param string }{
		{"?crs=EPSG:4326", "crs"},
		{"?crs=http://www.opengis.net/def/crs/EPSG/0/2039", "crs"},
		{"?bbox=34,31,35,32&bbox-crs=urn:ogc:def:crs:EPSG::4326", "bbox-crs"},
		{"?bbox=31,34,32&bbox-crs=" + url.QueryEscape(geo.EPSG4326), "bbox"},
	} {
		r := get(t, srv.URL+"/collections/towns/items"+c.q)
		e := decode[struct{ Code, Description, Param string }](t, r)
		if r.status != 400 || !strings.Contains(e.Description, c.param) {
			t.Errorf("%s: status %d, %+v; want a 400 naming %s", c.q, r.status, e, c.param)
		}
	}
	if r := get(t, srv.URL+"/collections/towns/items/"+id+"?crs=x"); r.status != 400 {
		t.Errorf("feature with crs=x: status %d", r.status)
	}
	// Collections list the CRSs; the conformance declares Part 2.
	cs := decode[struct {
		CRS         []string `json:"crs"`
		Collections []struct {
			ID         string   `json:"id"`
			CRS        []string `json:"crs"`
			StorageCRS string   `json:"storageCrs"`
		} `json:"collections"`
	}](t, get(t, srv.URL+"/collections"))
	if !slices.Equal(cs.CRS, geo.CRSList()) {
		t.Errorf("/collections crs %v", cs.CRS)
	}
	for _, c := range cs.Collections {
		if !slices.Equal(c.CRS, geo.CRSList()) || c.StorageCRS != geo.CRS84 {
			t.Errorf("%s: crs %v, storageCrs %q", c.ID, c.CRS, c.StorageCRS)
		}
	}
	conf := decode[struct{ ConformsTo []string }](t, get(t, srv.URL+"/conformance"))
	for _, c := range []string{"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs", "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas"} {
		if !slices.Contains(conf.ConformsTo, c) {
			t.Errorf("conformance lacks %s", c)
		}
	}
}

func TestSchema(t *testing.T) { forEachStore(t, testSchema) }

// testSchema checks each collection's schema: a valid JSON Schema
// 2020-12 document, valid_from and valid_to date-times (also where every
// valid_to is null), and every feature's properties valid against it.
func testSchema(t *testing.T, srv *httptest.Server) {
	cs := decode[struct{ Collections []struct{ ID string } }](t, get(t, srv.URL+"/collections"))
	sawAllNullEnd := false
	for _, c := range cs.Collections {
		r := get(t, srv.URL+"/collections/"+c.ID+"/schema")
		if r.status != 200 || r.header.Get("Content-Type") != "application/schema+json" {
			t.Fatalf("%s/schema: status %d, type %q", c.ID, r.status, r.header.Get("Content-Type"))
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		comp := jsonschema.NewCompiler()
		comp.AssertFormat()
		if err := comp.AddResource("schema.json", doc); err != nil {
			t.Fatal(err)
		}
		sch, err := comp.Compile("schema.json")
		if err != nil {
			t.Fatalf("%s/schema is not a valid JSON Schema: %v", c.ID, err)
		}
		s := decode[struct {
			Schema     string `json:"$schema"`
			Properties map[string]struct {
				Type   any    `json:"type"`
				Format string `json:"format"`
				Role   string `json:"x-ogc-role"`
			}
		}](t, r)
		if s.Schema != "https://json-schema.org/draft/2020-12/schema" {
			t.Errorf("%s: $schema %q", c.ID, s.Schema)
		}
		for k, role := range map[string]string{"valid_from": "primary-interval-start", "valid_to": "primary-interval-end"} {
			p := s.Properties[k]
			if p.Format != "date-time" || p.Role != role {
				t.Errorf("%s: %s is %+v, want a date-time with role %s", c.ID, k, p, role)
			}
		}
		if s.Properties["citation"].Type != "string" || s.Properties["geometry"].Role != "primary-geometry" {
			t.Errorf("%s: citation %+v, geometry %+v", c.ID, s.Properties["citation"], s.Properties["geometry"])
		}
		fc := decode[geomFC](t, get(t, srv.URL+"/collections/"+c.ID+"/items?limit=10000"))
		allNull := len(fc.Features) > 0
		for _, f := range fc.Features {
			allNull = allNull && f.Properties["valid_to"] == nil
			for k := range f.Properties {
				if _, ok := s.Properties[k]; !ok {
					t.Errorf("%s: property %s of %s is not in the schema", c.ID, k, f.ID)
				}
			}
			b, _ := json.Marshal(f.Properties)
			inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err := sch.Validate(inst); err != nil {
				t.Errorf("%s: the properties of %s do not match the schema: %v", c.ID, f.ID, err)
			}
		}
		sawAllNullEnd = sawAllNullEnd || allNull
	}
	if !sawAllNullEnd {
		t.Error("no collection has valid_to null in every feature: the test does not check that case")
	}
	// The GeoJSON feature schema GDAL reads (rel describedBy): one type a
	// property, valid_to a nullable date-time in a layer still valid.
	coll := decode[struct {
		Links []struct{ Href, Rel, Type string }
	}](t, get(t, srv.URL+"/collections/lines"))
	described := ""
	for _, l := range coll.Links {
		if l.Rel == "describedBy" && l.Type == "application/schema+json" {
			described = l.Href
		}
	}
	if described == "" {
		t.Fatalf("lines has no describedBy link to a JSON schema: %+v", coll.Links)
	}
	fs := decode[struct {
		Properties struct {
			Properties struct {
				Properties map[string]struct {
					Type     string `json:"type"`
					Format   string `json:"format"`
					Nullable bool   `json:"nullable"`
				}
			}
		}
	}](t, get(t, described))
	fp := fs.Properties.Properties.Properties
	for _, k := range []string{"valid_from", "valid_to"} {
		if p := fp[k]; p.Type != "string" || p.Format != "date-time" || !p.Nullable {
			t.Errorf("geojson-schema %s = %+v, want a nullable date-time string", k, p)
		}
	}
	if fp["citation"].Type != "string" || fp["name"].Type != "string" || fp["precision_m"].Type != "number" {
		t.Errorf("geojson-schema citation %+v, name %+v, precision_m %+v", fp["citation"], fp["name"], fp["precision_m"])
	}
	if r := get(t, srv.URL+"/collections/nope/schema"); r.status != 404 {
		t.Errorf("schema of an unknown collection: status %d", r.status)
	}
	if r := get(t, srv.URL+"/collections/towns/schema?x=1"); r.status != 400 {
		t.Errorf("schema with an unknown parameter: status %d", r.status)
	}
}
