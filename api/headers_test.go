package api_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"strata/api"
	"strata/data/basemap"
	"strata/static"
)

// newSiteServer starts the real handler with the front end and the
// basemap files, as `strata serve` does.
func newSiteServer(t testing.TB, cfg api.Config) *httptest.Server {
	t.Helper()
	db := seededDB(t)
	cfg.Store, cfg.Briefings = db, db
	cfg.Static, cfg.Basemap = static.FS, basemap.FS
	srv := httptest.NewServer(api.New(cfg).Handler())
	t.Cleanup(srv.Close)
	return srv
}

// headerValues splits every value of a list header such as Vary.
func headerValues(h http.Header, name string) []string {
	var out []string
	for _, v := range h.Values(name) {
		for _, p := range strings.Split(v, ",") {
			out = append(out, strings.TrimSpace(p))
		}
	}
	return out
}

// TestCompressionVaries checks that every answer that can be compressed
// says it varies by Accept-Encoding, and that HEAD sends the headers GET
// sends, Content-Encoding included.
func TestCompressionVaries(t *testing.T) {
	srv := newSiteServer(t, api.Config{})
	paths := []struct{ path, accept string }{
		{"/", ""}, {"/", "text/html"}, {"/collections", ""}, {"/api", ""}, {"/conformance", ""},
		{"/briefings", ""}, {"/tilejson.json", ""}, {"/collections/events/items?limit=50", ""},
		{"/js/main.js", ""}, {"/collections/nope", ""},
	}
	for _, p := range paths {
		for _, enc := range []string{"identity", "gzip", "zstd", "gzip, zstd"} {
			t.Run(p.path+" "+p.accept+" "+enc, func(t *testing.T) {
				hdr := map[string]string{"Accept-Encoding": enc, "Accept": p.accept}
				g := do(t, "GET", srv.URL+p.path, hdr)
				if !slices.Contains(headerValues(g.header, "Vary"), "Accept-Encoding") {
					t.Errorf("GET: Vary %q lacks Accept-Encoding", g.header.Values("Vary"))
				}
				if enc != "identity" && len(g.body) > 1024 && g.header.Get("Content-Encoding") == "" {
					t.Errorf("GET: %d bytes not compressed for Accept-Encoding %q", len(g.body), enc)
				}
				h := do(t, "HEAD", srv.URL+p.path, hdr)
				if h.status != g.status || len(h.body) != 0 {
					t.Errorf("HEAD: status %d and %d bytes, GET %d", h.status, len(h.body), g.status)
				}
				for _, name := range []string{"Content-Type", "Content-Encoding", "Content-Length", "Vary", "ETag", "Cache-Control", "Last-Modified"} {
					if gv, hv := g.header.Values(name), h.header.Values(name); !slices.Equal(gv, hv) {
						t.Errorf("%s: GET %q, HEAD %q", name, gv, hv)
					}
				}
			})
		}
	}
}
