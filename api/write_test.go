package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"strata/api"
	"strata/data/memory"
	"strata/data/sqlite"
	"strata/geo"
	"strata/internal/auth"
)

// writeEnv is a server over a store holding two empty point layers, a
// and b, and tokens: alice may write a, bob every layer, old has
// expired, gone was revoked.
type writeEnv struct {
	name    string
	store   geo.Store
	srv     *httptest.Server
	secrets map[string]string
}

// writeStores returns a fresh writeEnv for each store: the memory store
// and a real SQLite file.
func writeStores(t *testing.T, cfg api.Config) []*writeEnv {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "write.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return []*writeEnv{newWriteEnv(t, "memory", memory.New(), cfg), newWriteEnv(t, "sqlite", db, cfg)}
}

func newWriteEnv(t *testing.T, name string, st geo.Store, cfg api.Config) *writeEnv {
	t.Helper()
	ctx := context.Background()
	for _, id := range []string{"a", "b"} {
		if err := st.PutLayer(ctx, geo.Layer{ID: id, Title: "Layer " + id, Kind: geo.KindPoint}); err != nil {
			t.Fatal(err)
		}
	}
	e := &writeEnv{name: name, store: st, secrets: map[string]string{}}
	now := time.Now()
	for _, tok := range []geo.Token{
		{Name: "alice", Layers: []string{"a"}},
		{Name: "bob", Layers: []string{"*"}},
		{Name: "old", Layers: []string{"*"}, Expires: now.Add(-time.Hour)},
		{Name: "gone", Layers: []string{"*"}},
		{Name: "qgis", Layers: []string{"a"}, Unconditional: true},
	} {
		secret, hash, err := auth.NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		tok.Hash, tok.Created = hash, now.Add(-2*time.Hour)
		if err := st.PutToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		e.secrets[tok.Name] = secret
	}
	if err := st.RevokeToken(ctx, "gone", now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	cfg.Store = st
	s := api.New(cfg)
	e.srv = httptest.NewServer(s.Handler())
	t.Cleanup(func() { s.Close(); e.srv.Close() })
	return e
}

// send makes a request with a body and headers; "token" names a token
// whose secret goes in Authorization.
func (e *writeEnv) send(t *testing.T, method, path, body string, header map[string]string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		switch k {
		case "token":
			req.Header.Set("Authorization", "Bearer "+e.secrets[v])
		default:
			req.Header.Set(k, v)
		}
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, b}
}

// pointFeature is a valid body for a point layer.
func pointFeature(id string, lon, lat float64, extra string) string {
	idMember := ""
	if id != "" {
		idMember = `"id":"` + id + `",`
	}
	return `{"type":"Feature",` + idMember + `"geometry":{"type":"Point","coordinates":[` +
		jsonNum(lon) + `,` + jsonNum(lat) + `]},"properties":{"name":"Crossing","valid_from":"2025-10-10","precision_m":50,` +
		`"sources":[{"title":"Report","publisher":"Desk"}]` + extra + `}}`
}

func jsonNum(f float64) string { b, _ := json.Marshal(f); return string(b) }

// geoFeature is the part of a GeoJSON feature the tests read.
type geoFeature struct {
	ID       string `json:"id"`
	Geometry struct {
		Coordinates []float64 `json:"coordinates"`
	} `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type changesBody struct {
	Changes []struct {
		ID          int64    `json:"id"`
		Author      string   `json:"author"`
		RecordedAt  string   `json:"recorded_at"`
		Comment     string   `json:"comment"`
		Collections []string `json:"collections"`
		Created     int      `json:"created"`
		Changed     int      `json:"changed"`
		Deleted     int      `json:"deleted"`
		BBox        *[4]float64
	} `json:"changes"`
}

const json1 = "application/geo+json"

// TestEditLifecycle is the HTTP part of issue 12's "Done when", on both
// stores: create, replace, a stale replace, patch, the versions with
// their authors, asof before a replace and before a delete, the
// changesets, and a revert of the delete.
func TestEditLifecycle(t *testing.T) {
	for _, e := range writeStores(t, api.Config{}) {
		t.Run(e.name, func(t *testing.T) {
			feat := "/collections/a/items/x1"
			// POST creates.
			r := e.send(t, "POST", "/collections/a/items", pointFeature("x1", 34.1, 31.1, ""), map[string]string{"token": "alice", "Content-Type": json1, "X-Strata-Comment": "first report"})
			if r.status != 201 || r.header.Get("ETag") != `"1"` || !strings.HasSuffix(r.header.Get("Location"), feat) {
				t.Fatalf("POST: %d ETag %q Location %q: %s", r.status, r.header.Get("ETag"), r.header.Get("Location"), r.body)
			}
			if f := decode[geoFeature](t, r); f.ID != "x1" || f.Geometry.Coordinates[0] != 34.1 {
				t.Errorf("POST answered %s", r.body)
			}
			if g := get(t, e.srv.URL+feat); g.status != 200 || g.header.Get("ETag") != `"1"` {
				t.Fatalf("GET after POST: %d %q", g.status, g.header.Get("ETag"))
			}
			// PUT with that ETag replaces.
			r = e.send(t, "PUT", feat, pointFeature("", 34.2, 31.2, ""), map[string]string{"token": "alice", "Content-Type": json1, "If-Match": `"1"`})
			if r.status != 200 || r.header.Get("ETag") != `"2"` {
				t.Fatalf("PUT: %d %q: %s", r.status, r.header.Get("ETag"), r.body)
			}
			// A second PUT with the old ETag is stale: 412 with the current one.
			r = e.send(t, "PUT", feat, pointFeature("x1", 34.9, 31.9, ""), map[string]string{"token": "alice", "Content-Type": json1, "If-Match": `"1"`})
			if r.status != 412 || r.header.Get("ETag") != `"2"` || decode[geoFeature](t, r).Geometry.Coordinates[0] != 34.2 {
				t.Fatalf("stale PUT: %d %q: %s", r.status, r.header.Get("ETag"), r.body)
			}
			// PUT without If-Match: 428.
			if r = e.send(t, "PUT", feat, pointFeature("x1", 34.9, 31.9, ""), map[string]string{"token": "alice", "Content-Type": json1}); r.status != 428 {
				t.Fatalf("PUT without If-Match: %d: %s", r.status, r.body)
			}
			// PATCH changes one property, by another writer, with a comment in the body.
			r = e.send(t, "PATCH", feat, `{"properties":{"note":"crossing open"},"comment":"from the morning call"}`, map[string]string{"token": "bob", "Content-Type": "application/merge-patch+json", "If-Match": `"2"`})
			if r.status != 200 || r.header.Get("ETag") != `"3"` {
				t.Fatalf("PATCH: %d %q: %s", r.status, r.header.Get("ETag"), r.body)
			}
			f := decode[geoFeature](t, r)
			if f.Properties["note"] != "crossing open" || f.Properties["name"] != "Crossing" || f.Geometry.Coordinates[0] != 34.2 || f.Properties["precision_m"] != 50.0 {
				t.Errorf("PATCH answered %s", r.body)
			}
			// Three versions, newest first, with their authors.
			v := decode[struct {
				Versions []struct {
					Version    int     `json:"version"`
					Author     string  `json:"author"`
					Comment    string  `json:"comment"`
					Changeset  int64   `json:"changeset"`
					RecordedTo *string `json:"recorded_to"`
					Links      []api.Link
				} `json:"versions"`
			}](t, get(t, e.srv.URL+feat+"/versions"))
			if len(v.Versions) != 3 || v.Versions[0].Version != 3 || v.Versions[0].Author != "bob" || v.Versions[0].Comment != "from the morning call" ||
				v.Versions[1].Author != "alice" || v.Versions[2].Author != "alice" || v.Versions[2].Comment != "first report" ||
				v.Versions[0].RecordedTo != nil || v.Versions[1].RecordedTo == nil {
				t.Fatalf("versions: %+v", v)
			}
			if g := get(t, e.srv.URL+feat+"/versions/1"); g.status != 200 || g.header.Get("ETag") != `"1"` || decode[geoFeature](t, g).Geometry.Coordinates[0] != 34.1 {
				t.Errorf("versions/1: %d %q %s", g.status, g.header.Get("ETag"), g.body)
			}
			// asof the POST's record time: the first geometry.
			changes := decode[changesBody](t, get(t, e.srv.URL+"/changes"))
			if len(changes.Changes) != 3 || changes.Changes[2].Author != "alice" || changes.Changes[2].Created != 1 || changes.Changes[1].Changed != 1 {
				t.Fatalf("changes: %s", mustJSON(changes))
			}
			first := changes.Changes[2].RecordedAt
			g := get(t, e.srv.URL+feat+"?asof="+url.QueryEscape(first))
			if g.status != 200 || g.header.Get("ETag") != `"1"` || decode[geoFeature](t, g).Geometry.Coordinates[0] != 34.1 {
				t.Fatalf("asof %s: %d %s", first, g.status, g.body)
			}
			itemsBefore := get(t, e.srv.URL+"/collections/a/items?asof="+url.QueryEscape(first))
			// DELETE: 404 now, 200 as known before.
			if r = e.send(t, "DELETE", feat, "", map[string]string{"token": "alice", "If-Match": `"3"`}); r.status != 204 {
				t.Fatalf("DELETE: %d %s", r.status, r.body)
			}
			if g := get(t, e.srv.URL+feat); g.status != 404 {
				t.Fatalf("GET after DELETE: %d", g.status)
			}
			changes = decode[changesBody](t, get(t, e.srv.URL+"/changes"))
			if len(changes.Changes) != 4 || changes.Changes[0].Deleted != 1 {
				t.Fatalf("changes after DELETE: %s", mustJSON(changes))
			}
			beforeDelete := changes.Changes[1].RecordedAt
			if g := get(t, e.srv.URL+feat+"?asof="+url.QueryEscape(beforeDelete)); g.status != 200 || g.header.Get("ETag") != `"3"` {
				t.Fatalf("asof before the DELETE: %d %s", g.status, g.body)
			}
			// An asof answer does not change with later edits.
			if again := get(t, e.srv.URL+"/collections/a/items?asof="+url.QueryEscape(first)); !sameItems(itemsBefore.body, again.body) {
				t.Errorf("asof answer changed:\n%s\n%s", itemsBefore.body, again.body)
			}
			// Revert the delete: the feature is back, version 4.
			del := changes.Changes[0].ID
			r = e.send(t, "POST", "/changes/"+jsonNum(float64(del))+"/revert", "", map[string]string{"token": "alice"})
			if r.status != 201 || r.header.Get("Location") == "" {
				t.Fatalf("revert: %d %s", r.status, r.body)
			}
			g = get(t, e.srv.URL+feat)
			if g.status != 200 || g.header.Get("ETag") != `"4"` || decode[geoFeature](t, g).Properties["note"] != "crossing open" {
				t.Fatalf("after revert: %d %q %s", g.status, g.header.Get("ETag"), g.body)
			}
			// Reverting it again conflicts: 409 naming the feature.
			if r = e.send(t, "POST", "/changes/"+jsonNum(float64(del))+"/revert", "", map[string]string{"token": "alice"}); r.status != 409 || !strings.Contains(string(r.body), "x1") {
				t.Errorf("second revert: %d %s", r.status, r.body)
			}
			// The changeset lists what it did.
			cs := decode[struct {
				Features []struct {
					Collection, ID, Op string
					Version, Previous  int
				} `json:"features"`
			}](t, get(t, e.srv.URL+"/changes/"+jsonNum(float64(del))))
			if len(cs.Features) != 1 || cs.Features[0].Op != "delete" || cs.Features[0].Version != 3 || cs.Features[0].ID != "x1" {
				t.Errorf("changeset %d: %+v", del, cs)
			}
		})
	}
}

// sameItems compares two items pages but for their timeStamp.
func sameItems(a, b []byte) bool {
	strip := func(p []byte) string {
		var m map[string]any
		json.Unmarshal(p, &m)
		delete(m, "timeStamp")
		out, _ := json.Marshal(m)
		return string(out)
	}
	return strip(a) == strip(b)
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

// state is what a refused write must leave alone: the data version and
// the layers' items.
func (e *writeEnv) state(t *testing.T) string {
	t.Helper()
	snap, err := e.store.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s := jsonNum(float64(snap.Version()))
	for _, l := range []string{"a", "b"} {
		var fc featureCollection
		json.Unmarshal(get(t, e.srv.URL+"/collections/"+l+"/items").body, &fc)
		s += "|" + mustJSON(fc.Features)
	}
	return s
}

// TestRefusedWrites checks that writes without a working token, outside
// the token's layers, or with a bad body are refused with the right
// status and a message naming what was wrong, change nothing, and never
// echo the token.
func TestRefusedWrites(t *testing.T) {
	for _, e := range writeStores(t, api.Config{MaxBodyBytes: 4096, CORSOrigins: []string{"https://desk.example.org"}}) {
		t.Run(e.name, func(t *testing.T) {
			r := e.send(t, "POST", "/collections/a/items", pointFeature("k", 34, 31, ""), map[string]string{"token": "bob", "Content-Type": json1})
			if r.status != 201 {
				t.Fatalf("setup POST: %d %s", r.status, r.body)
			}
			body := pointFeature("n", 34, 31, "")
			put := pointFeature("k", 35, 32, "")
			cases := []struct {
				name, method, path, body string
				header                   map[string]string
				status                   int
				want                     string
			}{
				{"no token", "POST", "/collections/a/items", body, map[string]string{"Content-Type": json1}, 401, "token"},
				{"wrong token", "POST", "/collections/a/items", body, map[string]string{"Authorization": "Bearer strata_wrong", "Content-Type": json1}, 401, "not known"},
				{"not bearer", "POST", "/collections/a/items", body, map[string]string{"Authorization": "Basic YTpi", "Content-Type": json1}, 401, "Bearer"},
				{"expired token", "POST", "/collections/a/items", body, map[string]string{"token": "old", "Content-Type": json1}, 401, "expired"},
				{"revoked token", "POST", "/collections/a/items", body, map[string]string{"token": "gone", "Content-Type": json1}, 401, "revoked"},
				{"other layer", "POST", "/collections/b/items", body, map[string]string{"token": "alice", "Content-Type": json1}, 403, "layer b"},
				{"no token PUT", "PUT", "/collections/a/items/k", put, map[string]string{"Content-Type": json1, "If-Match": `"1"`}, 401, "token"},
				{"revoked PATCH", "PATCH", "/collections/a/items/k", `{"properties":{"x":1}}`, map[string]string{"token": "gone", "Content-Type": "application/merge-patch+json", "If-Match": `"1"`}, 401, "revoked"},
				{"expired DELETE", "DELETE", "/collections/a/items/k", "", map[string]string{"token": "old", "If-Match": `"1"`}, 401, "expired"},
				{"other layer DELETE", "DELETE", "/collections/b/items/k", "", map[string]string{"token": "alice", "If-Match": `"1"`}, 403, "layer b"},
				{"revert without token", "POST", "/changes/1/revert", "", nil, 401, "token"},
				{"unknown layer", "POST", "/collections/nope/items", body, map[string]string{"token": "bob", "Content-Type": json1}, 404, "nope"},
				{"duplicate id", "POST", "/collections/a/items", pointFeature("k", 34, 31, ""), map[string]string{"token": "bob", "Content-Type": json1}, 409, "k"},
				{"bad geometry", "POST", "/collections/a/items", strings.Replace(body, `[34,31]`, `[34]`, 1), map[string]string{"token": "bob", "Content-Type": json1}, 400, "geometry"},
				{"line in a point layer", "POST", "/collections/a/items", strings.Replace(body, `{"type":"Point","coordinates":[34,31]}`, `{"type":"LineString","coordinates":[[34,31],[35,31]]}`, 1), map[string]string{"token": "bob", "Content-Type": json1}, 400, "point layer"},
				{"no sources", "POST", "/collections/a/items", strings.Replace(body, `,"sources":[{"title":"Report","publisher":"Desk"}]`, ``, 1), map[string]string{"token": "bob", "Content-Type": json1}, 400, "sources"},
				{"bad valid_from", "POST", "/collections/a/items", strings.Replace(body, `"2025-10-10"`, `"soon"`, 1), map[string]string{"token": "bob", "Content-Type": json1}, 400, "valid_from"},
				{"no precision", "POST", "/collections/a/items", strings.Replace(body, `"precision_m":50,`, ``, 1), map[string]string{"token": "bob", "Content-Type": json1}, 400, "precision_m"},
				{"not JSON", "POST", "/collections/a/items", `{"type":`, map[string]string{"token": "bob", "Content-Type": json1}, 400, "JSON"},
				{"form body", "POST", "/collections/a/items", body, map[string]string{"token": "bob", "Content-Type": "application/x-www-form-urlencoded"}, 415, "application/geo+json"},
				{"too large", "POST", "/collections/a/items", strings.Replace(body, `"name":"Crossing"`, `"name":"`+strings.Repeat("x", 5000)+`"`, 1), map[string]string{"token": "bob", "Content-Type": json1}, 413, "4096"},
				{"other CRS", "POST", "/collections/a/items", body, map[string]string{"token": "bob", "Content-Type": json1, "Content-Crs": "<http://www.opengis.net/def/crs/EPSG/0/4326>"}, 400, "Content-Crs"},
				{"comment too long", "POST", "/collections/a/items", body, map[string]string{"token": "bob", "Content-Type": json1, "X-Strata-Comment": strings.Repeat("c", geo.MaxCommentLen+1)}, 400, "comment"},
				{"PUT other id", "PUT", "/collections/a/items/k", pointFeature("z", 34, 31, ""), map[string]string{"token": "bob", "Content-Type": json1, "If-Match": `"1"`}, 400, "id"},
				{"PUT without If-Match", "PUT", "/collections/a/items/k", put, map[string]string{"token": "bob", "Content-Type": json1}, 428, "If-Match"},
				{"PUT weak If-Match", "PUT", "/collections/a/items/k", put, map[string]string{"token": "bob", "Content-Type": json1, "If-Match": `W/"1"`}, 400, "If-Match"},
				{"PUT stale", "PUT", "/collections/a/items/k", put, map[string]string{"token": "bob", "Content-Type": json1, "If-Match": `"7"`}, 412, "k"},
				{"PUT missing", "PUT", "/collections/a/items/missing", pointFeature("missing", 34, 31, ""), map[string]string{"token": "bob", "Content-Type": json1, "If-Match": `"1"`}, 404, "missing"},
				{"PATCH removes sources", "PATCH", "/collections/a/items/k", `{"properties":{"sources":null}}`, map[string]string{"token": "bob", "Content-Type": "application/merge-patch+json", "If-Match": `"1"`}, 400, "sources"},
				{"PATCH not an object", "PATCH", "/collections/a/items/k", `[1]`, map[string]string{"token": "bob", "Content-Type": "application/merge-patch+json", "If-Match": `"1"`}, 400, "object"},
				{"DELETE without If-Match", "DELETE", "/collections/a/items/k", "", map[string]string{"token": "bob"}, 428, "If-Match"},
				{"DELETE stale", "DELETE", "/collections/a/items/k", "", map[string]string{"token": "bob", "If-Match": `"2"`}, 412, "k"},
				{"write from another site", "POST", "/collections/a/items", body, map[string]string{"token": "bob", "Content-Type": json1, "Origin": "https://evil.example"}, 403, "evil.example"},
				{"query parameter", "POST", "/collections/a/items?x=1", body, map[string]string{"token": "bob", "Content-Type": json1}, 400, "x"},
				{"revert unknown", "POST", "/changes/999/revert", "", map[string]string{"token": "bob"}, 404, "999"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					before := e.state(t)
					r := e.send(t, c.method, c.path, c.body, c.header)
					if r.status != c.status || !strings.Contains(string(r.body), c.want) {
						t.Errorf("%s %s: %d %s; want %d mentioning %q", c.method, c.path, r.status, r.body, c.status, c.want)
					}
					if r.status == 401 && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), `Bearer realm="strata"`) {
						t.Errorf("401 with WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
					}
					for _, secret := range e.secrets {
						if bytes.Contains(r.body, []byte(secret)) || strings.Contains(mustJSON(r.header), secret) {
							t.Errorf("the answer holds a token")
						}
					}
					if after := e.state(t); after != before {
						t.Errorf("a refused write changed the data:\n%s\n%s", before, after)
					}
				})
			}
			// The listed origin may write.
			r = e.send(t, "POST", "/collections/a/items", pointFeature("o", 34, 31, ""), map[string]string{"token": "bob", "Content-Type": json1, "Origin": "https://desk.example.org"})
			if r.status != 201 || r.header.Get("Access-Control-Allow-Origin") != "https://desk.example.org" {
				t.Errorf("write from the listed origin: %d %v", r.status, r.header)
			}
		})
	}
}

// TestRevokedTokenStops checks that a token revoked while the server runs
// stops working within a couple of seconds (the token cache's life).
func TestRevokedTokenStops(t *testing.T) {
	for _, e := range writeStores(t, api.Config{}) {
		t.Run(e.name, func(t *testing.T) {
			post := func(id string) int {
				return e.send(t, "POST", "/collections/a/items", pointFeature(id, 34, 31, ""), map[string]string{"token": "alice", "Content-Type": json1}).status
			}
			if s := post("r1"); s != 201 {
				t.Fatalf("before revoking: %d", s)
			}
			if err := e.store.RevokeToken(context.Background(), "alice", time.Now()); err != nil {
				t.Fatal(err)
			}
			time.Sleep(1100 * time.Millisecond)
			if s := post("r2"); s != 401 {
				t.Errorf("after revoking: %d", s)
			}
			// A token made while the server runs works at once.
			secret, hash, _ := auth.NewSecret()
			if err := e.store.PutToken(context.Background(), geo.Token{Name: "carol", Hash: hash, Layers: []string{"a"}, Created: time.Now()}); err != nil {
				t.Fatal(err)
			}
			e.secrets["carol"] = secret
			if r := e.send(t, "POST", "/collections/a/items", pointFeature("r3", 34, 31, ""), map[string]string{"token": "carol", "Content-Type": json1}); r.status != 201 {
				t.Errorf("new token: %d %s", r.status, r.body)
			}
		})
	}
}

// TestWriteAnswerIsGet: the answer to POST, PUT and PATCH is, byte for
// byte, what GET then answers for the feature, whatever the body held:
// no properties, unicode, nested values, every member of a source, an
// open or a closed valid time.
func TestWriteAnswerIsGet(t *testing.T) {
	bodies := []string{
		`{"type":"Feature","id":"g1","geometry":{"type":"Point","coordinates":[34.123456789,31.5]},` +
			`"properties":{"precision_m":10,"sources":[{"title":"T"}]}}`,
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[-0.5,1e-7]},` +
			`"properties":{"name":"Khān Yūnis  ","kind":"town","nested":{"a":[1,2.5,null,true]},"valid_from":"2025-10-10","valid_to":"2025-10-11T06:00:00Z",` +
			`"precision_m":0.25,"sources":[{"title":"S","publisher":"P","date":"2025-10-10","url":"https://example.org/a?b=c&d","note":"n \"q\""},{"title":"Second"}]}}`,
	}
	for _, e := range writeStores(t, api.Config{}) {
		t.Run(e.name, func(t *testing.T) {
			feat := "/collections/a/items/g1"
			check := func(what string, r response, status int) {
				t.Helper()
				if r.status != status {
					t.Fatalf("%s: %d %s", what, r.status, r.body)
				}
				g := get(t, e.srv.URL+feat)
				if g.status != 200 || g.header.Get("ETag") != r.header.Get("ETag") || !bytes.Equal(g.body, r.body) {
					t.Errorf("%s answered (ETag %s)\n%s\nGET answers (ETag %s)\n%s", what, r.header.Get("ETag"), r.body, g.header.Get("ETag"), g.body)
				}
			}
			check("POST", e.send(t, "POST", "/collections/a/items", bodies[0], map[string]string{"token": "alice", "Content-Type": json1}), 201)
			check("PUT", e.send(t, "PUT", feat, bodies[1], map[string]string{"token": "alice", "Content-Type": json1, "If-Match": `"1"`}), 200)
			check("PATCH", e.send(t, "PATCH", feat, `{"properties":{"nested":null,"extra":"é"}}`, map[string]string{"token": "alice", "Content-Type": "application/merge-patch+json", "If-Match": `"2"`}), 200)
		})
	}
}

// TestUnconditionalToken: a token made for clients that send no
// If-Match (QGIS) may PUT, PATCH and DELETE without it, the last write
// winning; a stale If-Match it does send is still refused, and other
// tokens still need one.
func TestUnconditionalToken(t *testing.T) {
	for _, e := range writeStores(t, api.Config{}) {
		t.Run(e.name, func(t *testing.T) {
			feat := "/collections/a/items/q1"
			if r := e.send(t, "POST", "/collections/a/items", pointFeature("q1", 34, 31, ""), map[string]string{"token": "qgis", "Content-Type": json1}); r.status != 201 {
				t.Fatalf("POST: %d %s", r.status, r.body)
			}
			if r := e.send(t, "PUT", feat, pointFeature("q1", 34.5, 31, ""), map[string]string{"token": "alice", "Content-Type": json1}); r.status != 428 {
				t.Errorf("PUT without If-Match, ordinary token: %d %s", r.status, r.body)
			}
			r := e.send(t, "PUT", feat, pointFeature("q1", 34.5, 31, ""), map[string]string{"token": "qgis", "Content-Type": json1})
			if r.status != 200 || r.header.Get("ETag") != `"2"` {
				t.Fatalf("PUT without If-Match, unconditional token: %d %s %s", r.status, r.header.Get("ETag"), r.body)
			}
			if r := e.send(t, "PATCH", feat, `{"properties":{"name":"Patched"}}`, map[string]string{"token": "qgis", "Content-Type": "application/merge-patch+json"}); r.status != 200 || !strings.Contains(string(r.body), "Patched") {
				t.Errorf("PATCH without If-Match: %d %s", r.status, r.body)
			}
			if r := e.send(t, "PUT", feat, pointFeature("q1", 34.6, 31, ""), map[string]string{"token": "qgis", "Content-Type": json1, "If-Match": `"1"`}); r.status != 412 {
				t.Errorf("PUT with a stale If-Match: %d %s", r.status, r.body)
			}
			if r := e.send(t, "DELETE", feat, "", map[string]string{"token": "qgis"}); r.status != 204 {
				t.Errorf("DELETE without If-Match: %d %s", r.status, r.body)
			}
			if r := e.send(t, "GET", feat, "", nil); r.status != 404 {
				t.Errorf("GET after DELETE: %d", r.status)
			}
		})
	}
}

// TestOptionsAllow checks the Allow header QGIS reads to decide that a
// layer is editable, and the CORS preflight of writes.
func TestOptionsAllow(t *testing.T) {
	e := writeStores(t, api.Config{CORSOrigins: []string{"https://desk.example.org"}})[1]
	cases := []struct {
		path, token, want string
	}{
		{"/collections/a/items", "", "GET, HEAD, OPTIONS"},
		{"/collections/a/items", "alice", "GET, HEAD, OPTIONS, POST"},
		{"/collections/b/items", "alice", "GET, HEAD, OPTIONS"},
		{"/collections/a/items", "gone", "GET, HEAD, OPTIONS"},
		{"/collections/a/items/unknown_id", "alice", "GET, HEAD, OPTIONS, PUT, PATCH, DELETE"},
		{"/collections/a/items/unknown_id", "", "GET, HEAD, OPTIONS"},
		{"/collections/b/items/x", "bob", "GET, HEAD, OPTIONS, PUT, PATCH, DELETE"},
	}
	for _, c := range cases {
		h := map[string]string{}
		if c.token != "" {
			h["token"] = c.token
		}
		r := e.send(t, "OPTIONS", c.path, "", h)
		if r.status != 204 || r.header.Get("Allow") != c.want {
			t.Errorf("OPTIONS %s as %q: %d Allow %q, want %q", c.path, c.token, r.status, r.header.Get("Allow"), c.want)
		}
	}
	pre := func(origin string) http.Header {
		return e.send(t, "OPTIONS", "/collections/a/items", "", map[string]string{"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}).header
	}
	if h := pre("https://desk.example.org"); !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") || !strings.Contains(h.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("preflight of the listed origin: %v", h)
	}
	if h := pre("https://evil.example"); strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") || h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight of another origin offers writes: %v", h)
	}
	open := writeStores(t, api.Config{CORSOrigins: []string{"*"}})[0]
	if h := open.send(t, "OPTIONS", "/collections/a/items/x", "", map[string]string{"Origin": "https://any.example", "Access-Control-Request-Method": "PUT"}).header; strings.Contains(h.Get("Access-Control-Allow-Methods"), "PUT") {
		t.Errorf(`with CORS "*", a preflight offers writes: %v`, h)
	}
}

// TestReadOnlyServer checks that a read-only server refuses writes
// clearly, whatever the token.
func TestReadOnlyServer(t *testing.T) {
	for _, e := range writeStores(t, api.Config{ReadOnly: true}) {
		r := e.send(t, "POST", "/collections/a/items", pointFeature("n", 34, 31, ""), map[string]string{"token": "bob", "Content-Type": json1})
		if r.status != 405 || !strings.Contains(string(r.body), "read-only") || r.header.Get("Allow") != "GET, HEAD, OPTIONS" {
			t.Errorf("%s: write to a read-only server: %d %s %v", e.name, r.status, r.body, r.header)
		}
		if o := e.send(t, "OPTIONS", "/collections/a/items", "", map[string]string{"token": "bob"}); o.header.Get("Allow") != "GET, HEAD, OPTIONS" {
			t.Errorf("%s: OPTIONS on a read-only server: Allow %q", e.name, o.header.Get("Allow"))
		}
	}
}

// TestTokensNotLogged checks that the access log and the error log never
// hold a token.
func TestTokensNotLogged(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	e := writeStores(t, api.Config{AccessLog: true, Logger: logger})[1]
	e.send(t, "POST", "/collections/a/items", pointFeature("l1", 34, 31, ""), map[string]string{"token": "bob", "Content-Type": json1})
	e.send(t, "POST", "/collections/a/items?token="+e.secrets["alice"], pointFeature("l2", 34, 31, ""), map[string]string{"token": "gone", "Content-Type": json1})
	if logs.Len() == 0 {
		t.Fatal("nothing logged")
	}
	for name, secret := range e.secrets {
		if strings.Contains(logs.String(), secret) || strings.Contains(logs.String(), strings.TrimPrefix(secret, auth.Prefix)) {
			t.Errorf("the log holds %s's token:\n%s", name, logs.String())
		}
	}
}

// TestAsOfAnswers checks asof on every endpoint that takes it: an
// instant before any change answers empty layers, immutable; a bad value
// is a 400 naming asof.
func TestAsOfAnswers(t *testing.T) {
	for _, e := range writeStores(t, api.Config{TileCacheBytes: 1 << 20}) {
		t.Run(e.name, func(t *testing.T) {
			if r := e.send(t, "POST", "/collections/a/items", pointFeature("p", 34.5, 31.5, ""), map[string]string{"token": "bob", "Content-Type": json1}); r.status != 201 {
				t.Fatalf("POST: %d %s", r.status, r.body)
			}
			paths := []string{"/collections", "/collections/a", "/collections/a/items", "/collections/a/items/p",
				"/collections/a/items/p/versions", "/collections/a/histogram", "/collections/a/tiles/WebMercatorQuad/0/0/0", "/xyz/0/0/0.mvt"}
			for _, p := range paths {
				now := get(t, e.srv.URL+p)
				if now.status != 200 || now.header.Get("Cache-Control") == "public, max-age=31536000, immutable" {
					t.Errorf("%s now: %d %q", p, now.status, now.header.Get("Cache-Control"))
				}
				sep := "?"
				past := get(t, e.srv.URL+p+sep+"asof=2020-01-01")
				switch p {
				case "/collections/a/items/p", "/collections/a/items/p/versions":
					if past.status != 404 {
						t.Errorf("%s before the feature: %d %s", p, past.status, past.body)
					}
					continue
				}
				if past.status != 200 || past.header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
					t.Errorf("%s asof 2020: %d %q %s", p, past.status, past.header.Get("Cache-Control"), past.body)
				}
				if bytes.Equal(now.body, past.body) {
					t.Errorf("%s: the same answer now and in 2020", p)
				}
				if bad := get(t, e.srv.URL+p+sep+"asof=last-week"); bad.status != 400 || !strings.Contains(string(bad.body), "asof") {
					t.Errorf("%s asof=last-week: %d %s", p, bad.status, bad.body)
				}
			}
			fc := decode[featureCollection](t, get(t, e.srv.URL+"/collections/a/items?asof=2020-01-01T00:00:00Z"))
			if len(fc.Features) != 0 || fc.NumberMatched != 0 {
				t.Errorf("items in 2020: %+v", fc)
			}
		})
	}
}
