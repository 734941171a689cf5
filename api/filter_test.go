package api_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// itemsOf returns the features of an items query, one page of up to
// 10000, failing unless it answers 200.
func itemsOf(t *testing.T, srv *httptest.Server, collection string, query url.Values) featureCollection {
	t.Helper()
	if !query.Has("limit") {
		query.Set("limit", "10000")
	}
	r := get(t, srv.URL+"/collections/"+collection+"/items?"+query.Encode())
	if r.status != 200 {
		t.Fatalf("%s: status %d: %s", query.Encode(), r.status, r.body)
	}
	fc := decode[featureCollection](t, r)
	if fc.NumberMatched != len(fc.Features) && !query.Has("offset") && query.Get("limit") == "10000" {
		t.Errorf("%s: numberMatched %d, %d features", query.Encode(), fc.NumberMatched, len(fc.Features))
	}
	return fc
}

func idList(fc featureCollection) []string {
	var ids []string
	for _, f := range fc.Features {
		ids = append(ids, f.ID)
	}
	return ids
}

func sorted(ids []string) []string {
	ids = slices.Clone(ids)
	sort.Strings(ids)
	return ids
}

// instant reads valid_from or valid_to as served, a date or a date-time.
func instant(t *testing.T, v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d, true
	}
	ts, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("valid time %q is neither a date nor a date-time", s)
	}
	return ts, true
}

// TestFilter checks the filters of items against the same selection made
// here from every feature of the layer.
func TestFilter(t *testing.T) { forEachStore(t, testFilter) }

func testFilter(t *testing.T, srv *httptest.Server) {
	all := itemsOf(t, srv, "events", url.Values{})
	cut := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	var visits, early, visitsOrPlans []string
	for _, f := range all.Features {
		from, ok := instant(t, f.Properties["valid_from"])
		cat := f.Properties["category"]
		if cat == "visit" {
			visits = append(visits, f.ID)
			if ok && from.Before(cut) {
				early = append(early, f.ID)
			}
		}
		if cat == "visit" || cat == "plan" {
			visitsOrPlans = append(visitsOrPlans, f.ID)
		}
	}
	if len(early) == 0 || len(early) == len(all.Features) || len(visitsOrPlans) == len(visits) {
		t.Fatalf("the seed data no longer fits this test: %d events, %d early visits", len(all.Features), len(early))
	}
	text := itemsOf(t, srv, "events", url.Values{"filter": {"category='visit' AND valid_from < TIMESTAMP('2025-11-01T00:00:00Z')"}, "filter-lang": {"cql2-text"}})
	js := itemsOf(t, srv, "events", url.Values{"filter": {`{"op":"and","args":[{"op":"=","args":[{"property":"category"},"visit"]},{"op":"<","args":[{"property":"valid_from"},{"timestamp":"2025-11-01T00:00:00Z"}]}]}`}, "filter-lang": {"cql2-json"}})
	if got := idList(text); !slices.Equal(got, early) {
		t.Errorf("cql2-text filter: %v, want %v", got, early)
	}
	if got := idList(js); !slices.Equal(got, early) {
		t.Errorf("cql2-json filter: %v, want %v", got, early)
	}
	for _, tt := range []struct {
		query url.Values
		want  []string
	}{
		{url.Values{"category": {"visit"}}, visits},
		{url.Values{"category": {"visit,plan"}}, visitsOrPlans},
		{url.Values{"filter": {"category IN ('visit', 'plan')"}}, visitsOrPlans},
		{url.Values{"filter": {"CASEI(category) LIKE CASEI('VIS%')"}}, visits},
		{url.Values{"category": {"visit"}, "filter": {"valid_from < DATE('2025-11-01')"}}, early},
		{url.Values{"filter": {"T_INTERSECTS(INTERVAL(valid_from, valid_to), DATE('2025-10-10'))"}}, idList(itemsOf(t, srv, "events", url.Values{"datetime": {"2025-10-10"}}))},
		{url.Values{"filter": {"S_INTERSECTS(geometry, BBOX(34.2, 31.2, 34.4, 31.4))"}}, idList(itemsOf(t, srv, "events", url.Values{"bbox": {"34.2,31.2,34.4,31.4"}}))},
		{url.Values{"filter": {"S_INTERSECTS(geometry, BBOX(31.2, 34.2, 31.4, 34.4))"}, "filter-crs": {"http://www.opengis.net/def/crs/EPSG/0/4326"}}, idList(itemsOf(t, srv, "events", url.Values{"bbox": {"34.2,31.2,34.4,31.4"}}))},
		{url.Values{"filter": {"S_WITHIN(geometry, POLYGON((34.2 31.2, 34.4 31.2, 34.4 31.4, 34.2 31.4, 34.2 31.2)))"}}, idList(itemsOf(t, srv, "events", url.Values{"bbox": {"34.2,31.2,34.4,31.4"}}))},
	} {
		got := idList(itemsOf(t, srv, "events", tt.query))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.query.Encode(), got, tt.want)
		}
	}
	// numberMatched counts the filtered set, and next pages through it.
	page := itemsOf(t, srv, "events", url.Values{"category": {"visit"}, "limit": {"2"}})
	if page.NumberMatched != len(visits) || len(page.Features) != min(2, len(visits)) {
		t.Errorf("first page: numberMatched %d, %d features; want %d matched", page.NumberMatched, len(page.Features), len(visits))
	}
	var paged []string
	for next := srv.URL + "/collections/events/items?category=visit&limit=2"; next != ""; {
		fc := decode[featureCollection](t, get(t, next))
		paged = append(paged, idList(fc)...)
		next = fc.link("next")
	}
	if !slices.Equal(paged, visits) {
		t.Errorf("paging the filter: %v, want %v", paged, visits)
	}
}

// TestFilterErrors checks that bad filters are 400s naming the
// parameter, and for syntax errors the position.
func TestFilterErrors(t *testing.T) { forEachStore(t, testFilterErrors) }

func testFilterErrors(t *testing.T, srv *httptest.Server) {
	for _, tt := range []struct{ query, param, want string }{
		{"filter=category%3D'visit'%20AND", "filter", "at character 21"},
		{"filter=category%20%3D%3D%20'visit'", "filter", "at character 11"},
		{"filter=nope%3D1", "filter", `"nope" is not a queryable`},
		{"filter=category%3D1", "filter", "cannot compare text with a number"},
		{"filter=%7B%22op%22:&filter-lang=cql2-json", "filter", "not valid JSON"},
		{"filter=x&filter-lang=cql", "filter-lang", "filter-lang \"cql\""},
		{"filter=category%3D'a'&filter-crs=EPSG:3857", "filter-crs", "filter-crs"},
		{"filter-lang=cql2-text", "filter", "need a filter"},
		{"sortby=nope", "sortby", `"nope" is not a queryable`},
		{"sortby=geometry", "sortby", `"geometry" is not a queryable to sort on`},
		{"properties=nope", "properties", `"nope" is not a property`},
		{"precision=3", "precision", "unknown query parameter"},
		{"location_precision_m=x", "location_precision_m", "is not a number"},
		{"approximate=yes", "approximate", "is not true or false"},
	} {
		r := get(t, srv.URL+"/collections/events/items?"+tt.query)
		body := decode[struct{ Code, Description, Param string }](t, r)
		if r.status != 400 || body.Param != tt.param || !strings.Contains(body.Description, tt.want) {
			t.Errorf("%s: %d %+v, want 400 for %s containing %q", tt.query, r.status, body, tt.param, tt.want)
		}
	}
}

// TestSortAndProperties checks sortby, paged, and properties.
func TestSortAndProperties(t *testing.T) { forEachStore(t, testSortAndProperties) }

func testSortAndProperties(t *testing.T, srv *httptest.Server) {
	byFrom := itemsOf(t, srv, "events", url.Values{"sortby": {"-valid_from,+name"}})
	if len(byFrom.Features) < 5 {
		t.Fatalf("%d events", len(byFrom.Features))
	}
	for i := 1; i < len(byFrom.Features); i++ {
		a, _ := instant(t, byFrom.Features[i-1].Properties["valid_from"])
		b, _ := instant(t, byFrom.Features[i].Properties["valid_from"])
		na, nb := byFrom.Features[i-1].Properties["name"].(string), byFrom.Features[i].Properties["name"].(string)
		if a.Before(b) || (a.Equal(b) && na > nb) {
			t.Errorf("sortby=-valid_from,+name: %s (%v %q) before %s (%v %q)", byFrom.Features[i-1].ID, a, na, byFrom.Features[i].ID, b, nb)
		}
	}
	all := idList(byFrom)
	if !slices.Equal(sorted(all), sorted(idList(itemsOf(t, srv, "events", url.Values{})))) {
		t.Error("sorting lost or added features")
	}
	// Pages of a sorted query follow each other.
	var paged []string
	for next := srv.URL + "/collections/events/items?sortby=-valid_from,%2Bname&limit=3"; next != ""; {
		fc := decode[featureCollection](t, get(t, next))
		if fc.NumberMatched != len(all) {
			t.Errorf("numberMatched %d, want %d", fc.NumberMatched, len(all))
		}
		paged = append(paged, idList(fc)...)
		next = fc.link("next")
	}
	if !slices.Equal(paged, all) {
		t.Errorf("sorted pages: %v, want %v", paged, all)
	}
	past := itemsOf(t, srv, "events", url.Values{"sortby": {"name"}, "offset": {"1000"}, "limit": {"5"}})
	if len(past.Features) != 0 || past.NumberMatched != len(all) {
		t.Errorf("a sorted page past the end: %d features, numberMatched %d", len(past.Features), past.NumberMatched)
	}
	big := itemsOf(t, srv, "events", url.Values{"precision_m": {"20000"}, "sortby": {"-name"}})
	for _, f := range big.Features {
		if f.Properties["precision_m"] != float64(20000) {
			t.Errorf("precision_m=20000 gave %s with %v", f.ID, f.Properties["precision_m"])
		}
	}
	if len(big.Features) == 0 {
		t.Error("precision_m=20000 gave no events")
	}
	byName := itemsOf(t, srv, "towns", url.Values{"sortby": {"name"}, "properties": {"name,kind"}})
	var names []string
	for _, f := range byName.Features {
		names = append(names, f.Properties["name"].(string))
		for k := range f.Properties {
			if k != "name" && k != "kind" {
				t.Errorf("properties=name,kind: feature %s has %q", f.ID, k)
			}
		}
	}
	if len(names) < 3 || !slices.IsSorted(names) {
		t.Errorf("sortby=name: %q", names)
	}
	r := get(t, srv.URL+"/collections/towns/items?properties=name&limit=1")
	if !bytes.Contains(r.body, []byte(`"geometry":{`)) || bytes.Contains(r.body, []byte(`"sources"`)) {
		t.Errorf("properties=name keeps the geometry and drops the rest: %.300s", r.body)
	}
}

// TestQueryables checks the queryables document, as JSON Schema, and
// the conformance classes of filtering.
func TestQueryables(t *testing.T) { forEachStore(t, testQueryables) }

func testQueryables(t *testing.T, srv *httptest.Server) {
	r := get(t, srv.URL+"/collections/events/queryables")
	if r.status != 200 || r.header.Get("Content-Type") != "application/schema+json" {
		t.Fatalf("queryables: %d %q", r.status, r.header.Get("Content-Type"))
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("queryables.json", doc); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Compile("queryables.json"); err != nil {
		t.Errorf("not a valid JSON Schema: %v", err)
	}
	q := decode[struct {
		Schema     string `json:"$schema"`
		Properties map[string]map[string]any
	}](t, r)
	if q.Schema != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema %q", q.Schema)
	}
	for name, want := range map[string]string{"geometry": "primary-geometry", "valid_from": "primary-interval-start", "valid_to": "primary-interval-end"} {
		if q.Properties[name]["x-ogc-role"] != want {
			t.Errorf("%s: x-ogc-role %v, want %s", name, q.Properties[name]["x-ogc-role"], want)
		}
	}
	if q.Properties["category"]["type"] != "string" || q.Properties["valid_from"]["format"] != "date-time" {
		t.Errorf("types: category %v, valid_from %v", q.Properties["category"], q.Properties["valid_from"])
	}
	if _, ok := q.Properties["sources"]; ok {
		t.Error("sources, an array of objects, is listed as a queryable")
	}
	coll := get(t, srv.URL+"/collections/events")
	if !regexp.MustCompile(`"href":"[^"]*/collections/events/queryables","rel":"http://www.opengis.net/def/rel/ogc/1.0/queryables","type":"application/schema\+json"`).Match(coll.body) {
		t.Errorf("the collection has no queryables link: %.500s", coll.body)
	}
	conf := string(get(t, srv.URL+"/conformance").body)
	for _, c := range []string{"ogcapi-features-3/1.0/conf/filter", "ogcapi-features-3/1.0/conf/features-filter", "ogcapi-features-3/1.0/conf/queryables\"",
		"ogcapi-features-3/1.0/conf/queryables-query-parameters", "cql2/1.0/conf/basic-cql2", "cql2/1.0/conf/cql2-text", "cql2/1.0/conf/cql2-json",
		"cql2/1.0/conf/advanced-comparison-operators", "cql2/1.0/conf/basic-spatial-functions\"", "cql2/1.0/conf/temporal-functions"} {
		if !strings.Contains(conf, "http://www.opengis.net/spec/"+c) {
			t.Errorf("conformance lacks %s", c)
		}
	}
	// The OpenAPI document declares each queryable property as a
	// parameter of the collection's own items path, as GDAL reads it.
	var api struct {
		Paths map[string]map[string]struct {
			Parameters []map[string]any
		}
	}
	json.Unmarshal(get(t, srv.URL+"/api").body, &api)
	found := false
	for _, p := range api.Paths["/collections/events/items"]["get"].Parameters {
		if p["name"] == "category" && p["in"] == "query" {
			found = true
		}
	}
	if !found {
		t.Errorf("/api does not declare category on /collections/events/items: %v", api.Paths["/collections/events/items"])
	}
}
