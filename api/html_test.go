package api_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"strata/api"
)

// htmlResources are the resources with an HTML page, on the seed.
func htmlResources(t *testing.T, srv *httptest.Server) []string {
	t.Helper()
	fc := decode[featureCollection](t, get(t, srv.URL+"/collections/events/items?limit=1"))
	if len(fc.Features) == 0 {
		t.Fatal("no events in the seed")
	}
	return []string{
		"/conformance", "/api", "/collections", "/collections/events", "/collections/events/items",
		"/collections/events/items/" + url.PathEscape(fc.Features[0].ID),
		"/collections/events/items/" + url.PathEscape(fc.Features[0].ID) + "/versions", "/tiles", "/collections/events/tiles",
	}
}

func isHTML(r response) bool { return strings.HasPrefix(r.header.Get("Content-Type"), "text/html") }

func isJSON(r response) bool { return strings.Contains(r.header.Get("Content-Type"), "json") }

func TestHTMLPages(t *testing.T) { forEachStore(t, testHTMLPages) }

// testHTMLPages checks that every resource answers HTML to a browser's
// Accept and to f=html, and JSON to f=json whatever the Accept.
func testHTMLPages(t *testing.T, srv *httptest.Server) {
	browser := map[string]string{"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
	for _, p := range htmlResources(t, srv) {
		t.Run(p, func(t *testing.T) {
			if r := do(t, "GET", srv.URL+p, browser); r.status != 200 || !isHTML(r) || !strings.Contains(string(r.body), "<h1>") {
				t.Errorf("Accept text/html: status %d, Content-Type %q", r.status, r.header.Get("Content-Type"))
			}
			r := get(t, srv.URL+p+"?f=html")
			if r.status != 200 || !isHTML(r) || r.header.Get("ETag") == "" {
				t.Errorf("f=html: status %d, Content-Type %q, ETag %q", r.status, r.header.Get("Content-Type"), r.header.Get("ETag"))
			}
			if again := do(t, "GET", srv.URL+p+"?f=html", map[string]string{"If-None-Match": r.header.Get("ETag")}); again.status != 304 {
				t.Errorf("f=html with its ETag: status %d, want 304", again.status)
			}
			if r := do(t, "GET", srv.URL+p+"?f=json", browser); r.status != 200 || !isJSON(r) {
				t.Errorf("f=json with a browser's Accept: status %d, Content-Type %q", r.status, r.header.Get("Content-Type"))
			}
			if r := get(t, srv.URL+p); r.status != 200 || !isJSON(r) || !slices.Contains(headerValues(r.header, "Vary"), "Accept") {
				t.Errorf("no Accept: status %d, Content-Type %q, Vary %q", r.status, r.header.Get("Content-Type"), r.header.Values("Vary"))
			}
		})
	}
	// The landing page: HTML at f=html, JSON otherwise (without the front
	// end, a browser at / gets JSON too; with it, the map: TestNegotiation).
	if r := get(t, srv.URL+"/?f=html"); r.status != 200 || !isHTML(r) || !strings.Contains(string(r.body), "Strata") {
		t.Errorf("/?f=html: status %d, Content-Type %q", r.status, r.header.Get("Content-Type"))
	}
	// A bad parameter is a 400 page naming it; a missing feature a 404.
	for _, c := range []struct {
		path, want string
		status     int
	}{
		{"/collections/events/items?f=html&limit=x", "limit", 400},
		{"/collections/events/items?f=html&nonsense=1", "nonsense", 400},
		{"/collections/events/items/no_such_feature?f=html", "no_such_feature", 404},
		{"/collections/no_such_layer?f=html", "no_such_layer", 404},
	} {
		r := get(t, srv.URL+c.path)
		if r.status != c.status || !isHTML(r) || !strings.Contains(string(r.body), c.want) {
			t.Errorf("%s: status %d, Content-Type %q, want %d naming %q: %.300s", c.path, r.status, r.header.Get("Content-Type"), c.status, c.want, r.body)
		}
	}
	// The conformance classes name HTML.
	conf := decode[struct{ ConformsTo []string }](t, get(t, srv.URL+"/conformance"))
	if !slices.Contains(conf.ConformsTo, "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html") {
		t.Errorf("conformance lacks the HTML class: %v", conf.ConformsTo)
	}
}

// TestMapStaysAtRoot checks that a browser opening / still gets the map,
// and /?f=html the landing page, which links to the map.
func TestMapStaysAtRoot(t *testing.T) {
	srv := newSiteServer(t, api.Config{})
	m := do(t, "GET", srv.URL+"/", map[string]string{"Accept": "text/html"})
	if m.status != 200 || !strings.Contains(string(m.body), "<title>Strata map</title>") {
		t.Errorf("/ for a browser: status %d, not the map: %.200s", m.status, m.body)
	}
	l := do(t, "GET", srv.URL+"/?f=html", map[string]string{"Accept": "text/html"})
	if l.status != 200 || strings.Contains(string(l.body), "<title>Strata map</title>") || !slices.Contains(pageLinks(t, l.body), srv.URL+"/") {
		t.Errorf("/?f=html: status %d, not the landing page linking to the map: %.300s", l.status, l.body)
	}
}

// TestAlternateLinks checks that the JSON's alternate links lead to the
// HTML pages, and that a link to the map remains.
func TestAlternateLinks(t *testing.T) { forEachStore(t, testAlternateLinks) }

func testAlternateLinks(t *testing.T, srv *httptest.Server) {
	items := decode[featureCollection](t, get(t, srv.URL+"/collections/events/items?limit=2"))
	feature := decode[struct{ Links []api.Link }](t, get(t, srv.URL+"/collections/events/items/"+url.PathEscape(items.Features[0].ID)))
	land := decode[struct{ Links []api.Link }](t, get(t, srv.URL+"/"))
	colls := decode[struct {
		Links       []api.Link
		Collections []struct{ Links []api.Link }
	}](t, get(t, srv.URL+"/collections"))
	cases := []struct {
		name  string
		links []api.Link
		// toMap says the links also lead to the map (as the layers and
		// the collections' pages do, from their HTML).
		toMap bool
	}{
		{"landing", land.Links, true}, {"items", items.Links, true}, {"feature", feature.Links, true},
		{"collections", colls.Links, false}, {"a collection", colls.Collections[0].Links, false},
	}
	for _, c := range cases {
		var alt, onMap string
		for _, l := range c.links {
			switch {
			case l.Rel == "alternate" && l.Type == "text/html":
				alt = l.Href
			case l.Rel == "related" && l.Type == "text/html" && strings.Contains(l.Title, "map"):
				onMap = l.Href
			}
		}
		if alt == "" || c.toMap && (onMap == "" || onMap == alt) {
			t.Errorf("%s: alternate %q, map %q in %v", c.name, alt, onMap, c.links)
			continue
		}
		if r := get(t, alt); r.status != 200 || !isHTML(r) || strings.Contains(string(r.body), "Strata map") {
			t.Errorf("%s: alternate %s: status %d, not an HTML page", c.name, alt, r.status)
		}
	}
}

// pageLinks parses an HTML page and returns the href of every <a> and
// <link>, resolved against the page's <base>.
func pageLinks(t *testing.T, page []byte) []string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(string(page)))
	d.Strict, d.AutoClose, d.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	var base *url.URL
	var hrefs []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the page does not parse: %v", err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		for _, a := range el.Attr {
			if a.Name.Local != "href" {
				continue
			}
			switch el.Name.Local {
			case "base":
				if base, err = url.Parse(a.Value); err != nil {
					t.Fatalf("<base href=%q>: %v", a.Value, err)
				}
			case "a", "link":
				u, err := url.Parse(a.Value)
				if err != nil {
					t.Fatalf("bad href %q: %v", a.Value, err)
				}
				if base != nil {
					u = base.ResolveReference(u)
				}
				hrefs = append(hrefs, u.String())
			}
		}
	}
	return hrefs
}

func TestHTMLPagesLinked(t *testing.T) { forEachStore(t, testHTMLPagesLinked) }

// testHTMLPagesLinked starts at the landing page and follows every link
// of every page within the API, as a browser would: every one answers
// 200, and every resource's page is reached.
func testHTMLPagesLinked(t *testing.T, srv *httptest.Server) {
	browser := map[string]string{"Accept": "text/html"}
	seen := map[string]bool{}
	queue := []string{srv.URL + "/?f=html"}
	reached := map[string]bool{}
	for len(queue) > 0 && len(seen) < 400 {
		u := queue[0]
		queue = queue[1:]
		if seen[u] {
			continue
		}
		seen[u] = true
		r := do(t, "GET", u, browser)
		if r.status != 200 {
			t.Errorf("%s: status %d", u, r.status)
			continue
		}
		if !isHTML(r) {
			continue // JSON documents (versions, tile metadata), the map's own files
		}
		parsed, _ := url.Parse(u)
		reached[parsed.Path] = true
		for _, h := range pageLinks(t, r.body) {
			h, _, _ = strings.Cut(h, "#")
			if !strings.HasPrefix(h, srv.URL+"/") || seen[h] {
				continue
			}
			// Follow pages of the API, and not every feature of every
			// layer: those of the events layer only.
			p, _ := url.Parse(h)
			if strings.Count(p.Path, "/") >= 4 && !strings.HasPrefix(p.Path, "/collections/events/") {
				continue
			}
			queue = append(queue, h)
		}
	}
	for _, p := range append(htmlResources(t, srv), "/") {
		if !reached[p] {
			t.Errorf("no page links to %s", p)
		}
	}
}

// TestHTMLEscapes writes a feature whose properties and sources hold
// markup and a javascript: URL, and checks its pages show them as text.
func TestHTMLEscapes(t *testing.T) {
	for _, e := range writeStores(t, api.Config{}) {
		t.Run(e.name, func(t *testing.T) {
			body := `{"type":"Feature","id":"x1","geometry":{"type":"Point","coordinates":[34.4,31.5]},"properties":{` +
				`"name":"<script>alert(1)</script>","note":"<img src=x onerror=alert(2)>","valid_from":"2025-10-10","precision_m":50,` +
				`"sources":[{"title":"<b>bold</b>","publisher":"Desk","url":"javascript:alert(3)"},{"title":"Plain","url":"https://example.org/a?b=<c>"}]}}`
			if r := e.send(t, "POST", "/collections/a/items", body, map[string]string{"token": "bob", "Content-Type": json1}); r.status != 201 {
				t.Fatalf("POST: %d %s", r.status, r.body)
			}
			for _, p := range []string{"/collections/a/items/x1?f=html", "/collections/a/items?f=html"} {
				r := get(t, e.srv.URL+p)
				page := string(r.body)
				if r.status != 200 {
					t.Fatalf("%s: status %d", p, r.status)
				}
				for _, bad := range []string{"<script>alert", "<img src=x", "<b>bold", `href="javascript`} {
					if strings.Contains(page, bad) {
						t.Errorf("%s holds %q unescaped", p, bad)
					}
				}
				if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
					t.Errorf("%s does not show the name as text", p)
				}
			}
			page := string(get(t, e.srv.URL+"/collections/a/items/x1?f=html").body)
			for _, want := range []string{"&lt;img src=x onerror=alert(2)&gt;", "<li>&lt;b&gt;bold&lt;/b&gt;, Desk</li>", `<a href="https://example.org/a?b=%3cc%3e">Plain</a>`} {
				if !strings.Contains(page, want) {
					t.Errorf("the feature page lacks %s", want)
				}
			}
		})
	}
}

func TestHTMLInOpenAPI(t *testing.T) { forEachStore(t, testHTMLInOpenAPI) }

// testHTMLInOpenAPI checks each page's request (f=html) and answer
// (text/html) against the OpenAPI document.
func testHTMLInOpenAPI(t *testing.T, srv *httptest.Server) {
	ctx := context.Background()
	doc, err := openapi3.NewLoader().LoadFromData(get(t, srv.URL+"/api").body)
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	for _, p := range append(htmlResources(t, srv), "/") {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+p+"?f=html", nil)
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s: not in the OpenAPI document: %v", p, err)
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route}
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			t.Errorf("%s?f=html does not match the document: %v", p, err)
		}
		r := get(t, req.URL.String())
		out := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in, Status: r.status, Header: r.header,
			Body: io.NopCloser(bytes.NewReader(r.body)), Options: &openapi3filter.Options{IncludeResponseStatus: true},
		}
		if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
			t.Errorf("%s?f=html: the answer does not match the document: %v", p, err)
		}
	}
}

// TestHTMLVersions checks that the versions page lists a feature's
// versions and that each leads to the feature's page as that version
// recorded it.
func TestHTMLVersions(t *testing.T) {
	for _, e := range writeStores(t, api.Config{}) {
		t.Run(e.name, func(t *testing.T) {
			if r := e.send(t, "POST", "/collections/a/items", pointFeature("v1", 34.1, 31.1, `,"note":"first"`), map[string]string{"token": "bob", "Content-Type": json1, "X-Strata-Comment": "first report"}); r.status != 201 {
				t.Fatalf("POST: %d %s", r.status, r.body)
			}
			if r := e.send(t, "PUT", "/collections/a/items/v1", pointFeature("v1", 34.2, 31.2, `,"note":"second"`), map[string]string{"token": "bob", "Content-Type": json1, "If-Match": `"1"`, "X-Strata-Comment": "moved"}); r.status != 200 {
				t.Fatalf("PUT: %d %s", r.status, r.body)
			}
			r := get(t, e.srv.URL+"/collections/a/items/v1/versions?f=html")
			page := string(r.body)
			if r.status != 200 || !strings.Contains(page, "first report") || !strings.Contains(page, "moved") {
				t.Fatalf("versions page: status %d: %.500s", r.status, page)
			}
			if !strings.Contains(string(get(t, e.srv.URL+"/collections/a/items/v1?f=html").body), `href="`+e.srv.URL+`/collections/a/items/v1/versions?f=html"`) {
				t.Errorf("the feature page does not link to its versions page")
			}
			for n, want := range map[string]string{"Version 1": "first", "Version 2": "second"} {
				var then string
				for _, h := range pageLinks(t, r.body) {
					if strings.Contains(h, "asof=") && strings.Contains(page, `<a href="`+strings.ReplaceAll(h, "&", "&amp;")+`">`+n+`</a>`) {
						then = h
					}
				}
				if then == "" {
					t.Fatalf("no link for %s", n)
				}
				v := get(t, then)
				if v.status != 200 || !strings.Contains(string(v.body), "<td>"+want+"</td>") {
					t.Errorf("%s: %s: status %d, not the version with note %q", n, then, v.status, want)
				}
			}
		})
	}
}
