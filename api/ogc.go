package api

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"strata/geo"
)

// Media types.
const (
	mediaJSON    = "application/json"
	mediaGeoJSON = "application/geo+json"
	mediaOpenAPI = "application/vnd.oai.openapi+json;version=3.0"
	mediaHTML    = "text/html"
)

// Link is an OGC API link.
type Link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// conformance lists the classes Strata implements, and no others.
var conformance = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
	confHTML,
}

// baseURL is the absolute URL of the API root, without a trailing slash.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimRight(s.cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
		scheme = p
	}
	return scheme + "://" + r.Host
}

// checkFormat accepts f=json (and the given aliases) or no f.
func checkFormat(r *http.Request, also ...string) error {
	v := r.URL.Query()
	f := v.Get("f")
	if !v.Has("f") || f == "json" {
		return nil
	}
	for _, a := range also {
		if f == a {
			return nil
		}
	}
	return geo.Invalidf("f", "format f=%q is not offered here; use f=json", f)
}

// writeJSON sends a complete JSON document with a strong ETag, answering
// 304 when the client has it already.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, mediaType string, v any) {
	s.writeJSONWith(w, r, mediaType, cacheControl(r, "public, max-age=60"), v)
}

// writeJSONWith is writeJSON with the Cache-Control given.
func (s *Server) writeJSONWith(w http.ResponseWriter, r *http.Request, mediaType, cache string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", cache)
	h.Add("Vary", "Accept") // beside the compressor's Accept-Encoding
	if notModified(w, r, etag(body)) {
		return
	}
	h.Set("Content-Type", mediaType)
	w.Write(body)
}

// wantsHTML reports whether the client asked for HTML, by f=html or by an
// Accept header that prefers it (as browsers send).
func wantsHTML(r *http.Request) bool {
	switch r.URL.Query().Get("f") {
	case "html":
		return true
	case "":
		return prefersHTML(r.Header.Get("Accept"))
	}
	return false
}

// handleLanding serves GET /: the map page for browsers, the OGC landing
// page JSON for everyone else.
func (s *Server) handleLanding(w http.ResponseWriter, r *http.Request) {
	if err := checkParams(r, "f"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if wantsHTML(r) && s.cfg.Static != nil {
		s.serveIndex(w, r)
		return
	}
	if err := checkFormat(r, "html"); err != nil {
		s.writeError(w, r, err)
		return
	}
	base := s.baseURL(r)
	s.writeJSON(w, r, mediaJSON, map[string]any{
		"title":       "Strata",
		"description": "Dated map layers with their sources: the geography of the October 2025 Gaza ceasefire and the Civil-Military Coordination Center in Kiryat Gat.",
		"links": []Link{
			{base + "/?f=json", "self", mediaJSON, "This document"},
			{base + "/?f=html", "alternate", mediaHTML, "This document as HTML"},
			{base + "/", "related", mediaHTML, "The interactive map"},
			{base + "/api", "service-desc", mediaOpenAPI, "The API definition (OpenAPI 3.0)"},
			{base + "/api.html", "service-doc", mediaHTML, "The API documentation"},
			{base + "/conformance", "conformance", mediaJSON, "Conformance classes"},
			{base + "/collections", "data", mediaJSON, "The collections"},
			{base + "/tiles", relTilesetsVector, mediaJSON, "Vector tiles of all layers"},
			{base + "/tileMatrixSets", relTilingSchemes, mediaJSON, "Tile matrix sets"},
			{base + "/tilejson.json", "describedby", mediaJSON, "TileJSON of all layers (XYZ)"},
		},
	})
}

// serveIndex sends the front end's index.html.
func (s *Server) serveIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Add("Vary", "Accept")
	http.ServeFileFS(w, r, s.cfg.Static, "index.html")
}

// handleConformance serves GET /conformance.
func (s *Server) handleConformance(w http.ResponseWriter, r *http.Request) {
	if err := s.checkDoc(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	classes := append(conformance[:len(conformance):len(conformance)], featuresPart4...)
	classes = append(classes, featuresPart3...)
	s.writeJSON(w, r, mediaJSON, map[string]any{"conformsTo": append(classes, tilesConformance...)})
}

func (s *Server) checkDoc(r *http.Request) error {
	if err := checkParams(r, "f"); err != nil {
		return err
	}
	return checkFormat(r)
}

// collection is the OGC collection document, with Strata's layer metadata
// as extension members for map clients.
type collection struct {
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	Description  string    `json:"description"`
	Extent       *extent   `json:"extent,omitempty"`
	ItemType     string    `json:"itemType"`
	CRS          []string  `json:"crs"`
	StorageCRS   string    `json:"storageCrs"`
	Links        []Link    `json:"links"`
	GeometryKind string    `json:"geometry_kind"`
	Group        string    `json:"group,omitempty"`
	Order        int       `json:"order"`
	Style        geo.Style `json:"style"`
	Attribution  string    `json:"attribution,omitempty"`
	Licence      string    `json:"licence,omitempty"`
	// FeatureCount lets map clients choose between GeoJSON and tiles.
	FeatureCount int `json:"feature_count"`
}

type extent struct {
	Spatial  spatialExtent  `json:"spatial"`
	Temporal temporalExtent `json:"temporal"`
}

type spatialExtent struct {
	BBox [][4]float64 `json:"bbox"`
	CRS  string       `json:"crs"`
}

type temporalExtent struct {
	Interval [][2]*string `json:"interval"`
	TRS      string       `json:"trs"`
}

func (s *Server) collectionDoc(r *http.Request, snap geo.Snapshot, l geo.Layer) (collection, error) {
	e, err := snap.Extent(r.Context(), l.ID)
	if err != nil {
		return collection{}, err
	}
	n, err := snap.Search(r.Context(), geo.Filter{Layer: l.ID, Time: geo.Always}, nil)
	if err != nil {
		return collection{}, err
	}
	base := s.baseURL(r) + "/collections/" + url.PathEscape(l.ID)
	c := collection{
		FeatureCount: n,
		ID:           l.ID, Title: l.Title, Description: l.Description,
		ItemType: "feature", CRS: []string{geo.CRS84}, StorageCRS: geo.CRS84,
		GeometryKind: string(l.Kind), Group: l.Group, Order: l.Order, Style: l.Style,
		Attribution: l.Attribution, Licence: l.Licence,
		Links: []Link{
			{base, "self", mediaJSON, "This collection"},
			{htmlHref(base), "alternate", mediaHTML, "This collection as HTML"},
			{base + "/items", "items", mediaGeoJSON, "The features of " + l.Title},
			{base + "/tiles", relTilesetsVector, mediaJSON, "Vector tiles of " + l.Title},
			queryablesLink(s.baseURL(r), l),
		},
	}
	if l.Licence != "" {
		c.Links = append(c.Links, Link{Href: s.baseURL(r) + "/#licences", Rel: "license", Type: mediaHTML, Title: l.Licence})
	}
	if !e.Empty {
		c.Extent = &extent{
			Spatial:  spatialExtent{BBox: [][4]float64{{e.BBox.Min[0], e.BBox.Min[1], e.BBox.Max[0], e.BBox.Max[1]}}, CRS: geo.CRS84},
			Temporal: temporalExtent{Interval: [][2]*string{{timestamp(e.Time.Start), timestamp(e.Time.End)}}, TRS: "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"},
		}
	}
	return c, nil
}

// timestamp formats a bound as RFC 3339, nil when open.
func timestamp(ms int64) *string {
	if ms == geo.OpenStart || ms == geo.OpenEnd {
		return nil
	}
	t := geo.TimeOf(ms).Format(time.RFC3339)
	return &t
}

// checkCollectionDoc checks a request for a collection document: f=json
// and asof only.
func checkCollectionDoc(r *http.Request) error {
	if err := checkParams(r, "f", "asof"); err != nil {
		return err
	}
	return checkFormat(r)
}

// handleCollections serves GET /collections.
func (s *Server) handleCollections(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	if err := checkCollectionDoc(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	layers := snap.Layers()
	cs := make([]collection, 0, len(layers))
	for _, l := range layers {
		c, err := s.collectionDoc(r, snap, l)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		cs = append(cs, c)
	}
	base := s.baseURL(r)
	s.writeJSON(w, r, mediaJSON, map[string]any{
		"links": []Link{
			{base + "/collections", "self", mediaJSON, "The collections"},
			{base + "/collections?f=html", "alternate", mediaHTML, "The collections as HTML"},
		},
		"collections": cs,
	})
}

// handleCollection serves GET /collections/{collectionId}.
func (s *Server) handleCollection(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	if err := checkCollectionDoc(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	l, err := snap.Layer(mux.Vars(r)["collectionId"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.collectionDoc(r, snap, l)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, mediaJSON, c)
}

// apiDocStyle is the API summary's inline stylesheet, allowed by its hash
// in the Content-Security-Policy (see securityHeaders).
const apiDocStyle = `body{font:16px/1.5 system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}code{background:#eee;padding:0 .2em}td{padding:.2em .6em;vertical-align:top}`

var apiDoc = template.Must(template.New("api").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Strata API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>` + apiDocStyle + `</style>
</head><body>
<h1>Strata API</h1>
<p>Strata implements OGC API – Features Part 1 Core with GeoJSON, and Part 4 (create, replace, update, delete) for writers with a token. The machine-readable definition is at <a href="{{.}}/api">{{.}}/api</a> (OpenAPI 3.0).</p>
<table>
<tr><td><code>GET /</code></td><td>Landing page (JSON; browsers get the map; <code>?f=html</code> the landing page as HTML)</td></tr>
<tr><td><code>GET /conformance</code></td><td>Conformance classes</td></tr>
<tr><td><code>GET /collections</code></td><td>Layers with their spatial and temporal extents</td></tr>
<tr><td><code>GET /collections/{id}</code></td><td>One layer</td></tr>
<tr><td><code>GET /collections/{id}/items</code></td><td>Features as GeoJSON; <code>bbox</code>, <code>datetime</code>, <code>limit</code>, <code>offset</code></td></tr>
<tr><td><code>GET /collections/{id}/queryables</code></td><td>What items can be filtered on: each property is also a parameter (<code>?category=visit,plan</code>); <code>filter</code> (CQL2, <code>filter-lang</code> cql2-text or cql2-json, <code>filter-crs</code>), <code>sortby</code> (<code>-valid_from,+name</code>), <code>properties</code></td></tr>
<tr><td><code>GET /collections/{id}/items/{featureId}</code></td><td>One feature</td></tr>
<tr><td><code>POST /collections/{id}/items</code></td><td>Add a feature (token; 201, Location, ETag)</td></tr>
<tr><td><code>PUT</code>, <code>PATCH</code>, <code>DELETE /collections/{id}/items/{featureId}</code></td><td>Replace, merge-patch or delete a feature (token, <code>If-Match</code>: its ETag)</td></tr>
<tr><td><code>OPTIONS</code> on items and a feature</td><td><code>Allow</code>: the methods your token may use</td></tr>
<tr><td><code>GET /collections/{id}/items/{featureId}/versions</code></td><td>Every version of a feature; <code>/versions/{n}</code> one of them</td></tr>
<tr><td><code>GET /changes</code>, <code>GET /changes/{id}</code></td><td>Changesets (<code>since</code>, <code>until</code>, <code>collections</code>, <code>bbox</code>, <code>limit</code>); one with its features</td></tr>
<tr><td><code>POST /changes/{id}/revert</code></td><td>Undo a changeset (token)</td></tr>
<tr><td><code>GET /changes/stream</code></td><td>New changesets as server-sent events (<code>Last-Event-ID</code> replays)</td></tr>
<tr><td><code>GET /healthz</code>, <code>GET /readyz</code></td><td>Liveness; readiness (the database can be read)</td></tr>
<tr><td><code>GET /metrics</code></td><td>Prometheus metrics</td></tr>
</table>
<p>The landing page, conformance, the API, the collections, a collection, its items, a feature, its versions and the tile sets also answer HTML pages to browsers (by <code>Accept</code>) and to <code>f=html</code>; <code>f=json</code> asks for JSON.</p>
<p><code>datetime</code> is an RFC 3339 instant or date (a date is the whole UTC day), or an interval <code>a/b</code> with <code>..</code> for an open end. A feature matches when its valid time [valid_from, valid_to) meets the requested time.</p>
<p><code>asof</code> (an RFC 3339 instant, or a date meaning the end of that UTC day) on collections, items, a feature, its versions, the histogram and tiles answers as the data was recorded then. Writes need <code>Authorization: Bearer TOKEN</code>; a comment goes in <code>X-Strata-Comment</code> or the body's <code>comment</code>.</p>
</body></html>`))

// handleAPIDoc serves GET /api.html, the human-readable API summary.
func (s *Server) handleAPIDoc(w http.ResponseWriter, r *http.Request) {
	if err := checkParams(r, "f"); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	apiDoc.Execute(w, s.baseURL(r))
}
