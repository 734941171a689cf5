package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/paulmach/orb/encoding/mvt"

	"strata/api"
	"strata/data/baselayers"
	"strata/data/basemap"
	"strata/data/memory"
)

// TestBasemapTiles serves the embedded basemap as vector tiles: a tile
// over Gaza holds the region's land and coast, addresses are checked,
// and the tiles can be kept.
func TestBasemapTiles(t *testing.T) {
	layers, _, err := baselayers.Open(basemap.FS)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Config{Store: memory.New(), Basemap: basemap.FS, BasemapLayers: layers}).Handler())
	defer srv.Close()

	res := do(t, http.MethodGet, srv.URL+"/basemap/tiles/10/609/417.mvt", nil)
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
		t.Fatalf("tile: %d %s %s", res.status, res.header.Get("Content-Type"), res.body)
	}
	if cc := res.header.Get("Cache-Control"); cc != "public, max-age=86400" {
		t.Errorf("Cache-Control = %q", cc)
	}
	ls, err := mvt.Unmarshal(res.body)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, l := range ls {
		got[l.Name] = len(l.Features)
	}
	for _, name := range []string{baselayers.WorldLand, baselayers.RegionSea, baselayers.RegionLand, baselayers.RegionCoast} {
		if got[name] == 0 {
			t.Errorf("tile over Gaza: layer %s has no features (layers %v)", name, got)
		}
	}
	if tag := res.header.Get("ETag"); tag == "" {
		t.Error("no ETag")
	} else if r := do(t, http.MethodGet, srv.URL+"/basemap/tiles/10/609/417.mvt", map[string]string{"If-None-Match": tag}); r.status != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", r.status)
	}
	for _, path := range []string{"/basemap/tiles/23/0/0.mvt", "/basemap/tiles/2/4/0.mvt", "/basemap/tiles/a/0/0.mvt", "/basemap/tiles/2/0/0.mvt?datetime=2025-10-10"} {
		if r := do(t, http.MethodGet, srv.URL+path, nil); r.status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", path, r.status)
		}
	}
	// The TopoJSON files are still served beside the tiles.
	if r := do(t, http.MethodGet, srv.URL+"/basemap/region.topo.json", nil); r.status != http.StatusOK {
		t.Errorf("region.topo.json: %d", r.status)
	}
}
