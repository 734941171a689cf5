package api_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"strata/api"
)

// TestTokenDoc checks GET /token, which the map asks before it offers
// editing: whether anyone may write, and for the token sent its author
// and the collections it may write, never the secret.
func TestTokenDoc(t *testing.T) {
	type doc struct {
		Writes      bool     `json:"writes"`
		Author      string   `json:"author"`
		Collections []string `json:"collections"`
	}
	for _, e := range writeStores(t, api.Config{}) {
		tests := []struct {
			name   string
			header map[string]string
			status int
			want   doc
		}{
			{"no token", nil, 200, doc{Writes: true}},
			{"alice", map[string]string{"token": "alice"}, 200, doc{true, "alice", []string{"a"}}},
			{"bob, every layer", map[string]string{"token": "bob"}, 200, doc{true, "bob", []string{"a", "b"}}},
			{"expired", map[string]string{"token": "old"}, 401, doc{}},
			{"revoked", map[string]string{"token": "gone"}, 401, doc{}},
			{"unknown", map[string]string{"Authorization": "Bearer strata_nope"}, 401, doc{}},
			{"not bearer", map[string]string{"Authorization": "Basic eDp5"}, 401, doc{}},
			{"page elsewhere", map[string]string{"token": "bob", "Origin": "https://elsewhere.example"}, 403, doc{}},
		}
		for _, tc := range tests {
			t.Run(e.name+"/"+tc.name, func(t *testing.T) {
				r := e.send(t, "GET", "/token", "", tc.header)
				if r.status != tc.status {
					t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
				}
				if cc := r.header.Get("Cache-Control"); cc != "no-store" {
					t.Errorf("Cache-Control %q", cc)
				}
				for _, s := range e.secrets {
					if strings.Contains(string(r.body), s) {
						t.Errorf("the answer holds a secret: %s", r.body)
					}
				}
				if tc.status != 200 {
					return
				}
				if v := r.header.Values("Vary"); !slices.Contains(v, "Authorization") {
					t.Errorf("Vary %q lacks Authorization", v)
				}
				var got doc
				if err := json.Unmarshal(r.body, &got); err != nil {
					t.Fatal(err)
				}
				if got.Writes != tc.want.Writes || got.Author != tc.want.Author || !slices.Equal(got.Collections, tc.want.Collections) {
					t.Errorf("got %+v, want %+v", got, tc.want)
				}
			})
		}
		if r := e.send(t, "GET", "/token?x=1", "", nil); r.status != 400 || !strings.Contains(string(r.body), `"param":"x"`) {
			t.Errorf("%s: unknown parameter: %d %s", e.name, r.status, r.body)
		}
	}
	for _, e := range writeStores(t, api.Config{ReadOnly: true}) {
		r := e.send(t, "GET", "/token", "", map[string]string{"token": "bob"})
		if r.status != 200 || strings.TrimSpace(string(r.body)) != `{"writes":false}` {
			t.Errorf("%s: read-only server: %d %s", e.name, r.status, r.body)
		}
	}
}

// TestInvalidNamesParam checks that a refused write's 400 names the
// member at fault in "param", for forms to show the message beside it.
func TestInvalidNamesParam(t *testing.T) {
	e := writeStores(t, api.Config{})[1]
	for _, tc := range []struct{ body, param string }{
		{`{"type":"Feature","geometry":{"type":"Point","coordinates":[34,31]},"properties":{"sources":[{"title":"S"}]}}`, "precision_m"},
		{`{"type":"Feature","geometry":{"type":"Point","coordinates":[34,31]},"properties":{"precision_m":5,"sources":[]}}`, "sources"},
		{`{"type":"Feature","geometry":{"type":"Point","coordinates":[34,31]},"properties":{"precision_m":5,"sources":[{"title":""}]}}`, "sources"},
		{`{"type":"Feature","geometry":{"type":"Point","coordinates":[34,31]},"properties":{"precision_m":5,"valid_from":"2025-13-01","sources":[{"title":"S"}]}}`, "valid_from"},
		{`{"type":"Feature","geometry":{"type":"Point","coordinates":[34,31]},"properties":{"precision_m":5,"valid_from":"2025-10-10","valid_to":"2025-10-01","sources":[{"title":"S"}]}}`, "valid_to"},
		{`{"type":"Feature","properties":{"precision_m":5,"sources":[{"title":"S"}]}}`, "geometry"},
	} {
		r := e.send(t, "POST", "/collections/a/items", tc.body, map[string]string{"token": "bob", "Content-Type": json1})
		var got struct{ Code, Description, Param string }
		json.Unmarshal(r.body, &got)
		if r.status != 400 || got.Param != tc.param || got.Description == "" {
			t.Errorf("%s: %d %s, want 400 naming %s", tc.body, r.status, r.body, tc.param)
		}
	}
}
