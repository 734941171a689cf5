package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"strata/geo"
	"strata/geo/geojson"
	"strata/internal/textmatch"
)

// Finding features by their text: q on items, and GET /search across
// collections. Text is matched as package textmatch does (case and
// accents ignored, every word must occur) against a feature's name,
// description and other text properties (see featureText).

// Page sizes of /search.
const (
	DefaultSearchLimit = 10
	MaxSearchLimit     = 100
)

// parseText reads the free-text parameter q. Errors name q.
func parseText(q string) (textmatch.Query, error) {
	tq, err := textmatch.Parse(q)
	if err != nil {
		return tq, geo.Invalidf("q", "q %q %v; give one to %d words of letters or digits, at most %d bytes in all",
			short(q), err, textmatch.MaxWords, textmatch.MaxQueryBytes)
	}
	return tq, nil
}

// withText adds the predicate of q (see textFilter) to an items
// request's filter (filter.go): both must hold.
func withText(x *itemsFilter, match func(*geo.Feature) bool) *itemsFilter {
	switch {
	case match == nil:
		return x
	case x == nil:
		return &itemsFilter{match: match, time: geo.Always}
	case x.match == nil:
		x.match = match
	default:
		other := x.match
		x.match = func(f *geo.Feature) bool { return other(f) && match(f) }
	}
	return x
}

// textFilter is the predicate of an items request's q parameter, for
// geo.SearchWhere: nil when q is absent.
func textFilter(r *http.Request) (func(*geo.Feature) bool, error) {
	v := r.URL.Query()
	if !v.Has("q") {
		return nil, nil
	}
	tq, err := parseText(v.Get("q"))
	if err != nil {
		return nil, err
	}
	return func(f *geo.Feature) bool {
		name, rest := featureText(f)
		return tq.Match(name + "|" + rest)
	}, nil
}

// featureText returns a feature's name and the rest of its text, each
// folded by textmatch.Fold: the description and every other string
// property (or string in an array property), except ids (id and keys
// ending in _id), joined by '|', which no folded word holds.
func featureText(f *geo.Feature) (name, rest string) {
	var props map[string]json.RawMessage
	if json.Unmarshal(f.Properties, &props) != nil {
		return textmatch.Fold(f.Name), ""
	}
	name = f.Name
	var parts []string
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	slices.Sort(keys) // one text for one feature, for all engines
	for _, k := range keys {
		if k == "name" || k == "id" || strings.HasSuffix(k, "_id") {
			continue
		}
		raw := props[k]
		var s string
		var list []string
		switch {
		case json.Unmarshal(raw, &s) == nil:
			parts = append(parts, textmatch.Fold(s))
		case json.Unmarshal(raw, &list) == nil:
			for _, s := range list {
				parts = append(parts, textmatch.Fold(s))
			}
		}
	}
	return textmatch.Fold(name), strings.Join(parts, "|")
}

// withProperties returns the GeoJSON of f with the given properties
// added to its own (replacing any of the same name).
func withProperties(f *geo.Feature, add map[string]any) ([]byte, error) {
	props := map[string]any{}
	if len(f.Properties) > 0 {
		if err := json.Unmarshal(f.Properties, &props); err != nil {
			return nil, err
		}
	}
	for k, v := range add {
		props[k] = v
	}
	raw, err := json.Marshal(props)
	if err != nil {
		return nil, err
	}
	g := *f
	g.Properties = raw
	return geojson.AppendFeature(nil, &g), nil
}

// hit is one feature found by /search, with what orders it.
type hit struct {
	rank  int // textmatch.Query.Rank of its name
	layer int // its collection's place in the list of collections
	seq   int // its place in its collection's stable order
	json  []byte
}

func (a hit) before(b hit) bool {
	if a.rank != b.rank {
		return a.rank < b.rank
	}
	if a.layer != b.layer {
		return a.layer < b.layer
	}
	return a.seq < b.seq
}

// featureList is the body of GET /search and GET /diff: a GeoJSON
// FeatureCollection of features encoded beforehand; From and To are the
// dates a diff compares.
type featureList struct {
	Type           string            `json:"type"`
	From           string            `json:"from,omitempty"`
	To             string            `json:"to,omitempty"`
	Features       []json.RawMessage `json:"features"`
	NumberMatched  int               `json:"numberMatched"`
	NumberReturned int               `json:"numberReturned"`
	TimeStamp      string            `json:"timeStamp"`
	Links          []Link            `json:"links"`
}

// parseSearch reads the parameters of /search: q (required) and limit
// (1.., clamped to MaxSearchLimit).
func parseSearch(r *http.Request) (textmatch.Query, int, error) {
	if err := checkParams(r, "q", "limit", "asof", "f"); err != nil {
		return textmatch.Query{}, 0, err
	}
	if err := checkFormat(r, "geojson"); err != nil {
		return textmatch.Query{}, 0, err
	}
	v := r.URL.Query()
	if !v.Has("q") {
		return textmatch.Query{}, 0, geo.Invalidf("q", "q is missing: give the words to look for, as in /search?q=rafah")
	}
	tq, err := parseText(v.Get("q"))
	if err != nil {
		return tq, 0, err
	}
	limit := DefaultSearchLimit
	if s := v.Get("limit"); v.Has("limit") {
		n, err := atoi(s)
		if err != nil || n < 1 {
			return tq, 0, geo.Invalidf("limit", "limit %q must be an integer of at least 1", s)
		}
		limit = min(n, MaxSearchLimit)
	}
	return tq, limit, nil
}

// handleSearch serves GET /search: the features of every collection whose
// text matches q, as a GeoJSON FeatureCollection, each with its
// collection in the property "collection". Features whose name matches
// come first (the name itself, then names starting with q, then names
// holding every word), then by collection and the collection's order;
// numberMatched counts every match.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	ctx := r.Context()
	tq, limit, err := parseSearch(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// Every collection is read: one query place, like a long items page.
	if !s.enterQuery(w, r) {
		return
	}
	var hits []hit
	matched := 0
	err = func() error {
		defer s.gate.Leave()
		for li, l := range snap.Layers() {
			seq, rank := 0, 0
			match := func(f *geo.Feature) bool {
				seq++
				name, rest := featureText(f)
				if !tq.Match(name + "|" + rest) {
					return false
				}
				rank = tq.Rank(name)
				return true
			}
			n, err := geo.SearchWhere(ctx, snap, geo.Filter{Layer: l.ID, Time: geo.Always}, match, func(f *geo.Feature) error {
				h := hit{rank: rank, layer: li, seq: seq}
				if len(hits) == limit && !h.before(hits[len(hits)-1]) {
					return nil
				}
				b, err := withProperties(f, map[string]any{"collection": l.ID})
				if err != nil {
					return err
				}
				h.json = b
				i, _ := slices.BinarySearchFunc(hits, h, func(a, b hit) int {
					if a.before(b) {
						return -1
					}
					return 1
				})
				hits = slices.Insert(hits, i, h)
				if len(hits) > limit {
					hits = hits[:limit]
				}
				return nil
			})
			if err != nil {
				return err
			}
			matched += n
		}
		return nil
	}()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body := featureList{Type: "FeatureCollection", Features: make([]json.RawMessage, len(hits)),
		NumberMatched: matched, NumberReturned: len(hits), TimeStamp: time.Now().UTC().Format(time.RFC3339)}
	for i, h := range hits {
		body.Features[i] = h.json
	}
	self := s.baseURL(r) + "/search"
	if r.URL.RawQuery != "" {
		self += "?" + r.URL.RawQuery
	}
	body.Links = []Link{{self, "self", mediaGeoJSON, "This search"}}
	s.writeJSONWith(w, r, mediaGeoJSON, cacheControl(r, "public, max-age=60"), body)
}
