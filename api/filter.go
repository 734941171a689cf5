package api

import (
	"bytes"
	"cmp"
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"strata/cql2"
	"strata/geo"
	"strata/geo/geojson"
)

// The items parameters of filtering (OGC API – Features Part 3), sorting
// and property selection. Each queryable property with text, number or
// boolean values is a parameter too (Part 1 and Part 3's
// queryables-query-parameters): ?category=visit, or ?category=visit,plan
// for any of several values.
const (
	paramFilter     = "filter"
	paramFilterLang = "filter-lang"
	paramFilterCRS  = "filter-crs"
	paramSortBy     = "sortby"
	paramProperties = "properties"
)

var filterParams = []string{paramFilter, paramFilterLang, paramFilterCRS, paramSortBy, paramProperties}

// itemsParams are the parameters of items besides those of filter.go: a
// property of the same name cannot be a query parameter (filter names it).
var itemsParams = []string{"limit", "offset", "bbox", "datetime", "asof", "f", "q", "crs", "bbox-crs"}

// EPSG:4326 is CRS84 with latitude first.
const crsEPSG4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"

// itemsFilter is what filter.go reads from an items request.
type itemsFilter struct {
	// match is the filter and the property parameters; nil for none.
	match func(*geo.Feature) bool
	sort  []sortKey
	// properties, when not nil, lists the properties to keep.
	properties []string
	// box and time narrow the search by the store's indexes, where the
	// request has no bbox or datetime (see cql2.Bounds).
	box  *geo.BBox
	time geo.Interval
}

type sortKey struct {
	name string
	desc bool
}

// filterParamNames returns the parameter names filter.go takes for this
// request, and the layer's queryables when the request needs them (it
// names a parameter beyond the fixed ones). checkParams then refuses
// any other.
func (s *Server) filterParamNames(r *http.Request, snap geo.Snapshot, layer string) ([]string, *layerQueryables, error) {
	ps, _ := parseQuery(r.URL.RawQuery)
	need := false
	for _, p := range ps {
		if !slices.Contains(itemsParams, p.name) {
			need = true
		}
	}
	if !need {
		return filterParams, nil, nil
	}
	lq, err := s.queryables(r.Context(), snap, layer)
	if err != nil {
		return nil, nil, err
	}
	return append(filterParams[:len(filterParams):len(filterParams)], lq.parameters()...), lq, nil
}

// parameters returns the queryables that are items query parameters:
// those of text, number or boolean values (precision_m included), save
// names the items take otherwise.
func (lq *layerQueryables) parameters() []string {
	var names []string
	for _, q := range lq.list {
		if q.parameter() {
			names = append(names, q.name)
		}
	}
	return names
}

func (q queryable) parameter() bool {
	switch q.typ {
	case cql2.TypeString, cql2.TypeNumber, cql2.TypeBoolean, cql2.TypeAny:
		return !slices.Contains(itemsParams, q.name) && !slices.Contains(filterParams, q.name)
	}
	return false
}

// parseFilter reads the filter, sorting and property parameters of an
// items request whose names checkParams has passed. lq is nil when the
// request has none of them.
func parseFilter(r *http.Request, lq *layerQueryables) (*itemsFilter, error) {
	if lq == nil {
		return nil, nil
	}
	v := r.URL.Query()
	x := &itemsFilter{time: geo.Always}
	var conds []cql2.Expr
	for _, q := range lq.list {
		if !q.parameter() || !v.Has(q.name) {
			continue
		}
		e, err := propertyCondition(q, v.Get(q.name))
		if err != nil {
			return nil, err
		}
		conds = append(conds, e)
	}
	lang := v.Get(paramFilterLang)
	if v.Has(paramFilterLang) && lang != "cql2-text" && lang != "cql2-json" {
		return nil, geo.Invalidf(paramFilterLang, "filter-lang %q is not cql2-text or cql2-json", lang)
	}
	opt := cql2.Options{}
	if v.Has(paramFilterCRS) {
		switch crs := v.Get(paramFilterCRS); crs {
		case geo.CRS84:
		case crsEPSG4326:
			opt.LatLon = true
		default:
			return nil, geo.Invalidf(paramFilterCRS, "filter-crs %q is not %s or %s", crs, geo.CRS84, crsEPSG4326)
		}
	}
	if !v.Has(paramFilter) && (v.Has(paramFilterLang) || v.Has(paramFilterCRS)) {
		return nil, geo.Invalidf(paramFilter, "filter-lang and filter-crs need a filter")
	}
	if v.Has(paramFilter) {
		text := v.Get(paramFilter)
		var e cql2.Expr
		var err error
		if lang == "cql2-json" {
			e, err = cql2.ParseJSON([]byte(text))
		} else {
			e, err = cql2.ParseText(text)
		}
		if err != nil {
			return nil, geo.Invalidf(paramFilter, "filter (%s) %v", orDefault(lang, "cql2-text"), err)
		}
		conds = append(conds, e)
	}
	if len(conds) > 0 {
		e := conds[0]
		if len(conds) > 1 {
			e = &cql2.Op{Name: "and", Args: conds}
		}
		f, err := cql2.Compile(e, lq.types, opt)
		if err != nil {
			return nil, geo.Invalidf(paramFilter, "filter: %v", err)
		}
		x.match = f.Match
		x.box, x.time = cql2.Bounds(e, opt)
	}
	if v.Has(paramSortBy) {
		for item := range strings.SplitSeq(v.Get(paramSortBy), ",") {
			k := sortKey{name: strings.TrimSpace(item)}
			switch {
			case strings.HasPrefix(k.name, "-"):
				k.name, k.desc = k.name[1:], true
			case strings.HasPrefix(k.name, "+"):
				k.name = k.name[1:]
			}
			if t, ok := lq.types[k.name]; !ok || t == cql2.TypeGeometry {
				return nil, geo.Invalidf(paramSortBy, "sortby %q: %q is not a queryable to sort on; write +name or -name, separated by commas", v.Get(paramSortBy), k.name)
			}
			x.sort = append(x.sort, k)
		}
	}
	if v.Has(paramProperties) {
		x.properties = []string{}
		for name := range strings.SplitSeq(v.Get(paramProperties), ",") {
			name = strings.TrimSpace(name)
			if t, ok := lq.types[name]; !ok || t == cql2.TypeGeometry {
				if name != "sources" {
					return nil, geo.Invalidf(paramProperties, "properties: %q is not a property of this collection", name)
				}
			}
			x.properties = append(x.properties, name)
		}
	}
	return x, nil
}

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// propertyCondition is the condition of a property parameter: the
// property equals one of the comma-separated values.
func propertyCondition(q queryable, value string) (cql2.Expr, error) {
	var list cql2.List
	for s := range strings.SplitSeq(value, ",") {
		switch q.typ {
		case cql2.TypeNumber:
			n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				return nil, geo.Invalidf(q.name, "%s=%s: %q is not a number", q.name, value, s)
			}
			list = append(list, cql2.Number(n))
		case cql2.TypeBoolean:
			b, err := strconv.ParseBool(s)
			if err != nil || (s != "true" && s != "false") {
				return nil, geo.Invalidf(q.name, "%s=%s: %q is not true or false", q.name, value, s)
			}
			list = append(list, cql2.Bool(b))
		case cql2.TypeAny:
			// Values of several types: the text, and the number it reads as.
			list = append(list, cql2.String(s))
			if n, err := strconv.ParseFloat(s, 64); err == nil {
				list = append(list, cql2.Number(n))
			}
		default:
			list = append(list, cql2.String(s))
		}
	}
	return &cql2.Op{Name: "in", Args: []cql2.Expr{cql2.Property(q.name), list}}, nil
}

// searchItems runs the search of an items page: Search, with the filter,
// sorting and property selection of q when it has them.
func (s *Server) searchItems(ctx context.Context, snap geo.Snapshot, q itemsQuery, fn func(*geo.Feature) error) (int, error) {
	x := q.ext
	if x == nil {
		return snap.Search(ctx, q.filter, fn)
	}
	f := q.filter
	if f.BBox == nil {
		f.BBox = x.box
	}
	if f.Time == geo.Always {
		f.Time = x.time
	}
	emit := fn
	if x.properties != nil {
		keep := x.properties
		var proj geo.Feature
		emit = func(f *geo.Feature) error {
			b := f.JSON
			if b == nil {
				b = geojson.AppendFeature(nil, f)
			}
			proj = geo.Feature{ID: f.ID, Layer: f.Layer, JSON: project(b, keep)}
			return fn(&proj)
		}
	}
	if len(x.sort) == 0 {
		return geo.SearchWhere(ctx, snap, f, x.match, emit)
	}
	return sortedSearch(ctx, snap, f, x, emit)
}

// project keeps only the named properties of a GeoJSON feature, in the
// order named; the other members stay.
func project(feature []byte, keep []string) []byte {
	var doc map[string]json.RawMessage
	if json.Unmarshal(feature, &doc) != nil {
		return feature
	}
	var props map[string]json.RawMessage
	json.Unmarshal(doc["properties"], &props)
	b := []byte(`{"type":"Feature"`)
	for _, k := range []string{"id", "geometry"} {
		if v, ok := doc[k]; ok {
			b = append(b, ',')
			b = geojson.AppendString(b, k)
			b = append(b, ':')
			b = append(b, v...)
		}
	}
	b = append(b, `,"properties":{`...)
	n := 0
	for _, k := range keep {
		v, ok := props[k]
		if !ok {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = geojson.AppendString(b, k)
		b = append(b, ':')
		b = append(b, v...)
	}
	b = append(b, '}')
	var rest []string
	for k := range doc {
		if k != "type" && k != "id" && k != "geometry" && k != "properties" {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		b = append(b, ',')
		b = geojson.AppendString(b, k)
		b = append(b, ':')
		b = append(b, doc[k]...)
	}
	return append(b, '}')
}

// sortItem is what sorting keeps of a feature: its keys, its place in
// the layer's order (ties keep it) and its id.
type sortItem struct {
	keys []any
	seq  int
	id   string
}

// sortHeap holds the first items in sort order, the last on top.
type sortHeap struct {
	items []sortItem
	keys  []sortKey
}

func (h *sortHeap) Len() int           { return len(h.items) }
func (h *sortHeap) Less(i, j int) bool { return h.before(h.items[j], h.items[i]) }
func (h *sortHeap) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *sortHeap) Push(x any)         { h.items = append(h.items, x.(sortItem)) }
func (h *sortHeap) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}

// before reports whether a sorts before b: by each key in turn (missing
// values last, whichever the direction), then by layer order.
func (h *sortHeap) before(a, b sortItem) bool {
	for i, k := range h.keys {
		c := compareValues(a.keys[i], b.keys[i])
		if c == 0 {
			continue
		}
		if a.keys[i] == nil || b.keys[i] == nil {
			return a.keys[i] != nil
		}
		if k.desc {
			c = -c
		}
		return c < 0
	}
	return a.seq < b.seq
}

// compareValues orders the values cql2.Value gives: nil, then booleans,
// numbers and instants, then text.
func compareValues(a, b any) int {
	rank := func(v any) int {
		switch v.(type) {
		case nil:
			return 0
		case bool:
			return 1
		case float64:
			return 2
		case int64:
			return 3
		}
		return 4
	}
	if ra, rb := rank(a), rank(b); ra != rb {
		return ra - rb
	}
	switch a := a.(type) {
	case bool:
		return cmp.Compare(boolRank(a), boolRank(b.(bool)))
	case float64:
		return cmp.Compare(a, b.(float64))
	case int64:
		return cmp.Compare(a, b.(int64))
	case string:
		return cmp.Compare(a, b.(string))
	}
	return 0
}

// boolRank orders false before true.
func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// lightKeys are the sort keys a light search gives (geo.Filter.Light).
var lightKeys = []string{"name", "kind", "valid_from", "valid_to", "precision_m"}

var errPageDone = errors.New("page complete")

// sortedSearch is an items search in the order of x.sort. Memory is
// bounded by the page, not the layer: a first pass keeps only the sort
// keys of the first offset+limit features in order (a heap), a second
// reads the features of the page, which are then sent in order.
func sortedSearch(ctx context.Context, snap geo.Snapshot, f geo.Filter, x *itemsFilter, fn func(*geo.Feature) error) (int, error) {
	limit, offset := f.Limit, f.Offset
	keep := offset + limit
	if limit <= 0 {
		keep = 0 // no limit: every item
	}
	first := f
	first.Limit, first.Offset, first.Encoded = 0, 0, false
	first.Light = x.match == nil
	for _, k := range x.sort {
		if !slices.Contains(lightKeys, k.name) {
			first.Light = false
		}
	}
	h := &sortHeap{keys: x.sort}
	seq := 0
	matched, err := geo.SearchWhere(ctx, snap, first, x.match, func(feat *geo.Feature) error {
		it := sortItem{keys: make([]any, len(x.sort)), seq: seq, id: feat.ID}
		seq++
		for i, k := range x.sort {
			it.keys[i], _ = cql2.Value(feat, k.name)
		}
		switch {
		case keep == 0 || h.Len() < keep:
			heap.Push(h, it)
		case h.before(it, h.items[0]):
			h.items[0] = it
			heap.Fix(h, 0)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	items := h.items
	sort.Slice(items, func(i, j int) bool { return h.before(items[i], items[j]) })
	if offset >= len(items) {
		return matched, nil
	}
	items = items[offset:]
	at := make(map[string]int, len(items))
	for i, it := range items {
		at[it.id] = i
	}
	pageJSON := make([][]byte, len(items))
	found := 0
	second := f
	// Not Encoded: the SQLite store's encoded features lack their ID.
	second.Limit, second.Offset, second.Encoded = 0, 0, false
	_, err = geo.SearchWhere(ctx, snap, second, x.match, func(feat *geo.Feature) error {
		i, ok := at[feat.ID]
		if !ok {
			return nil
		}
		if feat.JSON != nil {
			pageJSON[i] = bytes.Clone(feat.JSON)
		} else {
			pageJSON[i] = geojson.AppendFeature(nil, feat)
		}
		if found++; found == len(items) {
			return errPageDone
		}
		return nil
	})
	if err != nil && !errors.Is(err, errPageDone) {
		return 0, err
	}
	for i, b := range pageJSON {
		if b == nil {
			continue // cannot happen: one snapshot gives the same features
		}
		if err := fn(&geo.Feature{ID: items[i].id, Layer: f.Layer, JSON: b}); err != nil {
			return 0, err
		}
	}
	return matched, nil
}
