package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"sync"

	"golang.org/x/sync/singleflight"

	"strata/cql2"
	"strata/geo"
)

// featuresPart3 lists the OGC API – Features Part 3 (Filtering) and CQL2
// conformance classes implemented: see filter.go and package cql2.
var featuresPart3 = []string{
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
	"http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
	"http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
	"http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
	"http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
	"http://www.opengis.net/spec/cql2/1.0/conf/accent-insensitive-comparison",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
	"http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions",
	"http://www.opengis.net/spec/cql2/1.0/conf/property-property",
}

const mediaSchema = "application/schema+json"

// queryable is one property a filter may name.
type queryable struct {
	name string
	typ  cql2.Type
	// integer: every value seen is a whole number.
	integer bool
}

// layerQueryables are the queryables of a layer: the fixed ones (the
// geometry, the valid time, precision_m) and every property its features
// have with text, number or boolean values, by name.
type layerQueryables struct {
	list  []queryable
	types cql2.Queryables
}

// fixedQueryables are the members every feature has.
var fixedQueryables = []queryable{
	{name: "geometry", typ: cql2.TypeGeometry},
	{name: "valid_from", typ: cql2.TypeInstant},
	{name: "valid_to", typ: cql2.TypeInstant},
	{name: "precision_m", typ: cql2.TypeNumber},
}

// queryablesCache keeps the queryables of layers by data version: they
// are read from every feature of the layer, once per version. The zero
// value is an empty cache.
type queryablesCache struct {
	mu    sync.Mutex
	m     map[string]*layerQueryables
	reads singleflight.Group
}

// maxQueryablesCached bounds the cache; it is emptied when full.
const maxQueryablesCached = 256

// queryables returns the queryables of a layer in the snapshot.
func (s *Server) queryables(ctx context.Context, snap geo.Snapshot, layer string) (*layerQueryables, error) {
	key := strconv.FormatInt(snap.Version(), 10) + "/" + layer
	c := &s.queryablesCache
	c.mu.Lock()
	lq := c.m[key]
	c.mu.Unlock()
	if lq != nil {
		return lq, nil
	}
	// One read per key at a time, the others waiting for it; the read
	// goes on if its client leaves, for those waiting and the cache.
	v, err, _ := c.reads.Do(key, func() (any, error) {
		lq, err := readQueryables(context.WithoutCancel(ctx), snap, layer)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		if c.m == nil || len(c.m) >= maxQueryablesCached {
			c.m = map[string]*layerQueryables{}
		}
		c.m[key] = lq
		c.mu.Unlock()
		return lq, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*layerQueryables), nil
}

// readQueryables reads the queryables of a layer from its features.
func readQueryables(ctx context.Context, snap geo.Snapshot, layer string) (*layerQueryables, error) {
	type seen struct {
		types   map[string]bool // JSON kinds: string, number, boolean
		integer bool
	}
	props := map[string]*seen{}
	_, err := snap.Search(ctx, geo.Filter{Layer: layer, Time: geo.Always}, func(f *geo.Feature) error {
		var m map[string]any
		if len(f.Properties) == 0 || json.Unmarshal(f.Properties, &m) != nil {
			return nil
		}
		for k, v := range m {
			p := props[k]
			if p == nil {
				p = &seen{types: map[string]bool{}, integer: true}
				props[k] = p
			}
			switch v := v.(type) {
			case string:
				p.types["string"] = true
			case float64:
				p.types["number"] = true
				if v != float64(int64(v)) {
					p.integer = false
				}
			case bool:
				p.types["boolean"] = true
			case nil:
			default:
				p.types["other"] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	lq := &layerQueryables{types: cql2.Queryables{}}
	lq.list = append(lq.list, fixedQueryables...)
	fixed := map[string]bool{}
	for _, q := range fixedQueryables {
		fixed[q.name] = true
	}
	var names []string
	for k, p := range props {
		if !fixed[k] && !p.types["other"] {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		p := props[k]
		q := queryable{name: k, typ: cql2.TypeAny}
		switch {
		case len(p.types) != 1:
		case p.types["string"]:
			q.typ = cql2.TypeString
		case p.types["number"]:
			q.typ, q.integer = cql2.TypeNumber, p.integer
		case p.types["boolean"]:
			q.typ = cql2.TypeBoolean
		}
		lq.list = append(lq.list, q)
	}
	for _, q := range lq.list {
		lq.types[q.name] = q.typ
	}
	return lq, nil
}

// schema is the JSON Schema of one queryable.
func (q queryable) schema() map[string]any {
	m := map[string]any{"title": q.name}
	switch q.typ {
	case cql2.TypeString:
		m["type"] = "string"
	case cql2.TypeNumber:
		m["type"] = "number"
		if q.integer {
			m["type"] = "integer"
		}
	case cql2.TypeBoolean:
		m["type"] = "boolean"
	case cql2.TypeInstant:
		m["type"] = "string"
		m["format"] = "date-time"
	case cql2.TypeGeometry:
		m["format"] = "geometry-any"
		m["x-ogc-role"] = "primary-geometry"
	}
	switch q.name {
	case "valid_from":
		m["description"] = "Start of the valid time (inclusive); null when open"
		m["x-ogc-role"] = "primary-interval-start"
	case "valid_to":
		m["description"] = "End of the valid time (exclusive); null when open"
		m["x-ogc-role"] = "primary-interval-end"
	case "precision_m":
		m["description"] = "Positional precision in metres"
	}
	return m
}

// handleQueryables serves GET /collections/{collectionId}/queryables: a
// JSON Schema (2020-12) of the properties a filter may name.
func (s *Server) handleQueryables(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	if err := checkCollectionDoc(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	l, _, ok := s.layerVersion(w, r, snap)
	if !ok {
		return
	}
	lq, err := s.queryables(r.Context(), snap, l.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	props := map[string]any{}
	for _, q := range lq.list {
		props[q.name] = q.schema()
	}
	s.writeJSON(w, r, mediaSchema, map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  s.baseURL(r) + "/collections/" + url.PathEscape(l.ID) + "/queryables",
		"type":                 "object",
		"title":                l.Title,
		"description":          "The properties of " + l.Title + " that a filter (CQL2) or a query parameter may name",
		"properties":           props,
		"additionalProperties": false,
	})
}

// queryablesLink is the collection's link to its queryables.
func queryablesLink(base string, l geo.Layer) Link {
	return Link{base + "/collections/" + url.PathEscape(l.ID) + "/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables", mediaSchema, "The queryables of " + l.Title}
}

// addItemsPaths declares, in the OpenAPI document doc, the items of each
// collection as a path of its own whose GET takes the queryable
// properties as query parameters (?category=visit): GDAL's OAPIF driver
// sends an attribute filter to the server only for parameters declared so.
func (s *Server) addItemsPaths(ctx context.Context, doc map[string]any) error {
	snap, err := s.store.Snapshot(ctx)
	if err != nil {
		return err
	}
	paths := doc["paths"].(map[string]any)
	// The other operations of items (POST, OPTIONS) are declared there
	// too: clients look them up by the concrete path.
	generic, err := json.Marshal(paths["/collections/{collectionId}/items"])
	if err != nil {
		return err
	}
	for _, l := range snap.Layers() {
		lq, err := s.queryables(ctx, snap, l.ID)
		if err != nil {
			return err
		}
		var item map[string]any
		if err := json.Unmarshal(generic, &item); err != nil {
			return err
		}
		for method, op := range item {
			op := op.(map[string]any)
			op["operationId"] = op["operationId"].(string) + "." + l.ID
			var params []any
			ps, _ := op["parameters"].([]any)
			for _, p := range ps {
				if p.(map[string]any)["$ref"] != "#/components/parameters/collectionId" {
					params = append(params, p)
				}
			}
			if method == "get" {
				op["summary"] = "Features of " + l.Title
				params = append(params, propertyParameters(lq)...)
			}
			op["parameters"] = params
		}
		paths["/collections/"+l.ID+"/items"] = item
	}
	return nil
}

// propertyParameters declares the queryables that are items parameters.
func propertyParameters(lq *layerQueryables) []any {
	var params []any
	for _, q := range lq.list {
		if !q.parameter() {
			continue
		}
		item := map[string]any{}
		if t := q.schema()["type"]; t != nil {
			item["type"] = t
		}
		params = append(params, map[string]any{
			"name": q.name, "in": "query", "required": false, "style": "form", "explode": false,
			"description": "Only features whose " + q.name + " is one of these values, separated by commas",
			"schema":      map[string]any{"type": "array", "items": item},
		})
	}
	return params
}
