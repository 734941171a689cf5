package api_test

import (
	"context"
	"iter"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"strata/api"
	"strata/data/postgis"
	"strata/data/sqlite"
	"strata/geo"
	"strata/internal/pgtest"
)

// TestItemsText checks q on items: free text over names, descriptions
// and other text properties, case and accents ignored, every word
// required, numberMatched counting the matches and paging over them.
func TestItemsText(t *testing.T) { forEachStore(t, testItemsText) }

func testItemsText(t *testing.T, srv *httptest.Server) {
	for _, tc := range []struct {
		path string
		want []string
	}{
		// Nitzana's description names Rafah, as Morag's does.
		{"/collections/crossings/items?q=rafah", []string{"rafah_crossing", "nitzana_crossing"}},
		{"/collections/crossings/items?q=RÁFAH", []string{"rafah_crossing", "nitzana_crossing"}},
		{"/collections/crossings/items?q=rafah+egypt+gaza", []string{"rafah_crossing", "nitzana_crossing"}},
		{"/collections/crossings/items?q=rafah+kerem", nil},
		{"/collections/towns/items?q=rafah", []string{"rafah_gaza", "morag_former_settlement"}},
		{"/collections/towns/items?q=deir+balah", []string{"deir_al_balah"}},
		{"/collections/towns/items?q=deir+doha", nil},
		{"/collections/crossings/items?q=kerem%2Cshalom", []string{"kerem_shalom_crossing"}},
		// The description: the CMCC's says it is in Kiryat Gat.
		{"/collections/facilities/items?q=kiryat", []string{"cmcc_kiryat_gat"}},
		// Another text property: kind.
		{"/collections/towns/items?q=refugee+camp", []string{"jabalia_camp"}},
		{"/collections/events/items?q=herzog&datetime=2026-02-18", []string{"herzog_2026_02_18"}},
		{"/collections/events/items?q=herzog&datetime=2025-10-10", nil},
		// With the filters of filter.go: both hold.
		{"/collections/events/items?q=rubio&category=visit", []string{"rubio_2025_10_24"}},
		{"/collections/events/items?q=rubio&category=aid", nil},
		{"/collections/events/items?q=rubio&filter=category%3D'visit'&sortby=-valid_from", []string{"rubio_2025_10_24"}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			r := get(t, srv.URL+tc.path)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			fc := decode[featureCollection](t, r)
			var got []string
			for _, f := range fc.Features {
				got = append(got, f.ID)
			}
			if !slices.Equal(got, tc.want) || fc.NumberMatched != len(tc.want) {
				t.Errorf("got %v (numberMatched %d), want %v", got, fc.NumberMatched, tc.want)
			}
		})
	}
	// Pages of matches: numberMatched counts them all, next follows.
	all := decode[featureCollection](t, get(t, srv.URL+"/collections/events/items?q=cmcc"))
	if all.NumberMatched < 10 || all.NumberReturned != all.NumberMatched {
		t.Fatalf("q=cmcc: %d matched, %d returned", all.NumberMatched, all.NumberReturned)
	}
	var paged []string
	next := srv.URL + "/collections/events/items?q=cmcc&limit=4"
	for next != "" {
		fc := decode[featureCollection](t, get(t, next))
		if fc.NumberMatched != all.NumberMatched {
			t.Fatalf("page %s: numberMatched %d, want %d", next, fc.NumberMatched, all.NumberMatched)
		}
		for _, f := range fc.Features {
			paged = append(paged, f.ID)
		}
		next = fc.link("next")
	}
	var want []string
	for _, f := range all.Features {
		want = append(want, f.ID)
	}
	if !slices.Equal(paged, want) {
		t.Errorf("pages of 4 give %v, one page %v", paged, want)
	}
	for _, q := range []string{"q=", "q=+-+", "q=" + strings.Repeat("a", 201), "q=" + strings.Repeat("a+", 17), "q=a&q=b"} {
		r := get(t, srv.URL+"/collections/towns/items?"+q)
		if r.status != 400 || !strings.Contains(string(r.body), `q`) {
			t.Errorf("%.40s: status %d %s, want 400 naming q", q, r.status, r.body)
		}
	}
}

// TestSearch checks GET /search: across collections, each feature with
// its collection, names matching first, limits, and 400 for no words.
func TestSearch(t *testing.T) { forEachStore(t, testSearch) }

func testSearch(t *testing.T, srv *httptest.Server) {
	r := get(t, srv.URL+"/search?q=rafah")
	if r.status != 200 || r.header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("status %d, type %q: %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	fc := decode[featureCollection](t, r)
	if len(fc.Features) < 2 || fc.Features[0].ID != "rafah_gaza" || fc.Features[1].ID != "rafah_crossing" {
		t.Fatalf("rafah: %v, want the town then the crossing first", fc.ids())
	}
	if fc.Features[0].Properties["collection"] != "towns" || fc.Features[1].Properties["collection"] != "crossings" {
		t.Errorf("collections %v, %v", fc.Features[0].Properties["collection"], fc.Features[1].Properties["collection"])
	}
	// Names before descriptions: the events named after Rafah come before
	// features that only mention it.
	seenOther := false
	for _, f := range fc.Features {
		name, _ := f.Properties["name"].(string)
		inName := strings.Contains(strings.ToLower(name), "rafah")
		if inName && seenOther {
			t.Errorf("%s (named %q) comes after a feature whose name lacks rafah", f.ID, name)
		}
		seenOther = seenOther || !inName
		if f.Properties["collection"] == nil {
			t.Errorf("%s has no collection", f.ID)
		}
	}
	if fc.NumberMatched < len(fc.Features) || fc.NumberReturned != len(fc.Features) || len(fc.Features) > api.DefaultSearchLimit {
		t.Errorf("numberMatched %d, numberReturned %d, %d features", fc.NumberMatched, fc.NumberReturned, len(fc.Features))
	}
	// limit: fewer, the same first ones; clamped at the maximum.
	two := decode[featureCollection](t, get(t, srv.URL+"/search?q=rafah&limit=2"))
	if len(two.Features) != 2 || two.Features[0].ID != "rafah_gaza" || two.NumberMatched != fc.NumberMatched {
		t.Errorf("limit=2: %v, matched %d", two.ids(), two.NumberMatched)
	}
	// Every one of the seed's 65 features holds an "a".
	many := decode[featureCollection](t, get(t, srv.URL+"/search?q=a&limit=100000"))
	if len(many.Features) != 65 || many.NumberMatched != 65 {
		t.Errorf("q=a&limit=100000: %d features of %d", len(many.Features), many.NumberMatched)
	}
	// As known before the seed was loaded: nothing.
	if past := decode[featureCollection](t, get(t, srv.URL+"/search?q=rafah&asof=2000-01-01")); len(past.Features) != 0 {
		t.Errorf("asof=2000-01-01: %v", past.ids())
	}
	none := decode[featureCollection](t, get(t, srv.URL+"/search?q=zzzqqq"))
	if len(none.Features) != 0 || none.NumberMatched != 0 {
		t.Errorf("zzzqqq: %v", none.ids())
	}
	for _, q := range []string{"", "q=", "q=%20", "limit=3", "q=rafah&limit=0", "q=rafah&limit=x", "q=rafah&bbox=1,2,3,4"} {
		r := get(t, srv.URL+"/search?"+q)
		if r.status != 400 {
			t.Errorf("/search?%s: status %d, want 400", q, r.status)
		}
	}
}

// TestDiff checks GET /diff on the seed: the yellow line and the area
// east of it appear between 9 and 11 October 2025, events come and go,
// and bad parameters are 400s naming them.
func TestDiff(t *testing.T) { forEachStore(t, testDiff) }

func testDiff(t *testing.T, srv *httptest.Server) {
	changes := func(t *testing.T, q string) map[string]string {
		t.Helper()
		r := get(t, srv.URL+"/diff?"+q)
		if r.status != 200 || r.header.Get("Content-Type") != "application/geo+json" {
			t.Fatalf("%s: status %d, type %q: %s", q, r.status, r.header.Get("Content-Type"), r.body)
		}
		fc := decode[featureCollection](t, r)
		m := map[string]string{}
		for _, f := range fc.Features {
			m[f.Properties["collection"].(string)+"/"+f.ID] = f.Properties["change"].(string)
		}
		if fc.NumberMatched != len(m) || fc.NumberReturned != len(m) {
			t.Errorf("%s: numberMatched %d, numberReturned %d, %d features", q, fc.NumberMatched, fc.NumberReturned, len(m))
		}
		return m
	}
	got := changes(t, "from=2025-10-09&to=2025-10-11")
	want := map[string]string{
		"lines/yellow_line_2025_10_10":    "added",
		"areas/israeli_held_area_phase1":  "added",
		"events/verify_visit_2025_10_11":  "added",
		"events/phase1_agreed_2025_10_09": "removed",
	}
	if !mapsEqual(got, want) {
		t.Errorf("9 to 11 October: %v, want %v", got, want)
	}
	// Backwards, the same with added and removed swapped.
	back := changes(t, "from=2025-10-11&to=2025-10-09")
	if back["lines/yellow_line_2025_10_10"] != "removed" || back["events/phase1_agreed_2025_10_09"] != "added" || len(back) != 4 {
		t.Errorf("11 to 9 October: %v", back)
	}
	if m := changes(t, "from=2025-10-09&to=2025-10-11&collections=lines,areas"); len(m) != 2 || m["lines/yellow_line_2025_10_10"] != "added" {
		t.Errorf("collections=lines,areas: %v", m)
	}
	// A box over Egypt holds none of it.
	if m := changes(t, "from=2025-10-09&to=2025-10-11&bbox=31,29,33,30"); len(m) != 0 {
		t.Errorf("bbox over Egypt: %v", m)
	}
	if m := changes(t, "from=2025-10-09&to=2025-10-11&asof=2000-01-01"); len(m) != 0 {
		t.Errorf("asof=2000-01-01: %v", m)
	}
	if m := changes(t, "from=2025-11-15&to=2025-11-15"); len(m) != 0 {
		t.Errorf("a date with itself: %v", m)
	}
	// Instants: the line starts at midnight on 10 October.
	if m := changes(t, "from=2025-10-09T23:59:59Z&to=2025-10-10T00:00:00Z&collections=lines"); m["lines/yellow_line_2025_10_10"] != "added" {
		t.Errorf("instants around midnight: %v", m)
	}
	for _, tc := range []struct{ q, param string }{
		{"to=2025-10-11", "from"},
		{"from=2025-10-09", "to"},
		{"from=2025-13-09&to=2025-10-11", "from"},
		{"from=2025-10-09&to=yesterday", "to"},
		{"from=2025-10-09/2025-10-10&to=2025-10-11", "from"},
		{"from=..&to=2025-10-11", "from"},
		{"from=2025-10-09&to=2025-10-11&bbox=1,2,3", "bbox"},
		{"from=2025-10-09&to=2025-10-11&collections=nope", "collections"},
		{"from=2025-10-09&to=2025-10-11&collections=lines,,areas", "collections"},
		{"from=2025-10-09&to=2025-10-11&limit=3", "limit"},
	} {
		r := get(t, srv.URL+"/diff?"+tc.q)
		if r.status != 400 || !strings.Contains(string(r.body), tc.param) {
			t.Errorf("%s: status %d %s, want 400 naming %s", tc.q, r.status, r.body, tc.param)
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestDiffReplaced checks that a feature replaced by a new version (its
// "replaces" property) is listed once as changed, with what changed, and
// that a replacement identical but for its dates is no change; on each
// engine.
func TestDiffReplaced(t *testing.T) {
	feat := func(id string, lon float64, from, to, props string) *geo.Feature {
		iv, err := geo.ParseValidTime("valid_from", from, to)
		if err != nil {
			t.Fatal(err)
		}
		return &geo.Feature{ID: id, Name: "Marker", Geometry: orb.Point{lon, 31.4}, Valid: iv, PrecisionM: 100,
			Properties: []byte(`{"name":"Marker"` + props + `}`), Sources: []geo.Source{{Title: "Report"}}}
	}
	features := []*geo.Feature{
		feat("m1", 34.40, "2025-10-10", "2025-11-01", `,"status":"placed"`),
		feat("m2", 34.45, "2025-11-01", "", `,"status":"moved","replaces":"m1"`),
		feat("s1", 34.30, "2025-10-10", "2025-11-01", ``),
		feat("s2", 34.30, "2025-11-01", "", `,"replaces":"s1"`),
	}
	run := func(t *testing.T, st geo.Store) {
		ctx := context.Background()
		seq := iter.Seq2[*geo.Feature, error](func(yield func(*geo.Feature, error) bool) {
			for _, f := range features {
				if !yield(f, nil) {
					return
				}
			}
		})
		if _, err := st.Import(ctx, geo.ChangeNote{Author: "test"}, geo.Layer{ID: "markers", Title: "Markers", Kind: geo.KindPoint}, geo.Append, seq); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(api.New(api.Config{Store: st}).Handler())
		defer srv.Close()
		for _, q := range []string{"from=2025-10-20&to=2025-11-20", "from=2025-11-20&to=2025-10-20"} {
			fc := decode[featureCollection](t, get(t, srv.URL+"/diff?"+url.PathEscape(q)))
			if len(fc.Features) != 1 {
				t.Fatalf("%s: %d features, want m1/m2 as one change: %v", q, len(fc.Features), fc.ids())
			}
			p := fc.Features[0].Properties
			fields, _ := p["changed_fields"].([]any)
			wantID, wantPrev := "m2", "m1"
			if strings.HasPrefix(q, "from=2025-11") {
				wantID, wantPrev = "m1", "m2"
			}
			if fc.Features[0].ID != wantID || p["change"] != "changed" || p["previous"] != wantPrev || p["collection"] != "markers" ||
				len(fields) != 2 || fields[0] != "geometry" || fields[1] != "status" {
				t.Errorf("%s: %s %v", q, fc.Features[0].ID, p)
			}
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "diff.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		run(t, db)
	})
	t.Run("postgres", func(t *testing.T) {
		pg, err := postgis.Open(context.Background(), pgtest.URL(t), postgis.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer pg.Close()
		run(t, pg)
	})
}
