package api_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"strata/api"
	"strata/data/postgis"
	"strata/data/seed"
	"strata/data/sqlite"
	"strata/internal/pgtest"
)

// seededDB opens a SQLite file holding the seed dataset.
func seededDB(t testing.TB) *sqlite.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := seed.Apply(ctx, db, db); err != nil {
		t.Fatal(err)
	}
	return db
}

// forEachStore runs test as a subtest against the real handler on the
// seed in each engine: a SQLite file, and a PostgreSQL database (skipped
// without one, except under CI, see internal/pgtest).
func forEachStore(t *testing.T, test func(t *testing.T, srv *httptest.Server)) {
	t.Run("sqlite", func(t *testing.T) { test(t, newServer(t)) })
	t.Run("postgres", func(t *testing.T) {
		ctx := context.Background()
		pg, err := postgis.Open(ctx, pgtest.URL(t), postgis.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pg.Close() })
		if _, err := seed.Apply(ctx, pg, pg); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(api.New(api.Config{Store: pg, Briefings: pg}).Handler())
		t.Cleanup(srv.Close)
		test(t, srv)
	})
}

// newServer starts the real handler on a seeded SQLite file.
func newServer(t testing.TB) *httptest.Server {
	t.Helper()
	db := seededDB(t)
	srv := httptest.NewServer(api.New(api.Config{Store: db, Briefings: db}).Handler())
	t.Cleanup(srv.Close)
	return srv
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func do(t testing.TB, method, url string, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, body}
}

func get(t testing.TB, url string) response { return do(t, http.MethodGet, url, nil) }

func decode[T any](t testing.TB, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("bad JSON (%v): %.300s", err, r.body)
	}
	return v
}

type featureCollection struct {
	Type           string `json:"type"`
	NumberMatched  int    `json:"numberMatched"`
	NumberReturned int    `json:"numberReturned"`
	TimeStamp      string `json:"timeStamp"`
	Features       []struct {
		ID         string         `json:"id"`
		Properties map[string]any `json:"properties"`
		Time       any            `json:"time"`
	} `json:"features"`
	Links []api.Link `json:"links"`
}

func (fc featureCollection) ids() map[string]bool {
	m := map[string]bool{}
	for _, f := range fc.Features {
		m[f.ID] = true
	}
	return m
}

func (fc featureCollection) link(rel string) string {
	for _, l := range fc.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

func TestDatedQueries(t *testing.T) { forEachStore(t, testDatedQueries) }

func testDatedQueries(t *testing.T, srv *httptest.Server) {
	cases := []struct {
		layer, datetime, id string
		present             bool
	}{
		{"lines", "2025-10-09", "yellow_line_2025_10_10", false},
		{"lines", "2025-10-10", "yellow_line_2025_10_10", true},
		{"lines", "2025-11-01", "yellow_line_2025_10_10", true},
		{"lines", "2025-10-09T23:59:59Z", "yellow_line_2025_10_10", false},
		{"lines", "2025-10-10T00:00:00Z", "yellow_line_2025_10_10", true},
		{"facilities", "2025-10-17/..", "cmcc_kiryat_gat", true},
		{"facilities", "../2025-10-01", "cmcc_kiryat_gat", false},
		{"facilities", "2025-10-16", "cmcc_kiryat_gat", false},
		{"facilities", "0000-01-01T00:00:00Z/9999-12-31T23:59:59Z", "cmcc_kiryat_gat", true},
		{"facilities", "2025-10-01/2025-10-17", "cmcc_kiryat_gat", true},
	}
	for _, c := range cases {
		t.Run(c.layer+"@"+c.datetime, func(t *testing.T) {
			r := get(t, srv.URL+"/collections/"+c.layer+"/items?datetime="+c.datetime)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			fc := decode[featureCollection](t, r)
			if fc.ids()[c.id] != c.present {
				t.Errorf("%s present = %v, want %v", c.id, !c.present, c.present)
			}
			if fc.NumberMatched != len(fc.Features) || fc.NumberReturned != len(fc.Features) {
				t.Errorf("numberMatched %d, numberReturned %d, features %d", fc.NumberMatched, fc.NumberReturned, len(fc.Features))
			}
		})
	}
}

func TestFeatureProperties(t *testing.T) { forEachStore(t, testFeatureProperties) }

func testFeatureProperties(t *testing.T, srv *httptest.Server) {
	r := get(t, srv.URL+"/collections/lines/items/yellow_line_2025_10_10")
	if r.status != 200 || r.header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("status %d, type %q", r.status, r.header.Get("Content-Type"))
	}
	var f struct {
		ID         string         `json:"id"`
		Properties map[string]any `json:"properties"`
		Time       map[string]any `json:"time"`
		Links      []api.Link     `json:"links"`
	}
	f = decode[struct {
		ID         string         `json:"id"`
		Properties map[string]any `json:"properties"`
		Time       map[string]any `json:"time"`
		Links      []api.Link     `json:"links"`
	}](t, r)
	if f.ID != "yellow_line_2025_10_10" {
		t.Errorf("id = %q", f.ID)
	}
	p := f.Properties
	if p["valid_from"] != "2025-10-10" || p["valid_to"] != nil {
		t.Errorf("valid_from %v, valid_to %v", p["valid_from"], p["valid_to"])
	}
	if pm, _ := p["precision_m"].(float64); pm < 1000 {
		t.Errorf("precision_m = %v, want the stated ±1.5 km", p["precision_m"])
	}
	if srcs, _ := p["sources"].([]any); len(srcs) == 0 {
		t.Errorf("no sources")
	}
	if iv, _ := f.Time["interval"].([]any); len(iv) != 2 || iv[0] != "2025-10-10" || iv[1] != ".." {
		t.Errorf("JSON-FG time = %v", f.Time)
	}
	rels := map[string]bool{}
	for _, l := range f.Links {
		rels[l.Rel] = l.Type != ""
	}
	for _, rel := range []string{"self", "alternate", "collection"} {
		if !rels[rel] {
			t.Errorf("link %q missing or without type", rel)
		}
	}
}

func TestPagingVisitsEveryFeatureOnce(t *testing.T) {
	forEachStore(t, testPagingVisitsEveryFeatureOnce)
}

func testPagingVisitsEveryFeatureOnce(t *testing.T, srv *httptest.Server) {
	for _, layer := range []string{"events", "towns", "crossings"} {
		t.Run(layer, func(t *testing.T) {
			all := decode[featureCollection](t, get(t, srv.URL+"/collections/"+layer+"/items?limit=10000"))
			seen := map[string]int{}
			url := srv.URL + "/collections/" + layer + "/items?limit=2"
			pages := 0
			for url != "" && pages < 1000 {
				fc := decode[featureCollection](t, get(t, url))
				if fc.NumberMatched != len(all.Features) {
					t.Fatalf("numberMatched %d, want %d", fc.NumberMatched, len(all.Features))
				}
				if fc.NumberReturned != len(fc.Features) || len(fc.Features) > 2 {
					t.Fatalf("page %d: numberReturned %d, %d features", pages, fc.NumberReturned, len(fc.Features))
				}
				for _, f := range fc.Features {
					seen[f.ID]++
				}
				if pages > 0 && fc.link("prev") == "" {
					t.Errorf("page %d has no prev link", pages)
				}
				url = fc.link("next")
				pages++
			}
			if len(seen) != len(all.Features) {
				t.Errorf("visited %d distinct features, want %d", len(seen), len(all.Features))
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("feature %s visited %d times", id, n)
				}
			}
		})
	}
}

func TestMalformedRequests(t *testing.T) { forEachStore(t, testMalformedRequests) }

func testMalformedRequests(t *testing.T, srv *httptest.Server) {
	items := "/collections/towns/items"
	cases := []struct {
		method, path string
		status       int
		mention      string // the description must name this
	}{
		{"GET", items + "?bbox=1,2,3", 400, "bbox"},
		{"GET", items + "?bbox=a,b,c,d", 400, "bbox"},
		{"GET", items + "?bbox=NaN,1,2,3", 400, "bbox"},
		{"GET", items + "?bbox=0,-91,1,1", 400, "bbox"},
		{"GET", items + "?bbox=0,2,1,1", 400, "bbox"},
		{"GET", items + "?bbox=-200,0,1,1", 400, "bbox"},
		{"GET", items + "?bbox=1,2,3,4,5", 400, "bbox"},
		{"GET", items + "?bbox=", 400, "bbox"},
		{"GET", items + "?datetime=garbage", 400, "datetime"},
		{"GET", items + "?datetime=2025-13-01", 400, "datetime"},
		{"GET", items + "?datetime=2025-10-10T25:00:00Z", 400, "datetime"},
		{"GET", items + "?datetime=2025-10-10/2025-10-01", 400, "datetime"},
		{"GET", items + "?datetime=a/b/c", 400, "datetime"},
		{"GET", items + "?datetime=", 400, "datetime"},
		{"GET", items + "?datetime=2025-10-10/garbage", 400, "datetime"},
		{"GET", items + "?limit=0", 400, "limit"},
		{"GET", items + "?limit=-1", 400, "limit"},
		{"GET", items + "?limit=abc", 400, "limit"},
		{"GET", items + "?limit=1.5", 400, "limit"},
		{"GET", items + "?limit=99999999999999999999", 400, "limit"},
		{"GET", items + "?offset=-1", 400, "offset"},
		{"GET", items + "?offset=x", 400, "offset"},
		{"GET", items + "?color=red", 400, "color"},
		{"GET", items + "?limit=1&limit=2", 400, "limit"},
		{"GET", items + "?f=xml", 400, "f"},
		{"GET", "/collections?f=csv", 400, "f"},
		{"GET", "/conformance?x=1", 400, "x"},
		// The raw query string is read strictly: Go's own parser drops
		// these pairs silently.
		{"GET", items + "?bbox=34.0;31.0;34.1;31.1", 400, "bbox"},
		{"GET", items + "?limit=1;", 400, "limit"},
		{"GET", items + "?limit=%ZZ", 400, "limit"},
		{"GET", items + "?limit=5%", 400, "limit"},
		{"GET", items + "?x%ZZ=1", 400, "x%ZZ"},
		{"GET", items + "?foo=bar;", 400, "foo"},
		{"GET", items + "?limit=1;offset=2", 400, "limit"},
		{"GET", items + "?limit", 400, "limit"},
		{"GET", items + "?limit=1&&offset=2", 400, "empty"},
		{"GET", items + "?limit=1&", 400, "empty"},
		{"GET", items + "?=1", 400, "no name"},
		{"GET", items + "?datetime=2025-10-10&datetime=2025-10-11", 400, "datetime"},
		{"GET", items + "?zeta=1&alpha=2&beta=3", 400, `"zeta"`},
		{"GET", items + "?limit=1&beta=2&limit=%ZZ", 400, `"beta"`},
		{"GET", "/collections?f=json;", 400, "f"},
		{"GET", "/collections/towns?f=%G0", 400, "f"},
		{"GET", "/collections/events/histogram?x%ZZ=1", 400, "x%ZZ"},
		{"GET", "/collections/events/histogram?f=json;", 400, "f"},
		{"GET", "/tiles/WebMercatorQuad/8/105/152?datetime=2025-10-10;", 400, "datetime"},
		{"GET", "/xyz/8/152/105.mvt?datetime=%ZZ", 400, "datetime"},
		{"GET", "/tilejson.json?datetime=2025-10-10;", 400, "datetime"},
		{"GET", "/tileMatrixSets?a;b=1", 400, "a;b"},
		{"GET", "/briefings?f=json;", 400, "f"},
		{"GET", "/briefings/cmcc-ceasefire?f=%", 400, "f"},
		{"GET", "/api?f=json;", 400, "f"},
		{"GET", "/?f=json;", 400, "f"},
		{"GET", "/collections/nope", 404, "nope"},
		{"GET", "/collections/nope/items", 404, "nope"},
		{"GET", "/collections/towns/items/nope", 404, "nope"},
		{"GET", "/collections/nope/items/kiryat_gat", 404, "nope"},
		{"GET", "/no/such/path", 404, "/no/such/path"},
		{"POST", items, 401, "token"},
		{"DELETE", "/collections/towns", 405, "DELETE"},
		{"PUT", "/collections/towns/items/kiryat_gat", 401, "token"},
		// More of the hostile corpus: odd numbers, odd dates, odd paths.
		{"GET", items + "?bbox=1e999,0,1,1", 400, "bbox"},
		{"GET", items + "?bbox=-Inf,0,1,1", 400, "bbox"},
		{"GET", items + "?bbox=0x10,0,1,1", 400, "bbox"},
		{"GET", items + "?bbox=1_0,0,20,1", 400, "bbox"},
		{"GET", items + "?bbox=%2B1,0,2,1", 400, "bbox"},
		{"GET", items + "?bbox=.5,0,1,1", 400, "bbox"},
		{"GET", items + "?bbox=0,0,1,1,", 400, "bbox"},
		{"GET", items + "?bbox=,,,", 400, "bbox"},
		{"GET", items + "?bbox=0,0,5,1,2,1", 400, "bbox"},
		{"GET", items + "?bbox=0%00,0,1,1", 400, "bbox"},
		{"GET", items + "?bbox=" + strings.Repeat("1,", 5000) + "1", 400, "bbox"},
		{"GET", items + "?bbox=0,95,1,96", 400, "bbox"},
		{"GET", items + "?datetime=2025-10-10T00:00:00%2B24:00", 400, "datetime"},
		{"GET", items + "?datetime=2025-10-10T12:00:60Z", 400, "datetime"},
		{"GET", items + "?datetime=2025-02-30", 400, "datetime"},
		{"GET", items + "?datetime=10000-01-01", 400, "datetime"},
		{"GET", items + "?datetime=-2025-01-01", 400, "datetime"},
		{"GET", items + "?datetime=2025-10-10T10:00:00", 400, "datetime"},
		{"GET", items + "?datetime=2025-10-10T10:00:00,5Z", 400, "datetime"},
		{"GET", items + "?datetime=2025-10-10%2F%2F", 400, "datetime"},
		{"GET", items + "?datetime=..%2F..%2F..", 400, "datetime"},
		{"GET", items + "?datetime=" + strings.Repeat("9", 3000), 400, "datetime"},
		{"GET", items + "?datetime=2025-10-10T10%3A00%3A00Z%0A", 400, "datetime"},
		{"GET", items + "?limit=", 400, "limit"},
		{"GET", items + "?limit=1e3", 400, "limit"},
		{"GET", items + "?limit=0x10", 400, "limit"},
		{"GET", items + "?limit=%2B5", 400, "limit"},
		{"GET", items + "?limit=5%20", 400, "limit"},
		{"GET", items + "?offset=", 400, "offset"},
		{"GET", items + "?offset=1.0", 400, "offset"},
		{"GET", items + "?offset=99999999999999999999", 400, "offset"},
		{"GET", items + "?f=xml", 400, "f"},
		{"GET", items + "?f=", 400, "f"},
		{"GET", items + "?limit=1&limit=2", 400, "limit"},
		{"GET", items + "?bbox=0,0,1,1&bbox=0,0,1,1", 400, "bbox"},
		{"GET", items + "?crs=EPSG:4326", 400, "crs"},
		{"GET", items + "?filter=name%3D", 400, "filter"},
		{"GET", "/collections/towns/histogram?bbox=1,2,3", 400, "bbox"},
		{"GET", "/collections/towns/histogram?datetime=2025-10-10", 400, "datetime"},
		{"GET", "/collections/nope/histogram", 404, "nope"},
		{"GET", "/collections/towns?limit=1", 400, "limit"},
		{"GET", "/collections?bbox=0,0,1,1", 400, "bbox"},
		{"GET", "/conformance?x=1", 400, "x"},
		{"GET", "/tiles/WebMercatorQuad/23/0/0", 400, "tile matrix"},
		{"GET", "/tiles/WebMercatorQuad/2/4/0", 400, "row"},
		{"GET", "/tiles/WebMercatorQuad/2/0/4", 400, "column"},
		{"GET", "/tiles/WebMercatorQuad/-1/0/0", 400, "tile matrix"},
		{"GET", "/tiles/WebMercatorQuad/a/b/c", 400, "tile matrix"},
		{"GET", "/tiles/WebMercatorQuad/2/0/0?datetime=nope", 400, "datetime"},
		{"GET", "/tiles/WebMercatorQuad/2/0/0?f=png", 400, "f"},
		{"GET", "/tiles/NoSuchTMS/2/0/0", 404, "NoSuchTMS"},
		{"GET", "/collections/nope/tiles/WebMercatorQuad/2/0/0", 404, "nope"},
		{"GET", "/xyz/99/0/0.mvt", 400, "tile matrix"},
		{"GET", "/briefings/nope", 404, "nope"},
		{"GET", "/briefings/nope/export.html", 404, "nope"},
		{"GET", "/collections/towns/items/%00", 404, ""},
		{"PATCH", items, 405, "PATCH"},
		{"POST", "/collections", 405, "POST"},
		{"DELETE", "/tiles/WebMercatorQuad/2/0/0", 405, "DELETE"},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			r := do(t, c.method, srv.URL+c.path, nil)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			e := decode[struct{ Code, Description string }](t, r)
			if e.Code == "" || !strings.Contains(e.Description, c.mention) {
				t.Errorf("error %+v does not name %q", e, c.mention)
			}
			if c.status == 405 && r.header.Get("Allow") == "" {
				t.Errorf("405 without Allow header")
			}
		})
	}
}

// TestFirstUnknownParameterNamed checks that of several unknown
// parameters the first one written is named, every time (Go's map order
// used to pick one at random).
func TestFirstUnknownParameterNamed(t *testing.T) { forEachStore(t, testFirstUnknownParameterNamed) }

func testFirstUnknownParameterNamed(t *testing.T, srv *httptest.Server) {
	for i := range 20 {
		r := get(t, srv.URL+"/collections/towns/items?limit=1&echo=1&delta=2&charlie=3&bravo=4&alpha=5")
		e := decode[struct{ Code, Description string }](t, r)
		if r.status != 400 || !strings.Contains(e.Description, `"echo"`) {
			t.Fatalf("try %d: status %d, %q does not name echo", i, r.status, e.Description)
		}
	}
}

func TestLimitIsClamped(t *testing.T) { forEachStore(t, testLimitIsClamped) }

func testLimitIsClamped(t *testing.T, srv *httptest.Server) {
	r := get(t, srv.URL+"/collections/events/items?limit=1000000")
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	fc := decode[featureCollection](t, r)
	if len(fc.Features) != fc.NumberMatched {
		t.Errorf("got %d of %d features", len(fc.Features), fc.NumberMatched)
	}
	def := decode[featureCollection](t, get(t, srv.URL+"/collections/events/items?limit=5"))
	if len(def.Features) != 5 || def.link("next") == "" || !strings.Contains(def.link("next"), "offset=5") {
		t.Errorf("limit=5: %d features, next %q", len(def.Features), def.link("next"))
	}
}

func TestHTTPManners(t *testing.T) { forEachStore(t, testHTTPManners) }

func testHTTPManners(t *testing.T, srv *httptest.Server) {
	for _, path := range []string{"/collections", "/collections/towns/items?datetime=2025-10-10", "/collections/towns/items/kiryat_gat", "/conformance", "/api"} {
		t.Run(path, func(t *testing.T) {
			r := get(t, srv.URL+path)
			tag := r.header.Get("ETag")
			if r.status != 200 || tag == "" || r.header.Get("Cache-Control") == "" {
				t.Fatalf("status %d, ETag %q, Cache-Control %q", r.status, tag, r.header.Get("Cache-Control"))
			}
			if r2 := do(t, "GET", srv.URL+path, map[string]string{"If-None-Match": tag}); r2.status != http.StatusNotModified || len(r2.body) != 0 {
				t.Errorf("If-None-Match: status %d, %d bytes", r2.status, len(r2.body))
			}
			if r3 := do(t, "GET", srv.URL+path, map[string]string{"If-None-Match": `"other"`}); r3.status != 200 {
				t.Errorf("other ETag: status %d", r3.status)
			}
			h := do(t, "HEAD", srv.URL+path, nil)
			if h.status != 200 || len(h.body) != 0 || h.header.Get("Content-Type") != r.header.Get("Content-Type") {
				t.Errorf("HEAD: status %d, %d bytes, type %q", h.status, len(h.body), h.header.Get("Content-Type"))
			}
			c := do(t, "GET", srv.URL+path, map[string]string{"Origin": "https://example.org"})
			if c.header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("CORS: Access-Control-Allow-Origin %q", c.header.Get("Access-Control-Allow-Origin"))
			}
			g := do(t, "GET", srv.URL+path, map[string]string{"Accept-Encoding": "gzip"})
			if len(r.body) > 1024 {
				if g.header.Get("Content-Encoding") != "gzip" {
					t.Fatalf("Accept-Encoding gzip: Content-Encoding %q", g.header.Get("Content-Encoding"))
				}
				zr, err := gzip.NewReader(strings.NewReader(string(g.body)))
				if err != nil {
					t.Fatal(err)
				}
				plain, _ := io.ReadAll(zr)
				if !json.Valid(plain) {
					t.Errorf("gzipped body is not JSON")
				}
			}
		})
	}
	pre := do(t, "OPTIONS", srv.URL+"/collections", map[string]string{"Origin": "https://example.org", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "If-None-Match"})
	if pre.status != http.StatusNoContent || !strings.Contains(pre.header.Get("Access-Control-Allow-Methods"), "GET") || pre.header.Get("Access-Control-Allow-Headers") != "If-None-Match" {
		t.Errorf("preflight: %d %v", pre.status, pre.header)
	}
}

func TestCORSAllowList(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "cors.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := httptest.NewServer(api.New(api.Config{Store: db, CORSOrigins: []string{"https://maps.example.org"}}).Handler())
	defer srv.Close()
	for origin, want := range map[string]string{"https://maps.example.org": "https://maps.example.org", "https://evil.example": ""} {
		r := do(t, "GET", srv.URL+"/collections", map[string]string{"Origin": origin})
		if got := r.header.Get("Access-Control-Allow-Origin"); got != want {
			t.Errorf("origin %s: allowed %q, want %q", origin, got, want)
		}
	}
}

func TestLandingAndConformance(t *testing.T) { forEachStore(t, testLandingAndConformance) }

func testLandingAndConformance(t *testing.T, srv *httptest.Server) {
	for _, path := range []string{"/", "/?f=json", "/collections/", "/conformance/"} {
		if r := get(t, srv.URL+path); r.status != 200 {
			t.Errorf("%s: status %d", path, r.status)
		}
	}
	land := decode[struct{ Links []api.Link }](t, get(t, srv.URL+"/"))
	want := map[string]string{"self": "application/json", "service-desc": "application/vnd.oai.openapi+json;version=3.0", "service-doc": "text/html", "conformance": "application/json", "data": "application/json", "alternate": "text/html"}
	for _, l := range land.Links {
		if typ, ok := want[l.Rel]; ok && typ == l.Type && strings.HasPrefix(l.Href, srv.URL) {
			delete(want, l.Rel)
		}
	}
	if len(want) != 0 {
		t.Errorf("landing page lacks links %v", want)
	}
	conf := decode[struct{ ConformsTo []string }](t, get(t, srv.URL+"/conformance"))
	for _, c := range []string{"/conf/core", "/conf/geojson", "/conf/oas30"} {
		found := false
		for _, u := range conf.ConformsTo {
			found = found || strings.HasSuffix(u, c)
		}
		if !found {
			t.Errorf("conformance lacks %s", c)
		}
	}
}

func TestCollections(t *testing.T) { forEachStore(t, testCollections) }

func testCollections(t *testing.T, srv *httptest.Server) {
	type coll struct {
		ID     string
		Extent struct {
			Spatial  struct{ BBox [][]float64 }
			Temporal struct{ Interval [][]*string }
		}
		Links []api.Link
		Style struct{ Color string }
	}
	cs := decode[struct{ Collections []coll }](t, get(t, srv.URL+"/collections"))
	byID := map[string]coll{}
	for _, c := range cs.Collections {
		byID[c.ID] = c
		if len(c.Extent.Spatial.BBox) != 1 || len(c.Extent.Spatial.BBox[0]) != 4 {
			t.Errorf("%s: spatial extent %v", c.ID, c.Extent.Spatial.BBox)
		}
		items := false
		for _, l := range c.Links {
			items = items || (l.Rel == "items" && l.Type == "application/geo+json")
		}
		if !items || c.Style.Color == "" {
			t.Errorf("%s: items link %v, colour %q", c.ID, items, c.Style.Color)
		}
	}
	for _, id := range []string{"towns", "facilities", "crossings", "lines", "areas", "events"} {
		if _, ok := byID[id]; !ok {
			t.Errorf("collection %s missing", id)
		}
	}
	ev := byID["events"].Extent.Temporal.Interval
	if len(ev) != 1 || ev[0][0] == nil || *ev[0][0] != "2025-09-29T00:00:00Z" {
		t.Errorf("events temporal extent = %v, want it to start 2025-09-29", ev)
	}
	one := decode[coll](t, get(t, srv.URL+"/collections/lines"))
	if one.ID != "lines" || one.Extent.Temporal.Interval[0][1] != nil {
		t.Errorf("/collections/lines = %+v", one)
	}
}

func TestBriefings(t *testing.T) { forEachStore(t, testBriefings) }

func testBriefings(t *testing.T, srv *httptest.Server) {
	list := decode[struct {
		Briefings []struct {
			ID    string
			Steps int
		}
	}](t, get(t, srv.URL+"/briefings"))
	if len(list.Briefings) != 1 || list.Briefings[0].ID != "cmcc-ceasefire" || list.Briefings[0].Steps < 12 {
		t.Fatalf("/briefings = %+v", list)
	}
	b := decode[struct {
		Title string
		Steps []struct {
			ID, Date, Caption string
			Layers            []string
		}
	}](t, get(t, srv.URL+"/briefings/cmcc-ceasefire"))
	if len(b.Steps) != list.Briefings[0].Steps || b.Steps[0].Caption == "" || len(b.Steps[0].Layers) == 0 {
		t.Errorf("briefing = %+v", b)
	}
	if r := get(t, srv.URL+"/briefings/nope"); r.status != 404 {
		t.Errorf("unknown briefing: %d", r.status)
	}
}
