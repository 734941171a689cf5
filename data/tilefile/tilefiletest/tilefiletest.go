// Package tilefiletest makes small PMTiles basemaps for tests: vector
// tiles around the Gaza Strip in the Protomaps basemap schema (layers
// earth, water, roads and places, as a `pmtiles extract` of a Protomaps
// build holds them), encoded with orb's encoding/mvt and written with
// tilefile.Write.
package tilefiletest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/maptile/tilecover"

	"strata/data/tilefile"
)

// Bound is the area the test basemap covers.
var Bound = orb.Bound{Min: orb.Point{34.0, 31.0}, Max: orb.Point{34.9, 31.8}}

// MinZoom and MaxZoom are the zoom levels the test basemap holds.
const MinZoom, MaxZoom = 5, 12

// Attribution is the test basemap's credit.
const Attribution = "Test basemap © Strata tests"

// RoadName is the name of the test basemap's road.
const RoadName = "Test Coastal Road"

// features returns the test basemap's layers: land east of a straight
// "coast", sea west of it, a road along it and a place.
func features() map[string]*geojson.FeatureCollection {
	b := Bound
	coastW, coastE := orb.Point{34.2, b.Min[1]}, orb.Point{34.6, b.Max[1]}
	layer := func(g orb.Geometry, props geojson.Properties) *geojson.FeatureCollection {
		f := geojson.NewFeature(g)
		f.Properties = props
		fc := geojson.NewFeatureCollection()
		return fc.Append(f)
	}
	return map[string]*geojson.FeatureCollection{
		"earth":  layer(orb.Polygon{{coastW, {b.Max[0], b.Min[1]}, b.Max, coastE, coastW}}, geojson.Properties{"kind": "earth"}),
		"water":  layer(orb.Polygon{{b.Min, coastW, coastE, {b.Min[0], b.Max[1]}, b.Min}}, geojson.Properties{"kind": "ocean"}),
		"roads":  layer(orb.LineString{{34.25, b.Min[1]}, {34.65, b.Max[1]}}, geojson.Properties{"kind": "major_road", "name": RoadName, "min_zoom": 5}),
		"places": layer(orb.Point{34.45, 31.4}, geojson.Properties{"kind": "locality", "name": "Testville", "min_zoom": 5, "population_rank": 10}),
	}
}

// Tiles returns the test basemap's tiles.
func Tiles(t testing.TB) []tilefile.Tile {
	t.Helper()
	var out []tilefile.Tile
	for z := maptile.Zoom(MinZoom); z <= MaxZoom; z++ {
		set, err := tilecover.Geometry(Bound.ToPolygon(), z)
		if err != nil {
			t.Fatal(err)
		}
		for tile := range set {
			layers := mvt.NewLayers(features())
			layers.ProjectToTile(tile)
			layers.Clip(mvt.MapboxGLDefaultExtentBound)
			layers.RemoveEmpty(0, 0)
			data, err := mvt.Marshal(layers)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, tilefile.Tile{Z: uint8(tile.Z), X: tile.X, Y: tile.Y, Data: data})
		}
	}
	return out
}

// File writes the test basemap to a PMTiles file in a temporary folder
// and returns its path.
func File(t testing.TB) string {
	t.Helper()
	var buf bytes.Buffer
	meta := map[string]any{
		"name":        "Strata test basemap",
		"attribution": Attribution,
		"vector_layers": []any{
			map[string]any{"id": "earth", "fields": map[string]any{}},
			map[string]any{"id": "water", "fields": map[string]any{}},
			map[string]any{"id": "roads", "fields": map[string]any{"name": "String"}},
			map[string]any{"id": "places", "fields": map[string]any{"name": "String"}},
		},
	}
	if err := tilefile.Write(&buf, Tiles(t), meta); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "test-basemap.pmtiles")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
