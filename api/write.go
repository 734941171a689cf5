package api

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"strata/geo"
	"strata/geo/geojson"
)

// OGC API – Features Part 4: writes of single features, each one
// changeset (geo.Store.Commit) authored by the writer's token.

// featuresPart4 lists the Part 4 conformance classes implemented
// (OGC 20-002, draft): POST, PUT and DELETE; PATCH as a JSON merge
// patch; optimistic locking with strong ETags and If-Match; GeoJSON
// features as bodies.
var featuresPart4 = []string{
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/optimistic-locking-etags",
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
}

// Media types of write bodies.
const mediaMergePatch = "application/merge-patch+json"

// commentHeader carries a write's comment (see writeComment).
const commentHeader = "X-Strata-Comment"

// Allow values: what everyone may do, and what a writer may do besides.
const (
	allowRead        = "GET, HEAD, OPTIONS"
	allowItemsWrite  = allowRead + ", POST"
	allowFeatureEdit = allowRead + ", PUT, PATCH, DELETE"
)

// writeRoutes adds the write methods and the OPTIONS answers of items and
// features, and the revert of a changeset. They go before the read routes
// of the same paths, whose OPTIONS answer only lists reads.
func (s *Server) writeRoutes(r *mux.Router) {
	items := "/collections/{collectionId}/items"
	feature := items + "/{featureId}"
	r.HandleFunc(items, s.handleCreate).Methods(http.MethodPost)
	r.HandleFunc(items, s.handleWriteOptions(allowItemsWrite)).Methods(http.MethodOptions)
	r.HandleFunc(feature, s.handleReplace).Methods(http.MethodPut)
	r.HandleFunc(feature, s.handlePatch).Methods(http.MethodPatch)
	r.HandleFunc(feature, s.handleDelete).Methods(http.MethodDelete)
	r.HandleFunc(feature, s.handleWriteOptions(allowFeatureEdit)).Methods(http.MethodOptions)
	r.HandleFunc("/changes/{changeId}/revert", s.handleRevert).Methods(http.MethodPost)
}

// handleWriteOptions returns the OPTIONS handler of items (write: POST; QGIS
// decides from it whether a layer can take new features) or of a feature
// (write: PUT, PATCH and DELETE, whether or not the feature exists, as
// QGIS asks about a made-up id when a layer is empty): Allow lists the
// write methods when the caller's token may write the collection.
func (s *Server) handleWriteOptions(write string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		allow := allowRead
		if s.canWrite(r, mux.Vars(r)["collectionId"]) {
			allow = write
		}
		w.Header().Set("Allow", allow)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Add("Vary", "Authorization")
		w.WriteHeader(http.StatusNoContent)
	}
}

// writeTarget checks a write to the request's collection: no query
// parameters, a token that may write it (see mayWrite), and a collection
// that exists. It returns the author's note (without the comment) and
// the layer, or answers the error and returns ok false.
func (s *Server) writeTarget(w http.ResponseWriter, r *http.Request) (note geo.ChangeNote, tok geo.Token, l geo.Layer, ok bool) {
	if err := checkParams(r); err != nil {
		s.writeError(w, r, err)
		return note, tok, l, false
	}
	id := mux.Vars(r)["collectionId"]
	var err error
	tok, err = s.mayWrite(r, id)
	if err != nil {
		s.writeError(w, r, err)
		return note, tok, l, false
	}
	snap, err := s.store.Snapshot(r.Context())
	if err == nil {
		l, err = snap.Layer(id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return note, tok, l, false
	}
	return geo.ChangeNote{Author: tok.Name}, tok, l, true
}

// readBody reads a write's body, of one of the media types given (the
// first is named in errors), at most Config.MaxBodyBytes, in CRS84
// (Content-Crs, if sent, must name it).
func (s *Server) readBody(r *http.Request, types ...string) ([]byte, error) {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || !slices.Contains(types, strings.ToLower(mt)) {
		return nil, apiError(errMediaType, "the body must be sent as Content-Type: %s, not %q", types[0], short(ct))
	}
	if err := checkContentCRS(r.Header.Get("Content-Crs")); err != nil {
		return nil, err
	}
	max := s.cfg.MaxBodyBytes
	if r.ContentLength > max {
		return nil, apiError(errTooLarge, "the body is %d bytes; at most %d are accepted", r.ContentLength, max)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		return nil, geo.Invalidf("body", "the body could not be read: %v", err)
	}
	if int64(len(body)) > max {
		return nil, apiError(errTooLarge, "the body is larger than %d bytes", max)
	}
	return body, nil
}

// crs84 are the spellings of CRS84, the only CRS Strata stores.
var crs84 = []string{geo.CRS84, "https://www.opengis.net/def/crs/OGC/1.3/CRS84", "[OGC:CRS84]", "OGC:CRS84"}

// checkContentCRS accepts an absent Content-Crs header or one naming
// CRS84, in angle brackets (as OGC API – Features Part 2 writes it) or
// not.
func checkContentCRS(v string) error {
	if v == "" {
		return nil
	}
	uri := strings.TrimSpace(v)
	if strings.HasPrefix(uri, "<") && strings.HasSuffix(uri, ">") {
		uri = uri[1 : len(uri)-1]
	}
	if slices.Contains(crs84, uri) {
		return nil
	}
	return geo.Invalidf("Content-Crs", "Content-Crs %q is not offered: send coordinates in CRS84 (longitude, latitude), <%s>", short(v), geo.CRS84)
}

// writeComment is the comment of a write: the X-Strata-Comment header,
// or else the body's top-level "comment" member.
func writeComment(r *http.Request, fromBody string) string {
	if c := r.Header.Get(commentHeader); c != "" {
		return c
	}
	return fromBody
}

// ifMatch reads the If-Match header of a write: one strong entity tag
// "N" naming the version the writer last saw, or * for any current
// version (0). errPreconditionRequired when it is missing, unless tok is
// Unconditional (made for clients such as QGIS, which send none): the
// write then applies to the current version (0).
func ifMatch(r *http.Request, tok geo.Token) (int, error) {
	v := strings.TrimSpace(r.Header.Get("If-Match"))
	if v == "" && tok.Unconditional {
		return 0, nil
	}
	if v == "" {
		return 0, apiError(errPreconditionRequired, `this write needs If-Match: "N", the ETag of the version it changes (GET the feature to read it)`)
	}
	if v == "*" {
		return 0, nil
	}
	if len(v) >= 3 && v[0] == '"' && v[len(v)-1] == '"' {
		if n, err := atoi(v[1 : len(v)-1]); err == nil && n > 0 {
			return n, nil
		}
	}
	return 0, geo.Invalidf("If-Match", `If-Match %q is not one strong ETag of a version, such as "3"`, short(v))
}

// newID returns a fresh feature id for a POST without one: 16 hex
// digits, random.
func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// handleCreate serves POST /collections/{collectionId}/items: one GeoJSON
// feature, its id from the body or generated. 201 with the feature as GET
// answers it, its Location and ETag.
func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) {
	note, _, l, ok := s.writeTarget(w, r)
	if !ok {
		return
	}
	body, err := s.readBody(r, mediaGeoJSON, mediaJSON)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := geojson.DecodeFeature(body, l.ID, newID(), geojson.Options{Kind: l.Kind})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	note.Comment = writeComment(r, in.Comment)
	edit := geo.Edit{Op: geo.OpCreate, Layer: l.ID, ID: in.Feature.ID, Feature: in.Feature}
	s.commitFeature(w, r, l, note, edit, http.StatusCreated)
}

// featureWrite is what PUT, PATCH and DELETE on a feature share: the
// caller's note, the layer, the feature's id, the version If-Match names
// (0: any) and, when types are given, the body of one of those media
// types. It answers the error and returns ok false if any is wrong.
func (s *Server) featureWrite(w http.ResponseWriter, r *http.Request, types ...string) (note geo.ChangeNote, l geo.Layer, id string, version int, body []byte, ok bool) {
	note, tok, l, ok := s.writeTarget(w, r)
	if !ok {
		return note, l, "", 0, nil, false
	}
	id = mux.Vars(r)["featureId"]
	version, err := ifMatch(r, tok)
	if err == nil && len(types) > 0 {
		body, err = s.readBody(r, types...)
	}
	if err != nil {
		s.writeError(w, r, err)
		return note, l, "", 0, nil, false
	}
	return note, l, id, version, body, true
}

// handleReplace serves PUT /collections/{collectionId}/items/{featureId}:
// the whole feature, conditional on If-Match.
func (s *Server) handleReplace(w http.ResponseWriter, r *http.Request) {
	note, l, id, version, body, ok := s.featureWrite(w, r, mediaGeoJSON, mediaJSON)
	if !ok {
		return
	}
	in, err := geojson.DecodeFeature(body, l.ID, id, geojson.Options{Kind: l.Kind})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Feature.ID != id {
		s.writeError(w, r, geo.Invalidf("id", "the body's id %q is not the id %q of the feature in the URL", in.Feature.ID, id))
		return
	}
	note.Comment = writeComment(r, in.Comment)
	edit := geo.Edit{Op: geo.OpReplace, Layer: l.ID, ID: id, Feature: in.Feature, IfVersion: version}
	s.commitFeature(w, r, l, note, edit, http.StatusOK)
}

// handlePatch serves PATCH /collections/{collectionId}/items/{featureId}:
// a JSON merge patch (RFC 7396) of the GeoJSON feature as GET answers it,
// except that a geometry in the patch replaces the geometry whole. The
// result is checked as a PUT body is. Conditional on If-Match.
func (s *Server) handlePatch(w http.ResponseWriter, r *http.Request) {
	note, l, id, version, body, ok := s.featureWrite(w, r, mediaMergePatch, mediaJSON)
	if !ok {
		return
	}
	patch, err := decodeObject(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	snap, err := s.store.Snapshot(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cur, err := snap.Feature(r.Context(), l.ID, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if version > 0 && cur.Version != version {
		s.writeStale(w, r, l, &geo.StaleError{Layer: l.ID, ID: id, Current: cur.Version, Want: version})
		return
	}
	merged, comment, err := applyPatch(geojson.AppendFeature(nil, cur), patch)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := geojson.DecodeFeature(merged, l.ID, id, geojson.Options{Kind: l.Kind})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Feature.ID != id {
		s.writeError(w, r, geo.Invalidf("id", "the patch changes the id to %q; a feature's id cannot change", in.Feature.ID))
		return
	}
	note.Comment = writeComment(r, comment)
	// The version read is the one patched: commit only if it is still
	// current.
	edit := geo.Edit{Op: geo.OpReplace, Layer: l.ID, ID: id, Feature: in.Feature, IfVersion: cur.Version}
	s.commitFeature(w, r, l, note, edit, http.StatusOK)
}

// decodeObject reads a JSON object, keeping numbers as written.
func decodeObject(body []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, geo.Invalidf("body", "bad JSON: %v", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, geo.Invalidf("body", "unexpected data after the JSON object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, geo.Invalidf("body", "the patch is not a JSON object")
	}
	return m, nil
}

// applyPatch merges patch into the GeoJSON feature cur (RFC 7396), with
// "geometry" replaced whole, and returns the result and the patch's
// top-level "comment", which is not part of the feature.
func applyPatch(cur []byte, patch map[string]any) ([]byte, string, error) {
	var comment string
	if c, ok := patch["comment"]; ok {
		s, isString := c.(string)
		if c != nil && !isString {
			return nil, "", geo.Invalidf("comment", "comment is not a string")
		}
		comment = s
		delete(patch, "comment")
	}
	target, err := decodeObject(cur)
	if err != nil {
		return nil, "", err
	}
	for k, v := range patch {
		switch {
		case v == nil:
			delete(target, k)
		case k == "geometry":
			target[k] = v
		default:
			target[k] = mergePatch(target[k], v)
		}
	}
	out, err := json.Marshal(target)
	if err != nil {
		return nil, "", geo.Invalidf("body", "the patched feature cannot be written as JSON: %v", err)
	}
	return out, comment, nil
}

// mergePatch applies an RFC 7396 merge patch to target.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
		} else {
			t[k] = mergePatch(t[k], v)
		}
	}
	return t
}

// handleDelete serves DELETE /collections/{collectionId}/items/{featureId}:
// closes the feature's current version, conditional on If-Match. 204.
func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request) {
	note, l, id, version, _, ok := s.featureWrite(w, r)
	if !ok {
		return
	}
	note.Comment = writeComment(r, "")
	edit := geo.Edit{Op: geo.OpDelete, Layer: l.ID, ID: id, IfVersion: version}
	if _, err := s.store.Commit(r.Context(), geo.Commit{Note: note, Edits: []geo.Edit{edit}}); err != nil {
		s.writeCommitError(w, r, l, err)
		return
	}
	s.hub.notify()
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// commitFeature commits one create or replace and answers code with the
// feature as written (exactly what GET answers), its ETag and Location.
func (s *Server) commitFeature(w http.ResponseWriter, r *http.Request, l geo.Layer, note geo.ChangeNote, edit geo.Edit, code int) {
	ctx := r.Context()
	cs, err := s.store.Commit(ctx, geo.Commit{Note: note, Edits: []geo.Edit{edit}})
	if err != nil {
		s.writeCommitError(w, r, l, err)
		return
	}
	s.hub.notify()
	if len(cs.Written) != 1 {
		s.writeError(w, r, errors.New("changeset "+strconv.FormatInt(cs.ID, 10)+" does not tell the version it wrote"))
		return
	}
	// The version written is the feature committed, numbered: answered
	// without reading it back, as GET answers it (TestWriteAnswerIsGet).
	f := *edit.Feature
	f.Layer, f.Version = l.ID, cs.Written[0]
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("ETag", versionETag(f.Version))
	h.Set("Location", s.baseURL(r)+"/collections/"+url.PathEscape(l.ID)+"/items/"+url.PathEscape(f.ID))
	h.Set("Content-Type", mediaGeoJSON)
	w.WriteHeader(code)
	w.Write(s.featureBody(r, l, &f))
}

// writeCommitError answers the error of a feature's Commit: a stale
// If-Match gets the current feature (see writeStale).
func (s *Server) writeCommitError(w http.ResponseWriter, r *http.Request, l geo.Layer, err error) {
	var stale *geo.StaleError
	if errors.As(err, &stale) {
		s.writeStale(w, r, l, stale)
		return
	}
	s.writeError(w, r, err)
}

// writeStale answers a write whose If-Match is stale (412): with the
// feature's current version and its ETag, so that the writer can merge
// and try again, or with an exception when the feature is not current.
func (s *Server) writeStale(w http.ResponseWriter, r *http.Request, l geo.Layer, stale *geo.StaleError) {
	ctx := r.Context()
	snap, err := s.store.Snapshot(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cur, err := snap.Feature(ctx, stale.Layer, stale.ID)
	if err != nil {
		if errors.Is(err, geo.ErrNotFound) {
			// Deleted: the If-Match is stale. Never written: not found.
			err = &geo.Error{Kind: geo.ErrPrecondition, Message: stale.Error()}
			if _, herr := snap.History(ctx, stale.Layer, stale.ID); errors.Is(herr, geo.ErrNotFound) {
				err = geo.NotFoundf("no feature %q in layer %q", stale.ID, stale.Layer)
			}
		}
		s.writeError(w, r, err)
		return
	}
	code, _ := status(stale)
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("ETag", versionETag(cur.Version))
	h.Set("Content-Type", mediaGeoJSON)
	w.WriteHeader(code)
	w.Write(s.featureBody(r, l, cur))
}
