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
	"path/filepath"
	"regexp"
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

// handler is the real server on a seeded SQLite file.
func handler(t testing.TB) http.Handler {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bundle.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := seed.Apply(ctx, db); err != nil {
		t.Fatal(err)
	}
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
	h := handler(t)
	var buf bytes.Buffer
	if err := bundle.Write(context.Background(), &buf, h, "cmcc-ceasefire"); err != nil {
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
			if bytes.Contains(c, []byte(`"links"`)) {
				t.Errorf("a collection keeps its server links: %.80s", c)
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
	h := handler(t)
	for _, id := range []string{"nope", "../etc", ""} {
		err := bundle.Write(context.Background(), io.Discard, h, id)
		if !errors.Is(err, geo.ErrNotFound) {
			t.Errorf("Write(%q) = %v, want ErrNotFound", id, err)
		}
	}
}

// TestExportRoute checks the download route the presenter's button uses.
func TestExportRoute(t *testing.T) {
	srv := httptest.NewServer(handler(t))
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
