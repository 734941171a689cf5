package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/paulmach/orb/encoding/mvt"

	"strata/api"
	"strata/data/basemap"
	"strata/data/memory"
	"strata/data/tilefile"
	"strata/data/tilefile/tilefiletest"
)

// TestUserBasemap serves a user's PMTiles basemap: its TileJSON, its
// tiles as the file holds them, 204 for a tile it lacks within its zoom
// levels, 404 outside them and 400 for addresses that are not tiles.
func TestUserBasemap(t *testing.T) {
	a, err := tilefile.Open(tilefiletest.File(t))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	srv := httptest.NewServer(api.New(api.Config{Store: memory.New(), Basemap: basemap.FS, UserBasemap: a}).Handler())
	defer srv.Close()

	res := do(t, http.MethodGet, srv.URL+"/basemap/user.json", nil)
	if res.status != http.StatusOK {
		t.Fatalf("user.json: %d %s", res.status, res.body)
	}
	var tj struct {
		TileJSON     string            `json:"tilejson"`
		Tiles        []string          `json:"tiles"`
		MinZoom      int               `json:"minzoom"`
		MaxZoom      int               `json:"maxzoom"`
		Bounds       []float64         `json:"bounds"`
		Attribution  string            `json:"attribution"`
		VectorLayers []json.RawMessage `json:"vector_layers"`
	}
	if err := json.Unmarshal(res.body, &tj); err != nil {
		t.Fatal(err)
	}
	if tj.TileJSON != "3.0.0" || len(tj.Tiles) != 1 || tj.Tiles[0] != srv.URL+"/basemap/user/{z}/{x}/{y}.mvt" ||
		tj.MinZoom != tilefiletest.MinZoom || tj.MaxZoom != tilefiletest.MaxZoom || tj.Attribution != tilefiletest.Attribution ||
		len(tj.Bounds) != 4 || len(tj.VectorLayers) != 4 {
		t.Errorf("user.json = %s", res.body)
	}

	// Zoom 10 tile over Khan Yunis.
	res = do(t, http.MethodGet, srv.URL+"/basemap/user/10/609/418.mvt", nil)
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
		t.Fatalf("tile: %d %s %s", res.status, res.header.Get("Content-Type"), res.body)
	}
	ls, err := mvt.Unmarshal(res.body)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, l := range ls {
		names[l.Name] = true
		if l.Name == "roads" && l.Features[0].Properties["name"] != tilefiletest.RoadName {
			t.Errorf("road = %v", l.Features[0].Properties)
		}
	}
	if !names["earth"] || !names["roads"] {
		t.Errorf("tile layers %v", names)
	}
	if tag := res.header.Get("ETag"); tag == "" {
		t.Error("no ETag")
	} else if r := do(t, http.MethodGet, srv.URL+"/basemap/user/10/609/418.mvt", map[string]string{"If-None-Match": tag}); r.status != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", r.status)
	}

	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/basemap/user/10/0/0.mvt", http.StatusNoContent},      // outside the file's bounds
		{"/basemap/user/4/9/6.mvt", http.StatusNotFound},        // below its zoom levels
		{"/basemap/user/14/9754/6688.mvt", http.StatusNotFound}, // above them
		{"/basemap/user/23/0/0.mvt", http.StatusBadRequest},
		{"/basemap/user/2/4/0.mvt", http.StatusBadRequest},
		{"/basemap/user/2/0/4.mvt", http.StatusBadRequest},
		{"/basemap/user/a/0/0.mvt", http.StatusBadRequest},
		{"/basemap/user/-1/0/0.mvt", http.StatusBadRequest},
		{"/basemap/user/10/609/418.mvt?datetime=2025-10-10", http.StatusBadRequest},
		{"/basemap/user/10/609/418.png", http.StatusNotFound},
	} {
		if r := do(t, http.MethodGet, srv.URL+tc.path, nil); r.status != tc.status {
			t.Errorf("%s: %d, want %d (%s)", tc.path, r.status, tc.status, r.body)
		}
	}
}

// TestNoUserBasemap: without -basemap, user.json is empty (204) and there
// are no tiles, so the front end draws only the built-in basemap.
func TestNoUserBasemap(t *testing.T) {
	srv := httptest.NewServer(api.New(api.Config{Store: memory.New(), Basemap: basemap.FS}).Handler())
	defer srv.Close()
	if r := do(t, http.MethodGet, srv.URL+"/basemap/user.json", nil); r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Errorf("user.json: %d %q, want 204", r.status, r.body)
	}
	if r := do(t, http.MethodGet, srv.URL+"/basemap/user/10/609/418.mvt", nil); r.status != http.StatusNotFound {
		t.Errorf("tile: %d, want 404", r.status)
	}
}
