// Package bundle writes a briefing as one self-contained HTML file that
// presents it from file:// with the network off.
//
// The file is the presenter page (present.html) with its stylesheets and
// ES modules inlined, and a JSON block (Data) holding the briefing, the
// layers its steps show, the features each step shows at its date, and
// the offline basemap. In the page, static/js/present/offline.js serves
// that JSON in place of the API, so the same modules run online and
// offline.
//
// The data comes from Go calls (a Source), not from the HTTP API. Which
// features each step shows is decided here, with geo.ParseDatetime and
// geo.Interval.Overlaps as the items endpoint decides it, so the page
// looks the answers up instead of parsing datetime itself. Modules are
// inlined as data: URLs named in an import map, their import specifiers
// rewritten to names in that map.
package bundle

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"io/fs"
	"mime"
	"path"
	"regexp"
	"strings"

	"strata/geo"
	"strata/geo/geojson"
)

// presentPage is the presenter page the file is built from.
const presentPage = "present.html"

// BasemapFiles are the basemap files the front end loads, under /basemap/.
var BasemapFiles = []string{"world.topo.json", "region.topo.json", "places.json"}

// CSP is the file's Content-Security-Policy: scripts and styles only from
// the file itself, images only as data: URLs, and no connections at all.
const CSP = "default-src 'none'; script-src 'unsafe-inline' data:; style-src 'unsafe-inline'; img-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'"

// Source is what a briefing's file is made from.
type Source struct {
	// Briefings holds the briefing to export.
	Briefings geo.BriefingStore
	// Layers returns every layer.
	Layers func(ctx context.Context) ([]geo.Layer, error)
	// Features calls fn for each feature of layer whose valid time meets
	// t (a closed query interval, as geo.ParseDatetime returns), in the
	// order the items endpoint serves them, until fn returns an error.
	// The feature passed to fn is only valid during the call.
	Features func(ctx context.Context, layer string, t geo.Interval, fn func(*geo.Feature) error) error
	// Static is the front end: present.html and the files it links to.
	Static fs.FS
	// Basemap holds BasemapFiles.
	Basemap fs.FS
	// UserBasemap, when set, is the server's user basemap: the tiles the
	// step views show go into the file (see userTiles).
	UserBasemap TileSource
}

// SnapshotSource returns the Source of the layers and features of one
// snapshot of a store, b's briefings, and the front end and basemap
// files. It is the one place this package reads a store.
func SnapshotSource(snap geo.Snapshot, b geo.BriefingStore, static, basemap fs.FS) Source {
	return Source{
		Briefings: b,
		Layers:    func(context.Context) ([]geo.Layer, error) { return snap.Layers(), nil },
		Features: func(ctx context.Context, layer string, t geo.Interval, fn func(*geo.Feature) error) error {
			_, err := snap.Search(ctx, geo.Filter{Layer: layer, Time: t}, fn)
			return err
		},
		Static:  static,
		Basemap: basemap,
	}
}

// Data is the JSON block the page reads (id "strata-bundle").
type Data struct {
	Briefing geo.Briefing `json:"briefing"`
	// Collections holds the layers the steps show, in the store's order.
	Collections []geo.Layer `json:"collections"`
	// Items holds, for each of those layers, the GeoJSON features valid
	// at one step's date at least, in the store's order.
	Items map[string][]json.RawMessage `json:"items"`
	// At answers the items the page asks for: At[date][layer] lists the
	// indexes in Items[layer] of the features valid at that step date, as
	// /collections/{layer}/items?datetime={date} would list them. It has
	// an entry for every step date and every layer any step shows.
	At      map[string]map[string][]int `json:"at"`
	Basemap map[string]json.RawMessage  `json:"basemap"`
	// UserTiles holds the user basemap's tiles the step views show, by
	// "z/x/y" (base64 in JSON), when the server has one; its TileJSON is
	// Basemap["user.json"].
	UserTiles map[string][]byte `json:"user_tiles,omitempty"`
}

// Write writes briefing id as a self-contained HTML file to w, reading
// everything from src. An unknown briefing is an error wrapping
// geo.ErrNotFound.
func Write(ctx context.Context, w io.Writer, src Source, id string) error {
	d, err := collect(ctx, src, id)
	if err != nil {
		return err
	}
	page, err := buildPage(src.Static, d)
	if err != nil {
		return err
	}
	_, err = w.Write(page)
	return err
}

// stepDate is a date a step shows a layer at, parsed.
type stepDate struct {
	date string
	t    geo.Interval
}

// collect gathers the data a briefing's file holds: the briefing, the
// layers its steps show, the features each step shows at its date, and
// the basemap.
func collect(ctx context.Context, src Source, id string) (*Data, error) {
	if !geo.ValidID(id) {
		return nil, geo.NotFoundf("briefing %q does not exist", id)
	}
	b, err := src.Briefings.Briefing(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &Data{
		Briefing:    b,
		Collections: []geo.Layer{},
		Items:       map[string][]json.RawMessage{},
		At:          map[string]map[string][]int{},
		Basemap:     map[string]json.RawMessage{},
	}

	// Every step date, for every layer a step shows: the presenter may
	// ask for a layer at the date of a step that does not show it (while
	// it turns the layer on or off), as the server would answer it.
	shownLayers := map[string]bool{}
	for _, s := range b.Steps {
		for _, l := range s.Layers {
			shownLayers[l] = true
		}
	}
	dates := map[string][]stepDate{}
	for _, s := range b.Steps {
		t, err := geo.ParseDatetime(s.Date)
		if err != nil {
			return nil, fmt.Errorf("step %q: %w", s.ID, err)
		}
		if d.At[s.Date] != nil {
			continue
		}
		d.At[s.Date] = map[string][]int{}
		for l := range shownLayers {
			d.At[s.Date][l] = []int{}
			dates[l] = append(dates[l], stepDate{s.Date, t})
		}
	}
	layers, err := src.Layers(ctx)
	if err != nil {
		return nil, err
	}
	exists := map[string]bool{}
	for _, l := range layers {
		exists[l.ID] = true
		if dates[l.ID] != nil {
			d.Collections = append(d.Collections, l)
		}
	}
	for _, s := range b.Steps {
		for _, l := range s.Layers {
			if !exists[l] {
				return nil, fmt.Errorf("step %q shows layer %q, which does not exist", s.ID, l)
			}
		}
	}

	for _, l := range d.Collections {
		ds := dates[l.ID]
		// One search over the span of the layer's dates; which date shows
		// which feature is decided below, as the items endpoint decides.
		span := ds[0].t
		for _, sd := range ds[1:] {
			span.Start, span.End = min(span.Start, sd.t.Start), max(span.End, sd.t.End)
		}
		items := []json.RawMessage{}
		err := src.Features(ctx, l.ID, span, func(f *geo.Feature) error {
			shown := false
			for _, sd := range ds {
				if f.Valid.Overlaps(sd.t) {
					d.At[sd.date][l.ID] = append(d.At[sd.date][l.ID], len(items))
					shown = true
				}
			}
			if shown {
				items = append(items, geojson.AppendFeature(nil, f))
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("layer %q: %w", l.ID, err)
		}
		d.Items[l.ID] = items
	}

	for _, f := range BasemapFiles {
		raw, err := fs.ReadFile(src.Basemap, f)
		if err != nil {
			return nil, fmt.Errorf("basemap: %w", err)
		}
		if !json.Valid(raw) {
			return nil, fmt.Errorf("basemap %s is not JSON", f)
		}
		d.Basemap[f] = raw
	}
	if src.UserBasemap != nil {
		tiles, tj, err := userTiles(src.UserBasemap, b)
		if err != nil {
			return nil, err
		}
		d.UserTiles, d.Basemap["user.json"] = tiles, tj
	}
	return d, nil
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

// site reads the front end's files.
type site struct{ fsys fs.FS }

// file returns the front end's file at path p (relative to the site's
// root, with or without a leading slash).
func (c site) file(p string) ([]byte, error) {
	b, err := fs.ReadFile(c.fsys, strings.TrimPrefix(p, "/"))
	if err != nil {
		return nil, fmt.Errorf("front end: %w", err)
	}
	return b, nil
}

// buildPage builds the HTML file from the front end's present.html and
// the data.
func buildPage(static fs.FS, d *Data) ([]byte, error) { return site{static}.page(d) }

// page builds the HTML file from present.html.
func (c site) page(d *Data) ([]byte, error) {
	src, err := c.file(presentPage)
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
			return nil, fmt.Errorf("%s: import map: %w", presentPage, err)
		}
		for k, v := range im.Imports {
			bare[k] = path.Clean(strings.TrimPrefix(v, "./"))
		}
	}
	entry := moduleRE.FindStringSubmatch(doc)
	if entry == nil {
		return nil, fmt.Errorf("%s has no module script", presentPage)
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
func (c site) stylesheet(p string) (string, error) {
	b, err := c.file(p)
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
		body, err := c.file(fp)
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
func (c site) modules(entry string, bare map[string]string) (map[string]string, error) {
	out := map[string]string{}
	queue := []string{entry}
	seen := map[string]bool{entry: true}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		src, err := c.file(p)
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
