package api

import (
	"bytes"
	"embed"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"strata/geo"
)

// HTML pages of the OGC API resources (OGC API – Features Part 1, the
// HTML conformance class): the landing page, conformance, the API
// definition, the collections, a collection, its items, a feature and
// the tile sets. Each page renders the JSON document its resource
// answers, obtained by running the resource's own JSON handler, so the
// page shows exactly what the JSON holds, links included.
//
// A page is chosen by f=html or by an Accept header preferring HTML (see
// wantsHTML), except at /: a browser opening the site's root gets the
// interactive map, the product's front page, and the landing page's HTML
// is at /?f=html (linked from the map and from every page).

// confHTML is the HTML conformance class of OGC API – Features Part 1.
const confHTML = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html"

//go:embed templates/*.html
var templateFS embed.FS

// pageTemplates holds one template set per page: the layout with the
// page's own content.
var pageTemplates = func() map[string]*template.Template {
	funcs := template.FuncMap{"show": showValue}
	pages, err := templateFS.ReadDir("templates")
	if err != nil {
		panic(err)
	}
	m := map[string]*template.Template{}
	for _, p := range pages {
		name := strings.TrimSuffix(p.Name(), ".html")
		if name == "layout" {
			continue
		}
		m[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+p.Name()))
	}
	return m
}()

// htmlRoutes adds the HTML pages. They are matched before the JSON routes
// of the same paths, and only for requests that ask for HTML.
func (s *Server) htmlRoutes(r *mux.Router) {
	asks := func(r *http.Request, _ *mux.RouteMatch) bool { return wantsHTML(r) }
	page := func(path string, h http.HandlerFunc) {
		r.HandleFunc(path, h).Methods(http.MethodGet, http.MethodHead).MatcherFunc(asks)
		r.HandleFunc(path+"/", h).Methods(http.MethodGet, http.MethodHead).MatcherFunc(asks)
	}
	// At /, only f=html: a browser's Accept gets the map.
	r.HandleFunc("/", s.htmlLanding).Methods(http.MethodGet, http.MethodHead).
		MatcherFunc(func(r *http.Request, _ *mux.RouteMatch) bool { return r.URL.Query().Get("f") == "html" })
	page("/conformance", s.htmlConformance)
	page("/api", s.htmlAPI)
	page("/collections", s.readAsOf(s.htmlCollections))
	page("/collections/{collectionId}", s.readAsOf(s.htmlCollection))
	page("/collections/{collectionId}/items", s.readAsOf(s.htmlItems))
	page("/collections/{collectionId}/items/{featureId}", s.readAsOf(s.htmlFeature))
	page("/collections/{collectionId}/items/{featureId}/versions", s.readAsOf(s.htmlVersions))
	page("/tiles", s.read(s.htmlTilesets))
	page("/collections/{collectionId}/tiles", s.read(s.htmlTilesets))
}

// htmlPage is what every page's layout shows.
type htmlPage struct {
	Title string
	// Base is the API root; the page's <base>, so the shared front-end
	// modules find their files.
	Base string
	// Crumbs lead from the landing page to this one (the last is this
	// page, without a link).
	Crumbs []crumb
	// JSON is this resource as JSON.
	JSON string
	// Site says the front end is served: the pages' stylesheet and
	// script, and the interactive map, which Map opens (at this layer or
	// feature).
	Site bool
	Map  string
	// Features is GeoJSON for the page's small map, when it has one, and
	// MapLabel names the map for assistive technologies.
	Features, MapLabel string
	// Body is the page's own content.
	Body any
}

type crumb struct{ Title, Href string }

// captured is an answer a JSON handler wrote, kept to be rendered.
type captured struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (c *captured) Header() http.Header { return c.header }
func (c *captured) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.body.Write(b)
}
func (c *captured) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
}

// jsonOf runs the JSON handler h for r as if JSON had been asked for
// (the f parameter dropped, Accept application/json, no conditional
// headers) and decodes its answer into v. An error answer is sent to w
// as an HTML page, and ok is false.
func (s *Server) jsonOf(w http.ResponseWriter, r *http.Request, h http.HandlerFunc, v any) (ok bool) {
	jr := r.Clone(r.Context())
	jr.URL.RawQuery = withoutFormat(r.URL.RawQuery)
	jr.Header.Set("Accept", mediaJSON)
	for _, k := range []string{"If-None-Match", "If-Modified-Since", "If-Match"} {
		jr.Header.Del(k)
	}
	c := &captured{header: http.Header{}}
	h(c, jr)
	if c.status == 0 {
		c.status = http.StatusInternalServerError // nothing was written
	}
	if c.status != http.StatusOK {
		var e exception
		if json.Unmarshal(c.body.Bytes(), &e) != nil || e.Description == "" {
			e = exception{Code: http.StatusText(c.status), Description: http.StatusText(c.status)}
		}
		for _, k := range []string{"Retry-After", "Allow"} {
			if v := c.header.Get(k); v != "" {
				w.Header().Set(k, v)
			}
		}
		s.renderPage(w, r, c.status, "error", htmlPage{Title: http.StatusText(c.status), Body: e})
		return false
	}
	if err := json.Unmarshal(c.body.Bytes(), v); err != nil {
		s.writeError(w, r, err)
		return false
	}
	return true
}

// dataJSON is jsonOf for a data handler, reading snap.
func (s *Server) dataJSON(w http.ResponseWriter, r *http.Request, snap geo.Snapshot, h dataHandler, v any) (ok bool) {
	return s.jsonOf(w, r, func(w http.ResponseWriter, r *http.Request) { h(w, r, snap) }, v)
}

// withoutFormat is a raw query without its first f parameter.
func withoutFormat(raw string) string {
	if raw == "" {
		return ""
	}
	pairs := strings.Split(raw, "&")
	for i, p := range pairs {
		if q, err := parsePair(p); err == nil && q.name == "f" {
			return strings.Join(slices.Delete(pairs, i, i+1), "&")
		}
	}
	return raw
}

// htmlHref is the address of the HTML page of an API resource at href:
// its f parameter replaced by f=html.
func htmlHref(href string) string { return withFormat(href, "html") }

// withFormat is href with its f parameter replaced by f=format, last in
// the query.
func withFormat(href, format string) string {
	u, frag, _ := strings.Cut(href, "#")
	path, raw, _ := strings.Cut(u, "?")
	raw = withoutFormat(raw)
	if raw != "" {
		raw += "&"
	}
	out := path + "?" + raw + "f=" + format
	if frag != "" {
		out += "#" + frag
	}
	return out
}

// renderPage writes a page with the layout: the template name's content
// with p.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, status int, name string, p htmlPage) {
	if p.Base == "" {
		p.Base = s.baseURL(r)
	}
	p.Site = s.cfg.Static != nil
	if p.Map == "" {
		p.Map = p.Base + "/"
	}
	if p.JSON == "" && status == http.StatusOK {
		p.JSON = withFormat(p.Base+r.URL.EscapedPath()+"?"+r.URL.RawQuery, "json")
	}
	var b bytes.Buffer
	if err := pageTemplates[name].ExecuteTemplate(&b, "layout", p); err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Add("Vary", "Accept")
	if status != http.StatusOK {
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		w.Write(b.Bytes())
		return
	}
	h.Set("Cache-Control", cacheControl(r, "public, max-age=60"))
	if notModified(w, r, etag(b.Bytes())) {
		return
	}
	w.Write(b.Bytes())
}

// crumbs is the trail from the landing page: pairs of title and href,
// the last one this page.
func crumbs(base string, trail ...string) []crumb {
	cs := []crumb{{"Strata", base + "/?f=html"}}
	for i := 0; i+1 < len(trail); i += 2 {
		cs = append(cs, crumb{trail[i], trail[i+1]})
	}
	cs[len(cs)-1].Href = ""
	return cs
}

// linkView is a link as a page shows it: to the HTML page when the
// target is one of the API's resources that has one.
type linkView struct {
	Link
	// Page is the address to follow: the HTML page, or Href.
	Page string
}

// pageLinks turns a document's links into links to follow, dropping self
// and alternate (the layout has them).
func pageLinks(base string, links []Link) []linkView {
	var out []linkView
	for _, l := range links {
		if l.Rel == "self" || l.Rel == "alternate" {
			continue
		}
		out = append(out, linkView{Link: l, Page: pageOf(base, l)})
	}
	return out
}

// collectionPage matches the paths of a collection's resources that
// have pages.
var collectionPage = regexp.MustCompile(`^/collections/[^/]+(/items(/[^/]+(/versions)?)?|/tiles)?/?$`)

// pageOf is where a link should take a reader: the HTML page of an API
// resource that has one, when the link is to its JSON, else the link
// itself (a link typed text/html is a page already, such as the map).
func pageOf(base string, l Link) string {
	if !strings.HasPrefix(l.Href, base+"/") {
		return l.Href
	}
	p, _, _ := strings.Cut(strings.TrimPrefix(l.Href, base), "?")
	p, _, _ = strings.Cut(p, "#")
	if p == "/" || p == "/conformance" || p == "/api" || p == "/collections" || p == "/tiles" ||
		collectionPage.MatchString(p) {
		switch l.Type {
		case "", mediaJSON, mediaGeoJSON, mediaOpenAPI:
			return htmlHref(l.Href)
		}
	}
	return l.Href
}

func (s *Server) htmlLanding(w http.ResponseWriter, r *http.Request) {
	var doc struct {
		Title       string `json:"title"`
		Description string `json:"description"`
		Links       []Link `json:"links"`
	}
	if !s.jsonOf(w, r, s.handleLanding, &doc) {
		return
	}
	base := s.baseURL(r)
	s.renderPage(w, r, http.StatusOK, "landing", htmlPage{
		Title: doc.Title, Crumbs: crumbs(base),
		Body: map[string]any{"Doc": doc, "Links": pageLinks(base, doc.Links)},
	})
}

func (s *Server) htmlConformance(w http.ResponseWriter, r *http.Request) {
	var doc struct {
		ConformsTo []string `json:"conformsTo"`
	}
	if !s.jsonOf(w, r, s.handleConformance, &doc) {
		return
	}
	base := s.baseURL(r)
	s.renderPage(w, r, http.StatusOK, "conformance", htmlPage{
		Title: "Conformance", Crumbs: crumbs(base, "Conformance", ""), Body: doc.ConformsTo,
	})
}

// apiOperation is one operation of the OpenAPI document, as the API page
// lists it.
type apiOperation struct {
	Method, Path, Summary, Description string
	Parameters                         []apiParameter
}

type apiParameter struct {
	Name, In, Description string
	Required              bool
}

func (s *Server) htmlAPI(w http.ResponseWriter, r *http.Request) {
	var doc struct {
		Info struct {
			Title       string `json:"title"`
			Version     string `json:"version"`
			Description string `json:"description"`
		} `json:"info"`
		Paths      json.RawMessage `json:"paths"`
		Components struct {
			Parameters map[string]json.RawMessage `json:"parameters"`
		} `json:"components"`
	}
	if !s.jsonOf(w, r, s.handleOpenAPI, &doc) {
		return
	}
	type rawParam struct {
		Ref         string `json:"$ref"`
		Name        string `json:"name"`
		In          string `json:"in"`
		Description string `json:"description"`
		Required    bool   `json:"required"`
	}
	param := func(raw json.RawMessage) apiParameter {
		var p rawParam
		json.Unmarshal(raw, &p)
		if name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/"); ok {
			json.Unmarshal(doc.Components.Parameters[name], &p)
		}
		return apiParameter{p.Name, p.In, p.Description, p.Required}
	}
	// The paths in the document's order, which groups them.
	var ops []apiOperation
	for _, path := range orderedMembers(doc.Paths) {
		p := path.Name
		var item map[string]json.RawMessage
		json.Unmarshal(path.Value, &item)
		var shared []json.RawMessage
		json.Unmarshal(item["parameters"], &shared)
		for _, m := range []string{"get", "post", "put", "patch", "delete", "options"} {
			raw, ok := item[m]
			if !ok {
				continue
			}
			var op struct {
				Summary     string            `json:"summary"`
				Description string            `json:"description"`
				Parameters  []json.RawMessage `json:"parameters"`
			}
			json.Unmarshal(raw, &op)
			o := apiOperation{Method: strings.ToUpper(m), Path: p, Summary: op.Summary, Description: op.Description}
			for _, raw := range append(shared[:len(shared):len(shared)], op.Parameters...) {
				o.Parameters = append(o.Parameters, param(raw))
			}
			ops = append(ops, o)
		}
	}
	base := s.baseURL(r)
	s.renderPage(w, r, http.StatusOK, "api", htmlPage{
		Title: "The API", Crumbs: crumbs(base, "The API", ""),
		Body: map[string]any{"Info": doc.Info, "Operations": ops, "Summary": base + "/api.html"},
	})
}

// collectionView is a collection as its pages show it.
type collectionView struct {
	collection
	Page  string
	Links []linkView
}

func (s *Server) viewCollection(base string, c collection) collectionView {
	return collectionView{collection: c, Page: htmlHref(collectionHref(base, c.ID)), Links: pageLinks(base, c.Links)}
}

func collectionHref(base, id string) string { return base + "/collections/" + url.PathEscape(id) }

// mapHref opens the interactive map showing a layer, and a feature when
// id is not empty.
func mapHref(base, layer, id string) string {
	h := base + "/#layers=" + url.QueryEscape(layer)
	if id != "" {
		h += "&feature=" + url.QueryEscape(id)
	}
	return h
}

func (s *Server) htmlCollections(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	var doc struct {
		Collections []collection `json:"collections"`
	}
	if !s.dataJSON(w, r, snap, s.handleCollections, &doc) {
		return
	}
	base := s.baseURL(r)
	views := make([]collectionView, len(doc.Collections))
	for i, c := range doc.Collections {
		views[i] = s.viewCollection(base, c)
	}
	s.renderPage(w, r, http.StatusOK, "collections", htmlPage{
		Title: "Collections", Crumbs: crumbs(base, "Collections", ""), Body: views,
	})
}

func (s *Server) htmlCollection(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	var doc collection
	if !s.dataJSON(w, r, snap, s.handleCollection, &doc) {
		return
	}
	base := s.baseURL(r)
	s.renderPage(w, r, http.StatusOK, "collection", htmlPage{
		Title: doc.Title, Map: mapHref(base, doc.ID, ""),
		Crumbs: crumbs(base, "Collections", htmlHref(base+"/collections"), doc.Title, ""),
		Body:   s.viewCollection(base, doc),
	})
}

// featureView is a feature as the pages show it.
type featureView struct {
	ID         string
	Page       string
	Properties []property
	Sources    []sourceView
	History    string
}

// property is one property of a feature, in the order the JSON has it.
type property struct {
	Name  string
	Value json.RawMessage
}

// sourceView is one of a feature's sources; URL is empty unless it is an
// http or https address.
type sourceView struct {
	Title, Publisher, Date, URL, Note string
}

// rawFeature is a GeoJSON feature as the JSON handlers answer it.
type rawFeature struct {
	ID         json.RawMessage `json:"id"`
	Properties json.RawMessage `json:"properties"`
	Links      []Link          `json:"links"`
}

// viewFeature reads a feature for the pages: its properties in order,
// and its sources apart.
func viewFeature(base, layer string, f rawFeature) featureView {
	var id string
	if json.Unmarshal(f.ID, &id) != nil {
		id = strings.Trim(string(f.ID), `"`)
	}
	v := featureView{ID: id, Page: htmlHref(collectionHref(base, layer) + "/items/" + url.PathEscape(id))}
	for _, p := range orderedMembers(f.Properties) {
		if p.Name == "sources" {
			var srcs []map[string]any
			json.Unmarshal(p.Value, &srcs)
			for _, m := range srcs {
				sv := sourceView{Title: text(m["title"]), Publisher: text(m["publisher"]), Date: text(m["date"]), URL: text(m["url"]), Note: text(m["note"])}
				if u, err := url.Parse(sv.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") {
					sv.URL = ""
				}
				v.Sources = append(v.Sources, sv)
			}
			continue
		}
		v.Properties = append(v.Properties, p)
	}
	for _, l := range f.Links {
		if l.Rel == "version-history" {
			v.History = htmlHref(l.Href)
		}
	}
	return v
}

// Get returns the value of the property named name as text, "" when
// absent or null.
func (f featureView) Get(name string) string {
	for _, p := range f.Properties {
		if p.Name == name {
			return showValue(p.Value)
		}
	}
	return ""
}

// text is a JSON value as text: strings as they are, others as JSON.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// showValue is a raw JSON value as a page shows it: a string as its text,
// null as nothing, anything else as JSON.
func showValue(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	return text(v)
}

// orderedMembers returns a JSON object's members in their order.
func orderedMembers(obj json.RawMessage) []property {
	d := json.NewDecoder(bytes.NewReader(obj))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var out []property
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return out
		}
		var v json.RawMessage
		if d.Decode(&v) != nil {
			return out
		}
		out = append(out, property{Name: t.(string), Value: v})
	}
	return out
}

func (s *Server) htmlItems(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	var doc struct {
		Features       []json.RawMessage `json:"features"`
		NumberMatched  int               `json:"numberMatched"`
		NumberReturned int               `json:"numberReturned"`
		Links          []Link            `json:"links"`
	}
	if !s.dataJSON(w, r, snap, s.handleItems, &doc) {
		return
	}
	l, _, ok := s.layerVersion(w, r, snap)
	if !ok {
		return
	}
	base := s.baseURL(r)
	features := make([]featureView, len(doc.Features))
	for i, raw := range doc.Features {
		var f rawFeature
		json.Unmarshal(raw, &f)
		features[i] = viewFeature(base, l.ID, f)
	}
	paging := map[string]string{}
	for _, k := range []string{"next", "prev"} {
		for _, ln := range doc.Links {
			if ln.Rel == k {
				paging[k] = htmlHref(ln.Href)
			}
		}
	}
	first := 0
	if len(features) > 0 {
		// The offset of this page is what the JSON's prev link and
		// counts imply; the query holds it when given.
		first = offsetOf(r) + 1
	}
	coll := collectionHref(base, l.ID)
	s.renderPage(w, r, http.StatusOK, "items", htmlPage{
		Title: l.Title + ": features", Map: mapHref(base, l.ID, ""),
		Crumbs:   crumbs(base, "Collections", htmlHref(base+"/collections"), l.Title, htmlHref(coll), "Features", ""),
		Features: featureCollection(doc.Features), MapLabel: "Map of the features on this page",
		Body: map[string]any{
			"Title": l.Title, "Features": features, "Matched": doc.NumberMatched, "Returned": doc.NumberReturned,
			"First": first, "Last": first + len(features) - 1, "Next": paging["next"], "Prev": paging["prev"],
			"Collection": htmlHref(coll),
		},
	})
}

// offsetOf is the items request's offset (0 when absent; the JSON
// handler has checked it).
func offsetOf(r *http.Request) int {
	n, _ := atoi(r.URL.Query().Get("offset"))
	return n
}

// featureCollection is GeoJSON of the features for a page's small map.
func featureCollection(features []json.RawMessage) string {
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, f := range features {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(f)
	}
	b.WriteString("]}")
	return b.String()
}

func (s *Server) htmlFeature(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	var raw json.RawMessage
	if !s.dataJSON(w, r, snap, s.handleFeature, &raw) {
		return
	}
	var f rawFeature
	json.Unmarshal(raw, &f)
	l, _, ok := s.layerVersion(w, r, snap)
	if !ok {
		return
	}
	base := s.baseURL(r)
	v := viewFeature(base, l.ID, f)
	title := v.Get("name")
	if title == "" {
		title = v.ID
	}
	coll := collectionHref(base, l.ID)
	s.renderPage(w, r, http.StatusOK, "feature", htmlPage{
		Title: title, Map: mapHref(base, l.ID, v.ID),
		Crumbs: crumbs(base, "Collections", htmlHref(base+"/collections"), l.Title, htmlHref(coll),
			"Features", htmlHref(coll+"/items"), title, ""),
		Features: featureCollection([]json.RawMessage{raw}), MapLabel: "Map of this feature",
		Body: map[string]any{"Feature": v, "Collection": l.Title, "Links": pageLinks(base, f.Links)},
	})
}

func (s *Server) htmlTilesets(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	var doc struct {
		Tilesets []struct {
			Title string `json:"title"`
			Links []Link `json:"links"`
		} `json:"tilesets"`
		Links []Link `json:"links"`
	}
	if !s.dataJSON(w, r, snap, s.handleTilesets, &doc) {
		return
	}
	base := s.baseURL(r)
	type tileset struct {
		Title string
		Links []linkView
	}
	sets := make([]tileset, len(doc.Tilesets))
	for i, t := range doc.Tilesets {
		sets[i].Title = t.Title
		for _, l := range t.Links {
			sets[i].Links = append(sets[i].Links, linkView{Link: l, Page: pageOf(base, l)})
		}
	}
	p := htmlPage{Title: "Vector tiles", Crumbs: crumbs(base, "Vector tiles", "")}
	if _, in := mux.Vars(r)["collectionId"]; in {
		l, _, ok := s.layerVersion(w, r, snap)
		if !ok {
			return
		}
		p.Title = "Vector tiles of " + l.Title
		p.Map = mapHref(base, l.ID, "")
		p.Crumbs = crumbs(base, "Collections", htmlHref(base+"/collections"), l.Title, htmlHref(collectionHref(base, l.ID)), "Vector tiles", "")
	}
	p.Body = map[string]any{"Tilesets": sets, "Links": pageLinks(base, doc.Links)}
	s.renderPage(w, r, http.StatusOK, "tiles", p)
}

func (s *Server) htmlVersions(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	var doc struct {
		Versions []versionDoc `json:"versions"`
	}
	if !s.dataJSON(w, r, snap, s.handleVersions, &doc) {
		return
	}
	vars := mux.Vars(r)
	l, _, ok := s.layerVersion(w, r, snap)
	if !ok {
		return
	}
	base := s.baseURL(r)
	coll := collectionHref(base, l.ID)
	feature := s.featureURL(r, l.ID, vars["featureId"])
	type versionView struct {
		versionDoc
		// Then is the feature's page as it was recorded by this version;
		// GeoJSON is the version itself.
		Then, GeoJSON string
	}
	views := make([]versionView, len(doc.Versions))
	for i, v := range doc.Versions {
		views[i] = versionView{versionDoc: v, Then: htmlHref(feature + "?asof=" + url.QueryEscape(v.RecordedFrom))}
		for _, ln := range v.Links {
			if ln.Rel == "self" {
				views[i].GeoJSON = ln.Href
			}
		}
	}
	s.renderPage(w, r, http.StatusOK, "versions", htmlPage{
		Title: "Versions of " + vars["featureId"], Map: mapHref(base, l.ID, vars["featureId"]),
		Crumbs: crumbs(base, "Collections", htmlHref(base+"/collections"), l.Title, htmlHref(coll),
			"Features", htmlHref(coll+"/items"), vars["featureId"], htmlHref(feature), "Versions", ""),
		Body: map[string]any{"Versions": views, "Feature": htmlHref(feature)},
	})
}
