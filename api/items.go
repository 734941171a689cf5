package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"strata/geo"
)

// itemsQuery is a parsed items request.
type itemsQuery struct {
	filter geo.Filter
	limit  int
	// ext holds the filter, sorting and property selection (filter.go);
	// nil for none.
	ext *itemsFilter
	// crs is the CRS of the geometries in the answer (Part 2).
	crs geo.CRS
}

// parseItems reads the items query parameters: limit (1.., clamped to the
// maximum), offset (0..), bbox (in bbox-crs), datetime, crs, q (see
// textFilter) and those of filter.go. Errors name the parameter.
func (s *Server) parseItems(r *http.Request, snap geo.Snapshot, layer string) (itemsQuery, error) {
	q := itemsQuery{filter: geo.Filter{Layer: layer, Time: geo.Always}, limit: s.cfg.DefaultLimit}
	filterNames, lq, err := s.filterParamNames(r, snap, layer)
	if err != nil {
		return q, err
	}
	if err := checkParams(r, append([]string{"limit", "offset", "bbox", "datetime", "asof", "f", "crs", "bbox-crs", "q"}, filterNames...)...); err != nil {
		return q, err
	}
	if err := checkFormat(r, "geojson"); err != nil {
		return q, err
	}
	v := r.URL.Query()
	if s := v.Get("limit"); v.Has("limit") {
		n, err := atoi(s)
		if err != nil || n < 1 {
			return q, geo.Invalidf("limit", "limit %q must be an integer of at least 1", s)
		}
		q.limit = n
	}
	q.limit = min(q.limit, s.cfg.MaxLimit)
	if s := v.Get("offset"); v.Has("offset") {
		n, err := atoi(s)
		if err != nil || n < 0 {
			return q, geo.Invalidf("offset", "offset %q must be an integer of at least 0", s)
		}
		q.filter.Offset = n
	}
	if v.Has("bbox") {
		b, err := parseBBoxParam(v)
		if err != nil {
			return q, err
		}
		q.filter.BBox = &b
	}
	if v.Has("datetime") {
		iv, err := geo.ParseDatetime(v.Get("datetime"))
		if err != nil {
			return q, err
		}
		q.filter.Time = iv
	}
	if q.ext, err = parseFilter(r, lq); err != nil {
		return q, err
	}
	match, err := textFilter(r)
	if err != nil {
		return q, err
	}
	q.ext = withText(q.ext, match)
	q.filter.Limit = q.limit
	if q.crs, err = parseCRSParam(v, "crs"); err != nil {
		return q, err
	}
	// Pages are GeoJSON: a store that keeps encoded features gives them,
	// in CRS84; other CRSs are encoded here.
	q.filter.Encoded = q.crs.IsCRS84()
	return q, nil
}

// atoi parses a whole number written in decimal digits only: no sign,
// which strconv.Atoi would take.
func atoi(s string) (int, error) {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, strconv.ErrSyntax
	}
	return strconv.Atoi(s)
}

// canonicalQuery is the request's query with its parameters sorted, so
// equal requests share an ETag.
func canonicalQuery(v url.Values) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(strings.Join(v[k], ","))
		b.WriteByte('&')
	}
	return b.String()
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

const flushAt = 32 << 10

// layerVersion returns the request's collection and the data version (as
// text, for ETags), or answers the error and returns ok false.
func (s *Server) layerVersion(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) (l geo.Layer, version string, ok bool) {
	l, err := snap.Layer(mux.Vars(r)["collectionId"])
	if err != nil {
		s.writeError(w, r, err)
		return l, "", false
	}
	return l, strconv.FormatInt(snap.Version(), 10), true
}

// enterQuery takes a query place (see internal/gate), or answers 503 when
// the wait is too long and returns false (also when the client has gone).
func (s *Server) enterQuery(w http.ResponseWriter, r *http.Request) bool {
	return s.admitted(w, r, s.gate.Enter(r.Context()))
}

// enterShort is enterQuery for a query known to be short (a page of at
// most the default limit): it goes before longer ones waiting.
func (s *Server) enterShort(w http.ResponseWriter, r *http.Request) bool {
	return s.admitted(w, r, s.gate.EnterShort(r.Context()))
}

// admitted answers the error of a wait for a query place, if any, and
// reports whether the place was had.
func (s *Server) admitted(w http.ResponseWriter, r *http.Request, err error) bool {
	if err != nil {
		if r.Context().Err() == nil {
			s.writeError(w, r, err)
		}
		return false
	}
	return true
}

// handleItems serves GET /collections/{collectionId}/items: a GeoJSON
// FeatureCollection streamed feature by feature, with paging links, from
// one search that also counts the matches (numberMatched, written after
// the features).
func (s *Server) handleItems(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	ctx := r.Context()
	l, version, ok := s.layerVersion(w, r, snap)
	if !ok {
		return
	}
	q, err := s.parseItems(r, snap, l.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", cacheControl(r, "public, max-age=60"))
	h.Add("Vary", "Accept") // a browser gets the HTML page (html.go)
	setContentCRS(h, q.crs)
	query := canonicalQuery(r.URL.Query())
	if notModified(w, r, weakETag("items", version, l.ID, query)) {
		return
	}
	// A page computed before at this data version is answered from the
	// cache, without a query place.
	var key string
	if s.pages != nil {
		key = pageKey(snap.Version(), l.ID, query)
		if p := s.pages.get(key); p != nil {
			h.Set("X-Cache", "hit")
			h.Set("Content-Type", mediaGeoJSON)
			if r.Method == http.MethodHead {
				return
			}
			bp := bufPool.Get().(*[]byte)
			defer bufPool.Put(bp)
			b := append((*bp)[:0], `{"type":"FeatureCollection","features":[`...)
			b = append(b, p.features...)
			b = s.appendPageEnd(b, r, l, q, p.returned, p.matched)
			w.Write(b)
			*bp = b
			return
		}
		h.Set("X-Cache", "miss")
	}
	// Queries run a few at a time (see internal/gate); the place is given
	// up while the response is written, so a slow client holds none. A
	// page no longer than the default goes before longer ones.
	enter := s.enterQuery
	if q.limit <= s.cfg.DefaultLimit {
		enter = s.enterShort
	}
	if !enter(w, r) {
		return
	}
	held := true
	defer func() {
		if held {
			s.gate.Leave()
		}
	}()
	if r.Method == http.MethodHead {
		// The status and headers of a GET, without its search: a
		// missing layer or a bad parameter has been answered above.
		h.Set("Content-Type", mediaGeoJSON)
		return
	}
	h.Set("Content-Type", mediaGeoJSON)

	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	b := append((*bp)[:0], `{"type":"FeatureCollection","features":[`...)
	n := 0
	written := false
	// keep collects the features for the page cache, up to the largest
	// page it keeps.
	var keep []byte
	keeping := key != ""
	add := func(f *geo.Feature) error {
		start := len(b)
		if n > 0 {
			b = append(b, ',')
		}
		if f.JSON != nil {
			b = append(b, f.JSON...)
		} else {
			b = appendFeatureIn(b, f, q.crs)
		}
		if keeping {
			if keep = append(keep, b[start:]...); len(keep) > s.pages.maxPage {
				keeping, keep = false, nil
			}
		}
		n++
		if len(b) >= flushAt {
			written = true
			s.gate.Leave()
			held = false
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
			if err := s.gate.Resume(ctx); err != nil {
				return err
			}
			held = true
		}
		return nil
	}
	matched, err := s.searchItems(ctx, snap, q, add)
	if err != nil && !written {
		// Nothing sent yet: answer with the error.
		*bp = b
		s.writeError(w, r, err)
		return
	}
	if err != nil {
		// The status line is gone already: cut the response short so the
		// client sees a broken body, not a valid partial page.
		if ctx.Err() == nil {
			s.log.Error("items stream failed", "url", redactedURL(r.URL), "err", err)
		}
		*bp = b
		panic(http.ErrAbortHandler)
	}
	if keeping {
		if keep == nil {
			keep = []byte{}
		}
		s.pages.add(&page{key: key, features: keep, returned: n, matched: matched})
	}
	b = s.appendPageEnd(b, r, l, q, n, matched)
	s.gate.Leave()
	held = false
	w.Write(b)
	*bp = b
}

// appendPageEnd closes the features array of an items page and appends
// its counts, timeStamp and links.
func (s *Server) appendPageEnd(b []byte, r *http.Request, l geo.Layer, q itemsQuery, returned, matched int) []byte {
	b = append(b, `],"numberMatched":`...)
	b = strconv.AppendInt(b, int64(matched), 10)
	b = append(b, `,"numberReturned":`...)
	b = strconv.AppendInt(b, int64(returned), 10)
	b = append(b, `,"timeStamp":"`...)
	b = time.Now().UTC().AppendFormat(b, time.RFC3339)
	b = append(b, `","links":`...)
	links, _ := json.Marshal(s.itemsLinks(r, l, q, returned, matched))
	b = append(b, links...)
	return append(b, '}')
}

// itemsLinks builds self, alternate, next (while features remain) and
// prev (after the first page) links.
func (s *Server) itemsLinks(r *http.Request, l geo.Layer, q itemsQuery, returned, matched int) []Link {
	base := s.baseURL(r)
	path := base + "/collections/" + url.PathEscape(l.ID) + "/items"
	page := func(offset int) string {
		v := r.URL.Query()
		v.Set("limit", strconv.Itoa(q.limit))
		if offset > 0 {
			v.Set("offset", strconv.Itoa(offset))
		} else {
			v.Del("offset")
		}
		return path + "?" + v.Encode()
	}
	self := path
	if r.URL.RawQuery != "" {
		self += "?" + r.URL.RawQuery
	}
	links := []Link{
		{self, "self", mediaGeoJSON, "This page"},
		{htmlHref(self), "alternate", mediaHTML, "This page as HTML"},
		{mapHref(base, l.ID, ""), "related", mediaHTML, "On the map"},
		{base + "/collections/" + url.PathEscape(l.ID), "collection", mediaJSON, l.Title},
	}
	off := q.filter.Offset
	if off+returned < matched && returned > 0 {
		links = append(links, Link{page(off + returned), "next", mediaGeoJSON, "Next page"})
	}
	if off > 0 {
		links = append(links, Link{page(max(off-q.limit, 0)), "prev", mediaGeoJSON, "Previous page"})
	}
	return links
}

// handleFeature serves GET /collections/{collectionId}/items/{featureId}.
func (s *Server) handleFeature(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	ctx := r.Context()
	vars := mux.Vars(r)
	if err := checkParams(r, "asof", "f", "crs"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := checkFormat(r, "geojson"); err != nil {
		s.writeError(w, r, err)
		return
	}
	crs, err := parseCRSParam(r.URL.Query(), "crs")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	l, err := snap.Layer(vars["collectionId"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := snap.Feature(ctx, l.ID, vars["featureId"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", cacheControl(r, "public, max-age=60"))
	h.Add("Vary", "Accept") // a browser gets the HTML page (html.go)
	setContentCRS(h, crs)
	if notModified(w, r, versionETag(f.Version)) {
		return
	}
	h.Set("Content-Type", mediaGeoJSON)
	w.Write(s.featureBodyIn(r, l, f, crs))
}

// featureBody is a feature as GET answers it: GeoJSON with links to
// itself, the map, its collection and its versions.
func (s *Server) featureBody(r *http.Request, l geo.Layer, f *geo.Feature) []byte {
	return s.featureBodyIn(r, l, f, geo.CRS{})
}

// featureBodyIn is featureBody with the geometry in crs.
func (s *Server) featureBodyIn(r *http.Request, l geo.Layer, f *geo.Feature, crs geo.CRS) []byte {
	base := s.baseURL(r)
	coll := base + "/collections/" + url.PathEscape(l.ID)
	self := coll + "/items/" + url.PathEscape(f.ID)
	links, _ := json.Marshal([]Link{
		{self, "self", mediaGeoJSON, "This feature"},
		{htmlHref(self), "alternate", mediaHTML, "This feature as HTML"},
		{mapHref(base, l.ID, f.ID), "related", mediaHTML, "On the map"},
		{coll, "collection", mediaJSON, l.Title},
		{self + "/versions", "version-history", mediaJSON, "The versions of this feature"},
	})
	b := appendFeatureIn(nil, f, crs)
	b = append(b[:len(b)-1], `,"links":`...)
	b = append(b, links...)
	return append(b, '}')
}

// versionETag is the strong entity tag of a feature's version: its
// number, which If-Match names to write it.
func versionETag(n int) string { return `"` + strconv.Itoa(n) + `"` }
