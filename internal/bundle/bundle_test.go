package bundle_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"strata/api"
	"strata/data/basemap"
	"strata/data/seed"
	"strata/data/sqlite"
	"strata/geo"
	"strata/internal/bundle"
	"strata/static"
)

// seeded opens a SQLite file in a temporary folder with the seed data.
func seeded(t testing.TB) *sqlite.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bundle.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := seed.Apply(ctx, db, db); err != nil {
		t.Fatal(err)
	}
	return db
}

// source is the seeded store's Source.
func source(db *sqlite.DB) bundle.Source {
	snap, err := db.Snapshot(context.Background())
	if err != nil {
		panic(err)
	}
	return bundle.SnapshotSource(snap, db, static.FS, basemap.FS)
}

// handler is the real server on the seeded store.
func handler(db *sqlite.DB) http.Handler {
	return api.New(api.Config{Store: db, Briefings: db, Static: static.FS, Basemap: basemap.FS}).Handler()
}

var (
	dataRE      = regexp.MustCompile(`(?s)<script type="application/json" id="strata-bundle">(.*?)</script>`)
	importMapRE = regexp.MustCompile(`(?s)<script type="importmap">(.*?)</script>`)
	// externalRE finds resources or links in the markup that name a host.
	externalRE = regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\s*(https?:)?//|url\(\s*["']?\s*(https?:)?//|@import`)
	relImport  = regexp.MustCompile(`(from|import)\s*\(?\s*["'](\.{1,2}/|/)`)
)

func TestWrite(t *testing.T) {
	db := seeded(t)
	var buf bytes.Buffer
	if err := bundle.Write(context.Background(), &buf, source(db), "cmcc-ceasefire"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()

	t.Run("no external resources", func(t *testing.T) {
		if m := externalRE.FindString(out); m != "" {
			t.Errorf("the file names an external resource: %q", m)
		}
		for _, tag := range []string{`<link rel="stylesheet"`, `<script type="module" src=`} {
			if strings.Contains(out, tag) {
				t.Errorf("the file still links a file: %s", tag)
			}
		}
		if !strings.Contains(out, `http-equiv="Content-Security-Policy"`) || !strings.Contains(out, "connect-src 'none'") {
			t.Error("no Content-Security-Policy forbidding connections")
		}
	})

	t.Run("data", func(t *testing.T) {
		m := dataRE.FindStringSubmatch(out)
		if m == nil {
			t.Fatal("no strata-bundle data")
		}
		var d bundle.Data
		if err := json.Unmarshal([]byte(m[1]), &d); err != nil {
			t.Fatal(err)
		}
		if d.Briefing.ID != "cmcc-ceasefire" || len(d.Briefing.Steps) < 12 || d.Briefing.Steps[0].Caption == "" {
			t.Errorf("briefing = %s with %d steps", d.Briefing.ID, len(d.Briefing.Steps))
		}
		if !strings.Contains(out, "<title>"+strings.ReplaceAll(d.Briefing.Title, "&", "&amp;")+"</title>") {
			t.Error("the title is not the briefing's")
		}
		for _, s := range d.Briefing.Steps {
			for _, l := range s.Layers {
				if _, ok := d.Items[l]; !ok {
					t.Errorf("step %s: layer %s has no items", s.ID, l)
				}
			}
		}
		if len(d.Collections) != len(d.Items) {
			t.Errorf("%d collections for %d layers", len(d.Collections), len(d.Items))
		}
		for _, c := range d.Collections {
			if _, ok := d.Items[c.ID]; !ok || c.Title == "" || c.Kind == "" {
				t.Errorf("collection %q: title %q, kind %q, shown %v", c.ID, c.Title, c.Kind, ok)
			}
		}
		for _, f := range bundle.BasemapFiles {
			if len(d.Basemap[f]) < 100 {
				t.Errorf("basemap %s is missing", f)
			}
		}
		ids := func(fs []json.RawMessage) map[string]bool {
			out := map[string]bool{}
			for _, f := range fs {
				var x struct{ ID string }
				json.Unmarshal(f, &x)
				out[x.ID] = true
			}
			return out
		}
		// The yellow line is shown from the ceasefire step on.
		if !ids(d.Items["lines"])["yellow_line_2025_10_10"] {
			t.Error("lines lack the yellow line")
		}
		// Only the events of the steps' dates are in the file, not all 37.
		ev := ids(d.Items["events"])
		if len(ev) == 0 || len(ev) >= 37 || !ev["ceasefire_2025_10_10"] {
			t.Errorf("events in the file: %d", len(ev))
		}
	})

	t.Run("modules", func(t *testing.T) {
		m := importMapRE.FindStringSubmatch(out)
		if m == nil {
			t.Fatal("no import map")
		}
		var im struct{ Imports map[string]string }
		if err := json.Unmarshal([]byte(m[1]), &im); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"@strata/js/present/main.js", "@strata/js/layers.js", "@strata/vendor/leaflet/leaflet-src.esm.js"} {
			if im.Imports[want] == "" {
				t.Errorf("import map lacks %s", want)
			}
		}
		for name, u := range im.Imports {
			code, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(u, "data:text/javascript;base64,"))
			if err != nil || !strings.HasPrefix(u, "data:text/javascript;base64,") {
				t.Errorf("%s: not a base64 data URL", name)
				continue
			}
			if relImport.Match(code) {
				t.Errorf("%s keeps a relative import: %s", name, relImport.Find(code))
			}
			if bytes.Contains(code, []byte(`from 'leaflet'`)) || bytes.Contains(code, []byte(`from "leaflet"`)) {
				t.Errorf("%s keeps a bare import", name)
			}
		}
	})
}

func TestWriteUnknown(t *testing.T) {
	src := source(seeded(t))
	for _, id := range []string{"nope", "../etc", ""} {
		err := bundle.Write(context.Background(), io.Discard, src, id)
		if !errors.Is(err, geo.ErrNotFound) {
			t.Errorf("Write(%q) = %v, want ErrNotFound", id, err)
		}
	}
}

// TestExportRoute checks the download route the presenter's button uses.
func TestExportRoute(t *testing.T) {
	srv := httptest.NewServer(handler(seeded(t)))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/briefings/cmcc-ceasefire/export.html")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("status %d, type %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="cmcc-ceasefire.html"` {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if !dataRE.Match(body) {
		t.Error("no data in the download")
	}
	res, err = http.Get(srv.URL + "/briefings/nope/export.html")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Errorf("unknown briefing: %d", res.StatusCode)
	}
}

// TestAtMatchesServer checks that the file shows, at each step's date,
// the features the items endpoint serves for that datetime, in its order.
func TestAtMatchesServer(t *testing.T) {
	db := seeded(t)
	srv := httptest.NewServer(handler(db))
	defer srv.Close()
	var buf bytes.Buffer
	if err := bundle.Write(context.Background(), &buf, source(db), "cmcc-ceasefire"); err != nil {
		t.Fatal(err)
	}
	m := dataRE.FindSubmatch(buf.Bytes())
	if m == nil {
		t.Fatal("no strata-bundle data")
	}
	var d bundle.Data
	if err := json.Unmarshal(m[1], &d); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, s := range d.Briefing.Steps {
		for _, l := range s.Layers {
			res, err := http.Get(srv.URL + "/collections/" + l + "/items?limit=10000&datetime=" + url.QueryEscape(s.Date))
			if err != nil {
				t.Fatal(err)
			}
			var fc struct {
				Features []struct {
					ID string `json:"id"`
				} `json:"features"`
				NumberMatched int `json:"numberMatched"`
			}
			err = json.NewDecoder(res.Body).Decode(&fc)
			res.Body.Close()
			if err != nil || res.StatusCode != http.StatusOK || fc.NumberMatched != len(fc.Features) {
				t.Fatalf("step %s, layer %s: status %d, %d of %d features, %v", s.ID, l, res.StatusCode, len(fc.Features), fc.NumberMatched, err)
			}
			var want, got []string
			for _, f := range fc.Features {
				want = append(want, f.ID)
			}
			idx, ok := d.At[s.Date][l]
			if !ok {
				t.Errorf("step %s: no entry for layer %s at %s", s.ID, l, s.Date)
				continue
			}
			for _, i := range idx {
				var f struct {
					ID string `json:"id"`
				}
				if i < 0 || i >= len(d.Items[l]) || json.Unmarshal(d.Items[l][i], &f) != nil {
					t.Fatalf("step %s, layer %s: index %d of %d items", s.ID, l, i, len(d.Items[l]))
				}
				got = append(got, f.ID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("step %s, layer %s at %s: the file shows %v, the server %v", s.ID, l, s.Date, got, want)
			}
			checked += len(want)
		}
	}
	if checked == 0 {
		t.Fatal("no step shows any feature")
	}
}
