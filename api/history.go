package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"strata/geo"
	"strata/geo/geojson"
)

// Feature history and changesets: what was written, when, by whom.

// recordTime is how record times are written: RFC 3339 in UTC with
// microseconds, the precision the stores keep.
const recordTime = "2006-01-02T15:04:05.000000Z07:00"

// Cache lifetimes of history answers. A recorded version or changeset
// never changes; lists grow with every write.
const (
	cacheList     = "public, max-age=5"
	maxChanges    = 1000
	defaultChange = 100
)

// historyRoutes adds the history and changeset routes. The change feed
// goes first: "stream" is not a changeset id.
func (s *Server) historyRoutes(get func(string, http.HandlerFunc), data, dataAsOf func(string, dataHandler)) {
	get("/changes/stream", s.handleStream)
	data("/changes", s.handleChanges)
	data("/changes/{changeId}", s.handleChange)
	dataAsOf("/collections/{collectionId}/items/{featureId}/versions", s.handleVersions)
	dataAsOf("/collections/{collectionId}/items/{featureId}/versions/{version}", s.handleVersion)
}

// featureURL is the URL of a feature.
func (s *Server) featureURL(r *http.Request, layer, id string) string {
	return s.baseURL(r) + "/collections/" + url.PathEscape(layer) + "/items/" + url.PathEscape(id)
}

// versionURL is the URL of one version of a feature.
func (s *Server) versionURL(r *http.Request, layer, id string, n int) string {
	return s.featureURL(r, layer, id) + "/versions/" + strconv.Itoa(n)
}

// versionDoc describes one version in GET .../versions.
type versionDoc struct {
	Version      int     `json:"version"`
	RecordedFrom string  `json:"recorded_from"`
	RecordedTo   *string `json:"recorded_to"`
	Author       string  `json:"author"`
	Changeset    int64   `json:"changeset"`
	Comment      string  `json:"comment"`
	Links        []Link  `json:"links"`
}

// versionLinks links a version to itself and to its neighbours among
// numbers 1 to last.
func (s *Server) versionLinks(r *http.Request, layer, id string, n, last int) []Link {
	links := []Link{{s.versionURL(r, layer, id, n), "self", mediaGeoJSON, "Version " + strconv.Itoa(n)}}
	if n > 1 {
		links = append(links, Link{s.versionURL(r, layer, id, n-1), "predecessor-version", mediaGeoJSON, "Version " + strconv.Itoa(n-1)})
	}
	if n < last {
		links = append(links, Link{s.versionURL(r, layer, id, n+1), "successor-version", mediaGeoJSON, "Version " + strconv.Itoa(n+1)})
	}
	return links
}

// handleVersions serves GET /collections/{collectionId}/items/{featureId}/versions:
// the versions of a feature recorded in the snapshot (asof), newest
// first. A deleted feature keeps its history.
func (s *Server) handleVersions(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	if err := checkCollectionDoc(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	vars := mux.Vars(r)
	l, err := snap.Layer(vars["collectionId"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	hist, err := snap.History(r.Context(), l.ID, vars["featureId"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := vars["featureId"]
	last := 0
	if len(hist) > 0 {
		last = hist[0].Number
	}
	docs := make([]versionDoc, len(hist))
	for i, v := range hist {
		d := versionDoc{Version: v.Number, RecordedFrom: v.RecordedFrom.UTC().Format(recordTime), Author: v.Author,
			Changeset: v.Changeset, Comment: v.Comment, Links: s.versionLinks(r, l.ID, id, v.Number, last)}
		if !v.Current() {
			to := v.RecordedTo.UTC().Format(recordTime)
			d.RecordedTo = &to
		}
		docs[i] = d
	}
	self := s.featureURL(r, l.ID, id) + "/versions"
	if r.URL.RawQuery != "" {
		self += "?" + r.URL.RawQuery
	}
	s.writeJSONWith(w, r, mediaJSON, cacheControl(r, cacheList), map[string]any{
		"versions": docs,
		"links": []Link{
			{self, "self", mediaJSON, "The versions of this feature"},
			{s.featureURL(r, l.ID, id), "latest-version", mediaGeoJSON, "The feature as it is now"},
			{s.baseURL(r) + "/collections/" + url.PathEscape(l.ID), "collection", mediaJSON, l.Title},
		},
	})
}

// handleVersion serves GET /collections/{collectionId}/items/{featureId}/versions/{version}:
// one version as a GeoJSON feature, ETag its number. A recorded version
// never changes.
func (s *Server) handleVersion(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	if err := checkParams(r, "asof", "f"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := checkFormat(r, "geojson"); err != nil {
		s.writeError(w, r, err)
		return
	}
	vars := mux.Vars(r)
	l, err := snap.Layer(vars["collectionId"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := vars["featureId"]
	n, err := atoi(vars["version"])
	if err != nil || n < 1 {
		s.writeError(w, r, geo.NotFoundf("feature %q in layer %q has no version %q; versions are numbered from 1", id, l.ID, short(vars["version"])))
		return
	}
	f, _, err := snap.FeatureVersion(r.Context(), l.ID, id, n)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	hist, err := snap.History(r.Context(), l.ID, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	links := s.versionLinks(r, l.ID, id, n, hist[0].Number)
	links = append(links,
		Link{s.featureURL(r, l.ID, id) + "/versions", "version-history", mediaJSON, "The versions of this feature"},
		Link{s.featureURL(r, l.ID, id), "latest-version", mediaGeoJSON, "The feature as it is now"},
		Link{s.baseURL(r) + "/collections/" + url.PathEscape(l.ID), "collection", mediaJSON, l.Title})
	lj, _ := json.Marshal(links)
	b := geojson.AppendFeature(nil, f)
	b = append(b[:len(b)-1], `,"links":`...)
	b = append(b, lj...)
	b = append(b, '}')
	h := w.Header()
	h.Set("Cache-Control", immutable)
	if notModified(w, r, versionETag(n)) {
		return
	}
	h.Set("Content-Type", mediaGeoJSON)
	w.Write(b)
}

// changeDoc describes a changeset in /changes.
type changeDoc struct {
	ID          int64        `json:"id"`
	Author      string       `json:"author"`
	RecordedAt  string       `json:"recorded_at"`
	Comment     string       `json:"comment"`
	Collections []string     `json:"collections"`
	Created     int          `json:"created"`
	Changed     int          `json:"changed"`
	Deleted     int          `json:"deleted"`
	BBox        *[4]float64  `json:"bbox"`
	Links       []Link       `json:"links"`
	Features    *[]changeFit `json:"features,omitempty"`
	// FeaturesMatched counts the changeset's features when Features is
	// a page of them.
	FeaturesMatched *int `json:"featuresMatched,omitempty"`
}

// changeFit is what a changeset did to one feature.
type changeFit struct {
	Collection string `json:"collection"`
	ID         string `json:"id"`
	Op         string `json:"op"`
	Version    int    `json:"version"`
	Previous   int    `json:"previous"`
	Links      []Link `json:"links"`
}

// changeURL is the URL of a changeset.
func (s *Server) changeURL(r *http.Request, id int64) string {
	return s.baseURL(r) + "/changes/" + strconv.FormatInt(id, 10)
}

// newChangeDoc describes cs.
func (s *Server) newChangeDoc(r *http.Request, cs geo.Changeset) changeDoc {
	d := changeDoc{ID: cs.ID, Author: cs.Author, RecordedAt: cs.RecordedAt.UTC().Format(recordTime), Comment: cs.Comment,
		Collections: cs.Layers, Created: cs.Created, Changed: cs.Changed, Deleted: cs.Deleted,
		Links: []Link{{s.changeURL(r, cs.ID), "self", mediaJSON, "Changeset " + strconv.FormatInt(cs.ID, 10)}}}
	if d.Collections == nil {
		d.Collections = []string{}
	}
	if !cs.Empty {
		d.BBox = &[4]float64{cs.BBox.Min[0], cs.BBox.Min[1], cs.BBox.Max[0], cs.BBox.Max[1]}
	}
	return d
}

// parseRecordBound reads since or until: an RFC 3339 instant, or a date
// standing for the start of that UTC day (since) or of the next (until),
// so that until=DATE includes that day.
func parseRecordBound(name, v string, until bool) (time.Time, error) {
	if len(v) == len(time.DateOnly) {
		if d, err := time.Parse(time.DateOnly, v); err == nil {
			if until {
				d = d.AddDate(0, 0, 1)
			}
			return d, nil
		}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, geo.Invalidf(name, "%s %q is not an RFC 3339 instant or a date", name, short(v))
	}
	return t.UTC(), nil
}

// parseChangeFilter reads the parameters of GET /changes.
func parseChangeFilter(r *http.Request) (geo.ChangeFilter, error) {
	f := geo.ChangeFilter{Limit: defaultChange}
	if err := checkParams(r, "since", "until", "collections", "bbox", "limit", "f"); err != nil {
		return f, err
	}
	if err := checkFormat(r); err != nil {
		return f, err
	}
	v := r.URL.Query()
	var err error
	if v.Has("since") {
		if f.Since, err = parseRecordBound("since", v.Get("since"), false); err != nil {
			return f, err
		}
	}
	if v.Has("until") {
		if f.Until, err = parseRecordBound("until", v.Get("until"), true); err != nil {
			return f, err
		}
	}
	if v.Has("collections") {
		for c := range strings.SplitSeq(v.Get("collections"), ",") {
			if !geo.ValidID(c) {
				return f, geo.Invalidf("collections", "collections %q must list collection ids separated by commas", short(v.Get("collections")))
			}
			f.Layers = append(f.Layers, c)
		}
	}
	if v.Has("bbox") {
		b, err := geo.ParseBBox(v.Get("bbox"))
		if err != nil {
			return f, err
		}
		f.BBox = &b
	}
	if v.Has("limit") {
		n, err := atoi(v.Get("limit"))
		if err != nil || n < 1 {
			return f, geo.Invalidf("limit", "limit %q must be an integer of at least 1", short(v.Get("limit")))
		}
		f.Limit = min(n, maxChanges)
	}
	return f, nil
}

// handleChanges serves GET /changes: changesets newest first, filtered by
// record time (since <= recorded_at < until), collections and bbox, with
// a next link to older ones.
func (s *Server) handleChanges(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	f, err := parseChangeFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := snap.Changes(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	docs := make([]changeDoc, len(list))
	for i, cs := range list {
		docs[i] = s.newChangeDoc(r, cs)
	}
	base := s.baseURL(r) + "/changes"
	self := base
	if r.URL.RawQuery != "" {
		self += "?" + r.URL.RawQuery
	}
	links := []Link{{self, "self", mediaJSON, "Changesets"}}
	if len(list) == f.Limit {
		// RecordedAt strictly increases with the id: the older ones are
		// those recorded before the last listed.
		q := r.URL.Query()
		q.Set("until", list[len(list)-1].RecordedAt.UTC().Format(time.RFC3339Nano))
		links = append(links, Link{base + "?" + q.Encode(), "next", mediaJSON, "Older changesets"})
	}
	s.writeJSONWith(w, r, mediaJSON, "no-cache", map[string]any{"changes": docs, "links": links})
}

// changeID reads the changeset id of the path, or returns ErrNotFound.
func changeID(r *http.Request) (int64, error) {
	v := mux.Vars(r)["changeId"]
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 || strings.Trim(v, "0123456789") != "" {
		return 0, geo.NotFoundf("no changeset %q: changesets are numbered from 1", short(v))
	}
	return id, nil
}

// handleChange serves GET /changes/{changeId}: the changeset and what it
// did to each feature, by collection then id; limit and offset page
// through the features of a large import.
func (s *Server) handleChange(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	if err := checkParams(r, "limit", "offset", "f"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := checkFormat(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := changeID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, offset := MaxItemsLimit, 0
	v := r.URL.Query()
	if v.Has("limit") {
		n, err := atoi(v.Get("limit"))
		if err != nil || n < 1 {
			s.writeError(w, r, geo.Invalidf("limit", "limit %q must be an integer of at least 1", short(v.Get("limit"))))
			return
		}
		limit = min(n, MaxItemsLimit)
	}
	if v.Has("offset") {
		n, err := atoi(v.Get("offset"))
		if err != nil {
			s.writeError(w, r, geo.Invalidf("offset", "offset %q must be an integer of at least 0", short(v.Get("offset"))))
			return
		}
		offset = n
	}
	cs, entries, err := snap.Changeset(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d := s.changeDetail(r, cs, entries, limit, offset)
	s.writeJSONWith(w, r, mediaJSON, immutable, d)
}

// changeDetail describes a changeset with a page of its features.
func (s *Server) changeDetail(r *http.Request, cs geo.Changeset, entries []geo.ChangeEntry, limit, offset int) changeDoc {
	d := s.newChangeDoc(r, cs)
	total := len(entries)
	page := entries[min(offset, total):min(offset+limit, total)]
	fits := make([]changeFit, len(page))
	for i, e := range page {
		fits[i] = changeFit{Collection: e.Layer, ID: e.ID, Op: e.Op.String(), Version: e.Version, Previous: e.Previous,
			Links: []Link{
				{s.versionURL(r, e.Layer, e.ID, e.Version), "version", mediaGeoJSON, "The version " + e.Op.String() + "d"},
				{s.featureURL(r, e.Layer, e.ID), "latest-version", mediaGeoJSON, "The feature as it is now"},
			}}
	}
	d.Features = &fits
	if offset+limit < total {
		d.FeaturesMatched = &total
		q := r.URL.Query()
		q.Set("limit", strconv.Itoa(limit))
		q.Set("offset", strconv.Itoa(offset+limit))
		d.Links = append(d.Links, Link{s.changeURL(r, cs.ID) + "?" + q.Encode(), "next", mediaJSON, "More features"})
	} else if offset > 0 {
		d.FeaturesMatched = &total
	}
	return d
}

// handleRevert serves POST /changes/{changeId}/revert: a new changeset
// that restores what that one replaced (geo.RevertCommit). The token
// must write every collection it touches. 409 names the features when a
// later changeset changed them, or when a write comes between.
func (s *Server) handleRevert(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := checkParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := changeID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	tok, err := s.mayWrite(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	comment := ""
	if r.ContentLength != 0 && r.Header.Get("Content-Type") != "" {
		body, err := s.readBody(r, mediaJSON)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if len(strings.TrimSpace(string(body))) > 0 {
			m, err := decodeObject(body)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			if c, ok := m["comment"]; ok {
				if comment, ok = c.(string); !ok && c != nil {
					s.writeError(w, r, geo.Invalidf("comment", "comment is not a string"))
					return
				}
			}
		}
	}
	snap, err := s.store.Snapshot(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := geo.RevertCommit(ctx, snap, id, geo.ChangeNote{Author: tok.Name, Comment: writeComment(r, comment)})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, e := range c.Edits {
		if !tok.CanWrite(e.Layer) {
			s.writeError(w, r, &geo.Error{Kind: geo.ErrForbidden, Message: "token " + tok.Name + " may not write layer " + e.Layer + ", which changeset " + strconv.FormatInt(id, 10) + " changed"})
			return
		}
	}
	cs, err := s.store.Commit(ctx, c)
	if err != nil {
		var stale *geo.StaleError
		if errors.As(err, &stale) {
			// A write came between reading the changeset and reverting it.
			err = geo.Conflictf("changeset %d cannot be reverted: a later change touched %s/%s", id, stale.Layer, stale.ID)
		}
		s.writeError(w, r, err)
		return
	}
	s.hub.notify()
	snap, err = s.store.Snapshot(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cs2, entries, err := snap.Changeset(ctx, cs.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body, err := json.Marshal(s.changeDetail(r, cs2, entries, MaxItemsLimit, 0))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Location", s.changeURL(r, cs.ID))
	h.Set("Content-Type", mediaJSON)
	w.WriteHeader(http.StatusCreated)
	w.Write(body)
}
