package bundle

import (
	"encoding/json"
	"fmt"
	"testing"

	"strata/data/tilefile"
	"strata/data/tilefile/tilefiletest"
	"strata/geo"
)

// TestUserTiles: the file holds the user basemap's tiles around each
// step's view, at its zoom and the one below, within the file's zoom
// levels, and its TileJSON with a relative tile URL.
func TestUserTiles(t *testing.T) {
	a, err := tilefile.Open(tilefiletest.File(t))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	z10, z20 := 10.0, 20.0
	b := geo.Briefing{ID: "b", Steps: []geo.Step{
		{ID: "khan-yunis", View: geo.View{Center: &[2]float64{34.30306, 31.34444}, Zoom: &z10}},
		{ID: "too-deep", View: geo.View{Center: &[2]float64{34.45, 31.5}, Zoom: &z20}},
		{ID: "strip", View: geo.View{Bounds: &[4]float64{34.2, 31.2, 34.6, 31.6}}},
		{ID: "no-view"},
	}}
	tiles, tj, err := userTiles(a, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"10/609/418", "9/304/209", "12/2442/1669", "11/1221/834"} {
		if len(tiles[want]) == 0 {
			t.Errorf("no tile %s", want)
		}
	}
	for k := range tiles {
		var z int
		if _, err := fmt.Sscanf(k, "%d/", &z); err != nil || z < tilefiletest.MinZoom || z > tilefiletest.MaxZoom {
			t.Errorf("tile %s outside the file's zoom levels", k)
		}
	}
	if len(tiles) > 300 {
		t.Errorf("%d tiles for four views", len(tiles))
	}
	var doc struct {
		Tiles       []string `json:"tiles"`
		Attribution string   `json:"attribution"`
		MaxZoom     int      `json:"maxzoom"`
	}
	if err := json.Unmarshal(tj, &doc); err != nil || len(doc.Tiles) != 1 || doc.Tiles[0] != "basemap/user/{z}/{x}/{y}.mvt" ||
		doc.Attribution != tilefiletest.Attribution || doc.MaxZoom != tilefiletest.MaxZoom {
		t.Errorf("user.json = %s (%v)", tj, err)
	}
}
