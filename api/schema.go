package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sort"

	"strata/geo"
)

// The schema of a collection's features (OGC API – Features Part 5,
// Schemas): GET /collections/{collectionId}/schema, a JSON Schema 2020-12
// document with the type of every property.

const (
	// conformanceSchemas is the Part 5 conformance class.
	conformanceSchemas = "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas"
	// relSchema links a collection to its schema.
	relSchema = "http://www.opengis.net/def/rel/ogc/1.0/schema"
	// mediaSchema is the media type of a JSON Schema.
	mediaSchema = "application/schema+json"
)

// schemaProperty is one property of a schema.
type schemaProperty struct {
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	// Type is a JSON Schema type name, or a list of them.
	Type   any    `json:"type,omitempty"`
	Format string `json:"format,omitempty"`
	Role   string `json:"x-ogc-role,omitempty"`
	Items  any    `json:"items,omitempty"`
	// ReadOnly marks what the server derives and ignores on writes.
	ReadOnly bool `json:"readOnly,omitempty"`
}

// strataProperties are the members Strata adds to every feature's
// properties, typed whatever the values: valid_to is a date-time even in
// a layer where every feature is still valid (null).
var strataProperties = map[string]schemaProperty{
	"valid_from": {Title: "Valid from", Description: "Start of the valid time (inclusive), an RFC 3339 date-time in UTC; null when not known.",
		Type: []string{"string", "null"}, Format: "date-time", Role: "primary-interval-start"},
	"valid_to": {Title: "Valid to", Description: "End of the valid time (exclusive), an RFC 3339 date-time in UTC; null while still valid.",
		Type: []string{"string", "null"}, Format: "date-time", Role: "primary-interval-end"},
	"precision_m": {Title: "Precision (m)", Description: "Stated positional precision in metres: the true position lies within this distance of the geometry.", Type: "number"},
	"sources": {Title: "Sources", Description: "The sources cited for the feature.", Type: "array", Items: map[string]any{
		"type":     "object",
		"required": []string{"title"},
		"properties": map[string]any{
			"title": map[string]string{"type": "string"}, "publisher": map[string]string{"type": "string"},
			"date": map[string]string{"type": "string"}, "url": map[string]string{"type": "string", "format": "uri"},
			"note": map[string]string{"type": "string"},
		},
	}},
	"citation": {Title: "Citation", Description: "The sources as one line of text (title, publisher, date, URL; sources separated by '; '), for clients that cannot read an array of objects.",
		Type: "string", ReadOnly: true},
}

// geometryFormats are the Part 5 formats of a layer's geometry kinds.
var geometryFormats = map[geo.GeometryKind]string{
	geo.KindPoint:   "geometry-point-or-multipoint",
	geo.KindLine:    "geometry-linestring-or-multilinestring",
	geo.KindPolygon: "geometry-polygon-or-multipolygon",
	geo.KindMixed:   "geometry-any",
}

// handleSchema serves GET /collections/{collectionId}/schema: the types
// of the properties of the collection's features, Strata's own fixed and
// the others as the features hold them (a property holding strings in
// some features and null in others is ["string", "null"]).
func (s *Server) handleSchema(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	l, own, ok := s.schemaOf(w, r, snap, "schema")
	if !ok {
		return
	}
	props := map[string]schemaProperty{
		"id":       {Title: "Feature id", Type: "string", Role: "id"},
		"geometry": {Title: "Geometry", Format: geometryFormats[l.Kind], Role: "primary-geometry"},
	}
	for k, types := range own {
		p := schemaProperty{Type: types[0]}
		if len(types) > 1 {
			p.Type = types
		}
		props[k] = p
	}
	for k, p := range strataProperties {
		props[k] = p
	}
	s.writeSchema(w, r, map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         s.baseURL(r) + "/collections/" + url.PathEscape(l.ID) + "/schema",
		"title":       l.Title,
		"description": l.Description,
		"type":        "object",
		"properties":  props,
	})
}

// schemaOf reads the request for a schema of the collection (its ETag
// tagged with kind) and the types of its features' own properties, or
// answers and returns ok false.
func (s *Server) schemaOf(w http.ResponseWriter, r *http.Request, snap geo.Snapshot, kind string) (l geo.Layer, own map[string][]string, ok bool) {
	if err := checkCollectionDoc(r); err != nil {
		s.writeError(w, r, err)
		return l, nil, false
	}
	l, version, ok := s.layerVersion(w, r, snap)
	if !ok {
		return l, nil, false
	}
	if notModified(w, r, weakETag(kind, version, l.ID)) {
		return l, nil, false
	}
	if !s.enterQuery(w, r) {
		return l, nil, false
	}
	own, err := propertyTypes(r, snap, l.ID)
	s.gate.Leave()
	if err != nil {
		s.writeError(w, r, err)
		return l, nil, false
	}
	return l, own, true
}

// writeSchema sends a schema document.
func (s *Server) writeSchema(w http.ResponseWriter, r *http.Request, doc map[string]any) {
	body, err := json.Marshal(doc)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", cacheControl(r, "public, max-age=60"))
	h.Add("Vary", "Accept")
	h.Set("Content-Type", mediaSchema)
	w.Write(body)
}

// propertyTypes reads every feature of layer and returns the JSON Schema
// types each of their own properties holds, sorted.
func propertyTypes(r *http.Request, snap geo.Snapshot, layer string) (map[string][]string, error) {
	seen := map[string]map[string]bool{}
	_, err := snap.Search(r.Context(), geo.Filter{Layer: layer, Time: geo.Always}, func(f *geo.Feature) error {
		var m map[string]json.RawMessage
		if len(f.Properties) == 0 {
			return nil
		}
		if err := json.Unmarshal(f.Properties, &m); err != nil {
			return err // the store checks properties: not reached
		}
		for k, v := range m {
			if seen[k] == nil {
				seen[k] = map[string]bool{}
			}
			seen[k][jsonType(v)] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(seen))
	for k, set := range seen {
		if set["integer"] && set["number"] {
			delete(set, "integer")
		}
		types := make([]string, 0, len(set))
		for t := range set {
			types = append(types, t)
		}
		sort.Strings(types)
		// null last: ["string", "null"].
		if i := slices.Index(types, "null"); i >= 0 && len(types) > 1 {
			types = append(append(types[:i:i], types[i+1:]...), "null")
		}
		out[k] = types
	}
	return out, nil
}

// jsonType is the JSON Schema type of a JSON value.
func jsonType(v json.RawMessage) string {
	if len(v) == 0 {
		return "null"
	}
	switch v[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	for _, c := range v {
		if c == '.' || c == 'e' || c == 'E' {
			return "number"
		}
	}
	return "integer"
}

// handleFeatureSchema serves GET /collections/{collectionId}/geojson-schema:
// the schema of one GeoJSON Feature of the collection, as an OpenAPI 3.0
// Schema Object (one type per property, "nullable" where null occurs).
// The collection links it with rel describedBy, which GDAL's OAPIF
// driver reads to type its fields, also those whose values are all null
// in the page it samples (valid_to of a layer still valid, a date-time).
func (s *Server) handleFeatureSchema(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	l, own, ok := s.schemaOf(w, r, snap, "geojson-schema")
	if !ok {
		return
	}
	props := map[string]any{}
	for k, types := range own {
		p := map[string]any{}
		if t := singleType(types); t != "" {
			p["type"] = t
		}
		if slices.Contains(types, "null") {
			p["nullable"] = true
		}
		props[k] = p
	}
	for k, p := range strataProperties {
		o := map[string]any{"title": p.Title, "description": p.Description}
		switch t := p.Type.(type) {
		case string:
			o["type"] = t
		case []string:
			o["type"], o["nullable"] = t[0], true
		}
		if p.Format != "" {
			o["format"] = p.Format
		}
		if p.Items != nil {
			o["items"] = p.Items
		}
		if p.ReadOnly {
			o["readOnly"] = true
		}
		props[k] = o
	}
	s.writeSchema(w, r, map[string]any{
		"title":    l.Title,
		"type":     "object",
		"required": []string{"type", "geometry", "properties"},
		"properties": map[string]any{
			"type":       map[string]any{"type": "string", "enum": []string{"Feature"}},
			"id":         map[string]any{"type": "string"},
			"geometry":   map[string]any{"type": "object", "description": "A GeoJSON geometry (" + geometryFormats[l.Kind] + ")"},
			"properties": map[string]any{"type": "object", "properties": props},
		},
	})
}

// singleType is the one type of a property for a client that reads one
// only: the type besides null, or "" where there are several.
func singleType(types []string) string {
	var rest []string
	for _, t := range types {
		if t != "null" {
			rest = append(rest, t)
		}
	}
	if len(rest) == 1 {
		return rest[0]
	}
	return ""
}
