package api_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"strata/api"
	"strata/data/basemap"
	"strata/internal/bundle"
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

// TestSecurityHeaders checks the headers every answer carries, and that
// the policy allows the pages' one inline script, the import map, by its
// hash and no other inline script.
func TestSecurityHeaders(t *testing.T) {
	srv := newSiteServer(t, api.Config{})
	page := do(t, "GET", srv.URL+"/", map[string]string{"Accept": "text/html"})
	m := regexp.MustCompile(`(?s)<script type="importmap">(.*?)</script>`).FindSubmatch(page.body)
	if m == nil {
		t.Fatalf("no import map in the map page")
	}
	sum := sha256.Sum256(m[1])
	importMap := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	for _, p := range []string{
		"/", "/?f=html", "/present.html", "/speaker.html", "/api.html", "/collections", "/collections/events/items",
		"/js/main.js", "/basemap/world.topo.json", "/tiles/WebMercatorQuad/8/105/152", "/no/such/path",
		"/collections/towns/items?limit=x", "/briefings/cmcc-ceasefire/export.html",
	} {
		t.Run(p, func(t *testing.T) {
			r := get(t, srv.URL+p)
			h := r.header
			csp := h.Get("Content-Security-Policy")
			script := directive(csp, "script-src")
			if script == "" || strings.Contains(script, "unsafe") || strings.Contains(script, "data:") || !strings.Contains(script, importMap) {
				t.Errorf("script-src %q: want 'self' and the import map's hash %s only", script, importMap)
			}
			for _, d := range []string{"default-src 'self'", "object-src 'none'", "frame-ancestors 'self'", "connect-src 'self'", "base-uri 'self'"} {
				if !strings.Contains(csp, d) {
					t.Errorf("Content-Security-Policy %q lacks %q", csp, d)
				}
			}
			if strings.Contains(directive(csp, "style-src"), "unsafe") {
				t.Errorf("style-src allows inline styles: %q", csp)
			}
			want := map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "SAMEORIGIN", "Referrer-Policy": "strict-origin-when-cross-origin"}
			for k, v := range want {
				if h.Get(k) != v {
					t.Errorf("%s %q, want %q", k, h.Get(k), v)
				}
			}
		})
	}
	// The exported briefing holds its own policy for when it is opened
	// as a file, where no header reaches it.
	if r := get(t, srv.URL+"/briefings/cmcc-ceasefire/export.html"); r.status != 200 || !strings.Contains(string(r.body), `http-equiv="Content-Security-Policy" content="`+bundle.CSP+`"`) {
		t.Errorf("export.html: status %d, no Content-Security-Policy of its own", r.status)
	}
}

// directive returns one directive of a Content-Security-Policy.
func directive(csp, name string) string {
	for _, d := range strings.Split(csp, ";") {
		if d = strings.TrimSpace(d); strings.HasPrefix(d, name+" ") {
			return d
		}
	}
	return ""
}

func TestFrameAncestors(t *testing.T) {
	cases := []struct {
		flag      string
		csp       string
		xfo       string
		wantError bool
	}{
		{"", "frame-ancestors 'self'", "SAMEORIGIN", false},
		{"'self'", "frame-ancestors 'self'", "SAMEORIGIN", false},
		{"'none'", "frame-ancestors 'none'", "DENY", false},
		{"'self' https://news.example.org", "frame-ancestors 'self' https://news.example.org", "", false},
		{"https://*.example.org,https://a.example:8443", "frame-ancestors https://*.example.org https://a.example:8443", "", false},
		{"https:", "frame-ancestors https:", "", false},
		{"'none' 'self'", "", "", true},
		{"'unsafe-inline'", "", "", true},
		{"https://a.example/path", "", "", true},
		{"https://a.example; script-src *", "", "", true},
		{"self", "frame-ancestors self", "", false}, // a host named self
	}
	for _, c := range cases {
		t.Run(c.flag, func(t *testing.T) {
			fa, err := api.ParseFrameAncestors(c.flag)
			if (err != nil) != c.wantError {
				t.Fatalf("error %v, want one: %v", err, c.wantError)
			}
			if err != nil {
				return
			}
			srv := newSiteServer(t, api.Config{FrameAncestors: fa})
			r := get(t, srv.URL+"/collections")
			if got := directive(r.header.Get("Content-Security-Policy"), "frame-ancestors"); got != c.csp {
				t.Errorf("frame-ancestors %q, want %q", got, c.csp)
			}
			if got := r.header.Get("X-Frame-Options"); got != c.xfo {
				t.Errorf("X-Frame-Options %q, want %q", got, c.xfo)
			}
		})
	}
}

// TestNotFound checks that folders are not listed and that unknown paths
// get the JSON error body every other error has.
func TestNotFound(t *testing.T) {
	srv := newSiteServer(t, api.Config{})
	for _, p := range []string{"/basemap/", "/basemap", "/js/", "/js", "/js/present/", "/vendor/", "/vendor/leaflet/", "/css/", "/no/such/path", "/js/nope.js", "/basemap/nope.json", "/collections/events/nope"} {
		t.Run(p, func(t *testing.T) {
			r := get(t, srv.URL+p)
			if r.status != 404 || r.header.Get("Content-Type") != "application/json" {
				t.Fatalf("status %d, type %q: %.200s", r.status, r.header.Get("Content-Type"), r.body)
			}
			if e := decode[struct{ Code, Description string }](t, r); e.Code != "NotFound" || !strings.Contains(e.Description, p) {
				t.Errorf("error %+v does not name %s", e, p)
			}
		})
	}
	if r := get(t, srv.URL+"/js/main.js?v=2"); r.status != 200 {
		t.Errorf("a file with a cache-busting query: status %d", r.status)
	}
	if r := get(t, srv.URL+"/js/main.js?v=2;"); r.status != 400 {
		t.Errorf("a file with a malformed query: status %d", r.status)
	}
}

// TestNegotiation checks which Accept headers get the map page at /.
func TestNegotiation(t *testing.T) {
	srv := newSiteServer(t, api.Config{})
	cases := []struct {
		accept string
		html   bool
	}{
		{"", false},
		{"*/*", false},
		{"application/json", false},
		{"text/html", true},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true}, // Chromium, Firefox
		{"text/html;q=0, application/json", false},
		{"text/html;q=0", false},
		{"text/html;q=0.0, */*", false},
		{"application/json, text/html", false},
		{"text/html, application/json", true},
		{"application/json;q=0.5, text/html", true},
		{"text/html;q=0.5, application/json", false},
		{"text/*", true},
		{"text/*;q=0.5, application/*", false},
		{"text/html;q=abc", false},
		{"TEXT/HTML", true},
	}
	for _, c := range cases {
		t.Run(c.accept, func(t *testing.T) {
			r := do(t, "GET", srv.URL+"/", map[string]string{"Accept": c.accept})
			isHTML := strings.HasPrefix(r.header.Get("Content-Type"), "text/html")
			if r.status != 200 || isHTML != c.html {
				t.Errorf("status %d, Content-Type %q; want HTML: %v", r.status, r.header.Get("Content-Type"), c.html)
			}
		})
	}
}

func TestExportTakesNoParameters(t *testing.T) {
	srv := newSiteServer(t, api.Config{})
	r := get(t, srv.URL+"/briefings/cmcc-ceasefire/export.html?x=1")
	if r.status != 400 || !strings.Contains(string(r.body), `\"x\"`) {
		t.Errorf("status %d: %.200s", r.status, r.body)
	}
}
