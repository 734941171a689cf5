package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"strata/geo"
)

// histogram is the body of GET /collections/{collectionId}/histogram:
// geo.DayCounts with days written as dates. First and Last are null, and
// Valid empty, when no feature has a bound.
type histogram struct {
	Collection string         `json:"collection"`
	Features   int            `json:"features"`
	First      *string        `json:"first"`
	Last       *string        `json:"last"`
	Valid      []int          `json:"valid"`
	Starts     map[string]int `json:"starts"`
	Ends       map[string]int `json:"ends"`
	OpenStart  int            `json:"openStart"`
	OpenEnd    int            `json:"openEnd"`
	Links      []Link         `json:"links"`
}

// dayText writes day d (days since 1970-01-01) as a date.
func dayText(d int64) string {
	return geo.TimeOf(d * geo.DayMillis).Format(time.DateOnly)
}

// handleHistogram serves GET /collections/{collectionId}/histogram, a
// Strata extension: the collection's features (within bbox, if given)
// counted by day, which the map's timeline draws for layers too large to
// fetch whole.
func (s *Server) handleHistogram(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	ctx := r.Context()
	if err := checkParams(r, "f", "bbox", "asof"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := checkFormat(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	l, version, ok := s.layerVersion(w, r, snap)
	if !ok {
		return
	}
	f := geo.Filter{Layer: l.ID, Time: geo.Always}
	if v := r.URL.Query(); v.Has("bbox") {
		b, err := geo.ParseBBox(v.Get("bbox"))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		f.BBox = &b
	}
	if notModified(w, r, weakETag("histogram", version, l.ID, canonicalQuery(r.URL.Query()))) {
		return
	}
	// Counted as the store lists them, in memory that grows with the
	// number of days, not of features; one query place, like items.
	if !s.enterQuery(w, r) {
		return
	}
	c, err := func() (geo.DayCounts, error) {
		defer s.gate.Leave() // even if counting panics
		return snap.Days(ctx, f)
	}()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := histogram{Collection: l.ID, Features: c.Features, Valid: c.Valid, Starts: map[string]int{}, Ends: map[string]int{},
		OpenStart: c.OpenStart, OpenEnd: c.OpenEnd}
	if h.Valid == nil {
		h.Valid = []int{}
	}
	if !c.Empty {
		first, last := dayText(c.First), dayText(c.Last)
		h.First, h.Last = &first, &last
	}
	for d, n := range c.Starts {
		h.Starts[dayText(d)] = n
	}
	for d, n := range c.Ends {
		h.Ends[dayText(d)] = n
	}
	base := s.baseURL(r)
	self := base + r.URL.Path
	if r.URL.RawQuery != "" {
		self += "?" + r.URL.RawQuery
	}
	h.Links = []Link{
		{self, "self", mediaJSON, "Features by day"},
		{base + "/collections/" + url.PathEscape(l.ID), "collection", mediaJSON, l.Title},
	}
	// Not writeJSON: its ETag, of the body, would replace the one above,
	// which answers revalidations without counting again.
	body, err := json.Marshal(h)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", cacheControl(r, "public, max-age=60"))
	w.Header().Set("Content-Type", mediaJSON)
	w.Write(body)
}
