package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"strata/geo"
)

// Comparing two dates: GET /diff lists what appears, disappears or
// changes between the features valid at one date and those valid at
// another.
//
// Feature ids are unique within a collection and a feature has one valid
// time, so a feature valid at both dates is the same at both. A feature
// that is a new version of another has a "replaces" property naming the
// other's id (in its collection): when one of the two is valid at each
// date, the pair is one change.

// diffQuery is a parsed /diff request.
type diffQuery struct {
	from, to geo.Interval
	bbox     *geo.BBox
	layers   []geo.Layer
}

// parseDiffDate reads from or to: a date (the whole UTC day) or an RFC
// 3339 instant. Errors name the parameter.
func parseDiffDate(name, s string) (geo.Interval, error) {
	if s == "" || strings.Contains(s, "/") || strings.Contains(s, "..") {
		return geo.Always, geo.Invalidf(name, "%s %q is not a date (such as 2025-10-10) or an RFC 3339 instant", name, short(s))
	}
	iv, err := geo.ParseDatetime(s)
	if err != nil {
		return geo.Always, geo.Invalidf(name, "%s %q is not a date (such as 2025-10-10) or an RFC 3339 instant", name, short(s))
	}
	return iv, nil
}

// parseDiff reads the parameters of /diff: from and to (required), bbox,
// and collections (ids separated by commas; all when absent). An unknown
// collection is a bad parameter.
func parseDiff(r *http.Request, snap geo.Snapshot) (diffQuery, error) {
	var q diffQuery
	if err := checkParams(r, "from", "to", "bbox", "collections", "asof", "f"); err != nil {
		return q, err
	}
	if err := checkFormat(r, "geojson"); err != nil {
		return q, err
	}
	v := r.URL.Query()
	var err error
	for _, p := range []struct {
		name string
		dst  *geo.Interval
	}{{"from", &q.from}, {"to", &q.to}} {
		if !v.Has(p.name) {
			return q, geo.Invalidf(p.name, "%s is missing: /diff compares two dates, as in /diff?from=2025-10-09&to=2025-10-11", p.name)
		}
		if *p.dst, err = parseDiffDate(p.name, v.Get(p.name)); err != nil {
			return q, err
		}
	}
	if v.Has("bbox") {
		b, err := geo.ParseBBox(v.Get("bbox"))
		if err != nil {
			return q, err
		}
		q.bbox = &b
	}
	if !v.Has("collections") {
		q.layers = snap.Layers()
		return q, nil
	}
	for _, id := range strings.Split(v.Get("collections"), ",") {
		l, err := snap.Layer(id)
		switch {
		case id == "":
			return q, geo.Invalidf("collections", "collections %q has an empty id; separate ids with single commas", short(v.Get("collections")))
		case err != nil:
			return q, geo.Invalidf("collections", "collections names %q, which is not a collection", short(id))
		case !slices.ContainsFunc(q.layers, func(x geo.Layer) bool { return x.ID == id }):
			q.layers = append(q.layers, l)
		}
	}
	return q, nil
}

// change is one feature of a diff.
type change struct {
	kind     string // added, removed or changed
	f        *geo.Feature
	previous *geo.Feature // for changed: the version valid at from
}

// copyFeature returns a copy of f that shares nothing with it, to keep
// past a Search callback.
func copyFeature(f *geo.Feature) *geo.Feature {
	g := *f
	g.Geometry = orb.Clone(f.Geometry)
	g.Properties = slices.Clone(f.Properties)
	g.Sources = slices.Clone(f.Sources)
	g.JSON = nil
	return &g
}

// replaces returns the id a feature's "replaces" property names, or "".
func replaces(f *geo.Feature) string {
	var p struct {
		Replaces string `json:"replaces"`
	}
	json.Unmarshal(f.Properties, &p)
	return p.Replaces
}

// pairChanges lists a collection's diff: the features added and removed,
// except where an added one and a removed one are versions of one feature
// (one replaces the other), listed once as changed, or not at all when
// only their valid time and ids differ. Order: changed, added, removed,
// each in the collection's order.
func pairChanges(added, removed []*geo.Feature) []change {
	var out []change
	paired := map[*geo.Feature]bool{}
	byID := make(map[string]*geo.Feature, len(removed))       // removed, by id
	byReplaced := make(map[string]*geo.Feature, len(removed)) // removed, by the id each replaces
	for _, r := range removed {
		byID[r.ID] = r
		if id := replaces(r); id != "" {
			byReplaced[id] = r
		}
	}
	for _, a := range added {
		r := byID[replaces(a)]
		if r == nil {
			r = byReplaced[a.ID]
		}
		if r == nil || paired[r] {
			continue
		}
		paired[a], paired[r] = true, true
		if len(changedFields(r, a)) > 0 {
			out = append(out, change{kind: "changed", f: a, previous: r})
		}
	}
	for _, a := range added {
		if !paired[a] {
			out = append(out, change{kind: "added", f: a})
		}
	}
	for _, r := range removed {
		if !paired[r] {
			out = append(out, change{kind: "removed", f: r})
		}
	}
	return out
}

// changedFields names what differs between two versions of a feature:
// "geometry", the names of the properties that differ ("replaces"
// aside), "precision_m" and "sources", in that order. Valid times and ids
// are not compared.
func changedFields(a, b *geo.Feature) []string {
	var out []string
	if !orb.Equal(a.Geometry, b.Geometry) {
		out = append(out, "geometry")
	}
	var pa, pb map[string]any
	json.Unmarshal(a.Properties, &pa)
	json.Unmarshal(b.Properties, &pb)
	var keys []string
	for k := range pa {
		keys = append(keys, k)
	}
	for k := range pb {
		if _, ok := pa[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		va, oka := pa[k]
		vb, okb := pb[k]
		if k != "replaces" && (oka != okb || !reflect.DeepEqual(va, vb)) {
			out = append(out, k)
		}
	}
	if a.PrecisionM != b.PrecisionM {
		out = append(out, "precision_m")
	}
	if !slices.Equal(a.Sources, b.Sources) {
		out = append(out, "sources")
	}
	return out
}

// handleDiff serves GET /diff?from=DATE&to=DATE[&bbox=&collections=]: a
// GeoJSON FeatureCollection of the features valid at to and not at from
// (change "added"), valid at from and not at to ("removed"), and of the
// new versions of features replaced in between ("changed", with
// "previous", the old version's id, and "changed_fields"), each with its
// "collection". A date is the whole UTC day: a feature is valid at it
// when it is valid at any time that day. Each collection lists at most
// Config.MaxLimit features of each kind; numberMatched counts all.
func (s *Server) handleDiff(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	ctx := r.Context()
	q, err := parseDiff(r, snap)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.enterQuery(w, r) {
		return
	}
	body := featureList{Type: "FeatureCollection", From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to"),
		Features: []json.RawMessage{}, TimeStamp: time.Now().UTC().Format(time.RFC3339)}
	err = func() error {
		defer s.gate.Leave()
		// only lists the features of layer l valid at at and not at not.
		only := func(l geo.Layer, at, not geo.Interval) ([]*geo.Feature, int, error) {
			var fs []*geo.Feature
			n, err := geo.SearchWhere(ctx, snap, geo.Filter{Layer: l.ID, BBox: q.bbox, Time: at, Limit: s.cfg.MaxLimit},
				func(f *geo.Feature) bool { return !f.Valid.Overlaps(not) },
				func(f *geo.Feature) error { fs = append(fs, copyFeature(f)); return nil })
			return fs, n, err
		}
		for _, l := range q.layers {
			added, na, err := only(l, q.to, q.from)
			if err != nil {
				return err
			}
			removed, nr, err := only(l, q.from, q.to)
			if err != nil {
				return err
			}
			changes := pairChanges(added, removed)
			body.NumberMatched += na + nr - (len(added) + len(removed) - len(changes))
			for _, c := range changes {
				add := map[string]any{"change": c.kind, "collection": l.ID}
				if c.previous != nil {
					add["previous"] = c.previous.ID
					add["changed_fields"] = changedFields(c.previous, c.f)
				}
				b, err := withProperties(c.f, add)
				if err != nil {
					return err
				}
				body.Features = append(body.Features, b)
			}
		}
		return nil
	}()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body.NumberReturned = len(body.Features)
	self := s.baseURL(r) + "/diff?" + r.URL.RawQuery
	body.Links = []Link{{self, "self", mediaGeoJSON, "This comparison"}}
	s.writeJSONWith(w, r, mediaGeoJSON, cacheControl(r, "public, max-age=60"), body)
}
