// Package bundle writes a briefing as one self-contained HTML file that
// presents it from file:// with the network off.
//
// The file is the presenter page (present.html) with its stylesheets and
// ES modules inlined, and a JSON block holding the briefing, the
// collections its steps show, the features each step shows at its date,
// and the offline basemap. In the page, static/js/present/offline.js
// serves that JSON in place of the API, so the same modules run online
// and offline.
//
// Everything is read through Strata's own HTTP handler, so the file holds
// what the server serves: /briefings/{id}, /collections, each step's
// layers at /collections/{id}/items?datetime={step date}, the basemap
// files, present.html and the files it links to. Modules are inlined as
// data: URLs named in an import map, their import specifiers rewritten to
// names in that map.
package bundle

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"

	"strata/geo"
)

// Page is the presenter page the file is built from.
const Page = "present.html"

// BasemapFiles are the basemap files the front end loads, under /basemap/.
var BasemapFiles = []string{"world.topo.json", "region.topo.json"}

// CSP is the file's Content-Security-Policy: scripts and styles only from
// the file itself, images only as data: URLs, and no connections at all.
const CSP = "default-src 'none'; script-src 'unsafe-inline' data:; style-src 'unsafe-inline'; img-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'"

// maxPages bounds the items pages followed per query.
const maxPages = 1000

// Data is the JSON block the page reads (id "strata-bundle").
type Data struct {
	Briefing    geo.Briefing                 `json:"briefing"`
	Collections []json.RawMessage            `json:"collections"`
	Items       map[string][]json.RawMessage `json:"items"`
	Basemap     map[string]json.RawMessage   `json:"basemap"`
}

// Write writes briefing id as a self-contained HTML file to w, reading
// everything from h (Strata's handler, such as api.Server.Handler()). An
// unknown briefing is an error wrapping geo.ErrNotFound.
func Write(ctx context.Context, w io.Writer, h http.Handler, id string) error {
	data, err := Collect(ctx, h, id)
	if err != nil {
		return err
	}
	c := &client{ctx: ctx, h: h}
	page, err := c.page(data)
	if err != nil {
		return err
	}
	_, err = w.Write(page)
	return err
}

// Collect gathers the data a briefing's file holds: the briefing, the
// collections its steps show, the features each step shows at its date
// (each layer's union over the steps, in the server's order), and the
// basemap.
func Collect(ctx context.Context, h http.Handler, id string) (*Data, error) {
	c := &client{ctx: ctx, h: h}
	if !geo.ValidID(id) {
		return nil, geo.NotFoundf("briefing %q does not exist", id)
	}
	body, status, err := c.get("/briefings/" + url.PathEscape(id))
	if err != nil {
		return nil, err
	}
	if status == http.StatusNotFound {
		return nil, geo.NotFoundf("briefing %q does not exist", id)
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("briefing %q: the server answered %d", id, status)
	}
	d := &Data{Items: map[string][]json.RawMessage{}, Basemap: map[string]json.RawMessage{}}
	if err := json.Unmarshal(body, &d.Briefing); err != nil {
		return nil, fmt.Errorf("briefing %q: %w", id, err)
	}

	used := map[string]bool{}
	for _, s := range d.Briefing.Steps {
		for _, l := range s.Layers {
			used[l] = true
		}
	}
	var cols struct {
		Collections []map[string]json.RawMessage `json:"collections"`
	}
	if err := c.getJSON("/collections", &cols); err != nil {
		return nil, err
	}
	for _, col := range cols.Collections {
		var cid string
		if json.Unmarshal(col["id"], &cid) != nil || !used[cid] {
			continue
		}
		// Links name the server; the file has none. Nor has it tiles:
		// without a feature_count the front end draws every layer from
		// GeoJSON, which is what the file holds.
		delete(col, "links")
		delete(col, "feature_count")
		raw, err := json.Marshal(col)
		if err != nil {
			return nil, err
		}
		d.Collections = append(d.Collections, raw)
		d.Items[cid] = []json.RawMessage{}
	}

	seen := map[string]map[string]bool{}
	done := map[string]bool{}
	for _, s := range d.Briefing.Steps {
		for _, l := range s.Layers {
			if _, ok := d.Items[l]; !ok {
				return nil, fmt.Errorf("step %q shows layer %q, which does not exist", s.ID, l)
			}
			if done[l+"\x00"+s.Date] {
				continue
			}
			done[l+"\x00"+s.Date] = true
			if seen[l] == nil {
				seen[l] = map[string]bool{}
			}
			q := url.Values{"datetime": {s.Date}, "limit": {"10000"}}
			err := c.items("/collections/"+url.PathEscape(l)+"/items?"+q.Encode(), func(f json.RawMessage) error {
				var head struct {
					ID json.RawMessage `json:"id"`
				}
				if err := json.Unmarshal(f, &head); err != nil {
					return err
				}
				if k := string(head.ID); !seen[l][k] {
					seen[l][k] = true
					d.Items[l] = append(d.Items[l], f)
				}
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("step %q, layer %q: %w", s.ID, l, err)
			}
		}
	}

	for _, f := range BasemapFiles {
		var raw json.RawMessage
		if err := c.getJSON("/basemap/"+f, &raw); err != nil {
			return nil, err
		}
		d.Basemap[f] = raw
	}
	return d, nil
}

// client makes requests to the handler in process.
type client struct {
	ctx context.Context
	h   http.Handler
}

// get answers a GET for a path (with query) and returns the body and
// status.
func (c *client) get(p string) ([]byte, int, error) {
	if err := c.ctx.Err(); err != nil {
		return nil, 0, err
	}
	req, err := http.NewRequestWithContext(c.ctx, http.MethodGet, "http://strata.invalid"+p, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/json")
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	c.h.ServeHTTP(rec, req)
	return rec.body.Bytes(), rec.status, nil
}

// getJSON decodes a 200 answer into v.
func (c *client) getJSON(p string, v any) error {
	body, status, err := c.get(p)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("GET %s: the server answered %d", p, status)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", p, err)
	}
	return nil
}

// getFile returns a 200 answer's body.
func (c *client) getFile(p string) ([]byte, error) {
	body, status, err := c.get("/" + p)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("GET /%s: the server answered %d", p, status)
	}
	return body, nil
}

// items calls fn for every feature of an items query, following "next"
// links.
func (c *client) items(p string, fn func(json.RawMessage) error) error {
	for range maxPages {
		var fc struct {
			Features []json.RawMessage `json:"features"`
			Links    []struct {
				Rel  string `json:"rel"`
				Href string `json:"href"`
			} `json:"links"`
		}
		if err := c.getJSON(p, &fc); err != nil {
			return err
		}
		for _, f := range fc.Features {
			if err := fn(f); err != nil {
				return err
			}
		}
		next := ""
		for _, l := range fc.Links {
			if l.Rel == "next" {
				next = l.Href
			}
		}
		if next == "" || len(fc.Features) == 0 {
			return nil
		}
		u, err := url.Parse(next)
		if err != nil {
			return err
		}
		p = u.RequestURI()
	}
	return fmt.Errorf("more than %d pages", maxPages)
}

// recorder is a minimal http.ResponseWriter that keeps the answer.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

var (
	stylesheetRE = regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)">`)
	importMapRE  = regexp.MustCompile(`(?s)<script type="importmap">(.*?)</script>`)
	moduleRE     = regexp.MustCompile(`<script type="module" src="([^"]+)"></script>`)
	titleRE      = regexp.MustCompile(`<title>[^<]*</title>`)
	charsetRE    = regexp.MustCompile(`<meta charset="utf-8">`)
	bodyEndRE    = regexp.MustCompile(`</body>`)
	// specifierRE finds module specifiers: import ... from "x", export
	// ... from "x", import "x" and import("x").
	specifierRE = regexp.MustCompile(`(\bfrom\s*|\bimport\s*\(?\s*)(["'])([^"'\n]+)(["'])`)
	cssURLRE    = regexp.MustCompile(`url\(\s*(['"]?)([^'")]+)(['"]?)\s*\)`)
)

// page builds the HTML file from present.html.
func (c *client) page(d *Data) ([]byte, error) {
	src, err := c.getFile(Page)
	if err != nil {
		return nil, err
	}
	doc := string(src)

	// Stylesheets become <style> elements.
	var ferr error
	doc = stylesheetRE.ReplaceAllStringFunc(doc, func(tag string) string {
		href := html.UnescapeString(stylesheetRE.FindStringSubmatch(tag)[1])
		css, err := c.stylesheet(path.Clean(href))
		if err != nil && ferr == nil {
			ferr = err
		}
		return "<style>\n" + strings.ReplaceAll(css, "</", `<\/`) + "\n</style>"
	})
	if ferr != nil {
		return nil, ferr
	}

	// The page's import map names bare specifiers ("leaflet").
	m := importMapRE.FindStringSubmatch(doc)
	bare := map[string]string{}
	if m != nil {
		var im struct {
			Imports map[string]string `json:"imports"`
		}
		if err := json.Unmarshal([]byte(m[1]), &im); err != nil {
			return nil, fmt.Errorf("%s: import map: %w", Page, err)
		}
		for k, v := range im.Imports {
			bare[k] = path.Clean(strings.TrimPrefix(v, "./"))
		}
	}
	entry := moduleRE.FindStringSubmatch(doc)
	if entry == nil {
		return nil, fmt.Errorf("%s has no module script", Page)
	}
	modules, err := c.modules(path.Clean(entry[1]), bare)
	if err != nil {
		return nil, err
	}
	im, err := json.Marshal(map[string]any{"imports": modules})
	if err != nil {
		return nil, err
	}
	doc = importMapRE.ReplaceAllLiteralString(doc, "")
	doc = moduleRE.ReplaceAllLiteralString(doc, `<script type="importmap">`+string(im)+"</script>\n"+
		`<script type="module">import "`+moduleName(path.Clean(entry[1]))+`";</script>`)

	data, err := json.Marshal(d) // escapes <, > and &: safe inside <script>
	if err != nil {
		return nil, err
	}
	doc = titleRE.ReplaceAllLiteralString(doc, "<title>"+html.EscapeString(d.Briefing.Title)+"</title>")
	doc = charsetRE.ReplaceAllLiteralString(doc, `<meta charset="utf-8">`+"\n"+
		`<meta http-equiv="Content-Security-Policy" content="`+CSP+`">`+"\n"+
		`<meta name="generator" content="strata export-briefing">`)
	doc = bodyEndRE.ReplaceAllLiteralString(doc, `<script type="application/json" id="strata-bundle">`+string(data)+"</script>\n</body>")
	return []byte(doc), nil
}

// stylesheet returns a stylesheet with the files its url()s name inlined
// as data: URLs.
func (c *client) stylesheet(p string) (string, error) {
	b, err := c.getFile(p)
	if err != nil {
		return "", err
	}
	var ferr error
	css := cssURLRE.ReplaceAllStringFunc(string(b), func(s string) string {
		sm := cssURLRE.FindStringSubmatch(s)
		ref := sm[2]
		if strings.HasPrefix(ref, "data:") || strings.HasPrefix(ref, "#") || sm[1] != sm[3] {
			return s
		}
		if strings.Contains(ref, "://") || strings.HasPrefix(ref, "//") {
			if ferr == nil {
				ferr = fmt.Errorf("%s: url(%s) is not in the file", p, ref)
			}
			return s
		}
		fp := path.Join(path.Dir(p), ref)
		body, err := c.getFile(fp)
		if err != nil {
			if ferr == nil {
				ferr = err
			}
			return s
		}
		typ := mime.TypeByExtension(path.Ext(fp))
		if typ == "" {
			typ = "application/octet-stream"
		}
		return `url("data:` + typ + `;base64,` + base64.StdEncoding.EncodeToString(body) + `")`
	})
	return css, ferr
}

// moduleName is the import-map name of a module at path p.
func moduleName(p string) string { return "@strata/" + p }

// modules reads the module graph from entry and returns each module as a
// data: URL under its import-map name, with its specifiers rewritten to
// those names.
func (c *client) modules(entry string, bare map[string]string) (map[string]string, error) {
	out := map[string]string{}
	queue := []string{entry}
	seen := map[string]bool{entry: true}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		src, err := c.getFile(p)
		if err != nil {
			return nil, err
		}
		var ferr error
		code := specifierRE.ReplaceAllStringFunc(string(src), func(s string) string {
			sm := specifierRE.FindStringSubmatch(s)
			if sm[2] != sm[4] {
				return s
			}
			spec := sm[3]
			var target string
			switch {
			case strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../"):
				target = path.Join(path.Dir(p), spec)
			case strings.HasPrefix(spec, "/"):
				target = path.Clean(strings.TrimPrefix(spec, "/"))
			case bare[spec] != "":
				target = bare[spec]
			default:
				return s // not a module specifier (text that looks like one)
			}
			if strings.HasPrefix(target, "../") {
				ferr = fmt.Errorf("%s: import %q leaves the site", p, spec)
				return s
			}
			if !seen[target] {
				seen[target] = true
				queue = append(queue, target)
			}
			return sm[1] + sm[2] + moduleName(target) + sm[4]
		})
		if ferr != nil {
			return nil, ferr
		}
		out[moduleName(p)] = "data:text/javascript;base64," + base64.StdEncoding.EncodeToString([]byte(code))
	}
	return out, nil
}
