package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"strata/api"
	"strata/data/seed"
	"strata/data/sqlite"
	"strata/geo"
)

func tileLayers(t *testing.T, r response) mvt.Layers {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("tile: status %d: %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/vnd.mapbox-vector-tile" {
		t.Fatalf("tile Content-Type %q", ct)
	}
	ls, err := mvt.Unmarshal(r.body)
	if err != nil {
		t.Fatalf("tile does not decode: %v", err)
	}
	return ls
}

func tileHas(ls mvt.Layers, layer, id string) bool {
	for _, l := range ls {
		if l.Name != layer {
			continue
		}
		for _, f := range l.Features {
			if f.Properties["id"] == id {
				return true
			}
		}
	}
	return false
}

// tileOf returns the zoom-z tile holding a feature's first position.
func tileOf(t *testing.T, base, layer, id string, z maptile.Zoom) maptile.Tile {
	var f struct {
		Geometry struct {
			Type        string
			Coordinates json.RawMessage
		}
	}
	f = decode[struct {
		Geometry struct {
			Type        string
			Coordinates json.RawMessage
		}
	}](t, get(t, base+"/collections/"+layer+"/items/"+id))
	var p orb.Point
	switch f.Geometry.Type {
	case "Point":
		json.Unmarshal(f.Geometry.Coordinates, &p)
	case "LineString":
		var ls []orb.Point
		json.Unmarshal(f.Geometry.Coordinates, &ls)
		p = ls[len(ls)/2]
	default:
		t.Fatalf("unexpected geometry %s", f.Geometry.Type)
	}
	return maptile.At(p, z)
}

func TestTilesFollowTime(t *testing.T) { forEachStore(t, testTilesFollowTime) }

func testTilesFollowTime(t *testing.T, srv *httptest.Server) {
	cases := []struct {
		layer, id, absent, present string
	}{
		{"lines", "yellow_line_2025_10_10", "2025-10-09", "2025-10-10"},
		{"facilities", "cmcc_kiryat_gat", "2025-10-16", "2025-10-17"},
	}
	for _, c := range cases {
		for _, z := range []maptile.Zoom{6, 10, 14} {
			t.Run(fmt.Sprintf("%s/z%d", c.id, z), func(t *testing.T) {
				tl := tileOf(t, srv.URL, c.layer, c.id, z)
				all := fmt.Sprintf("%s/tiles/WebMercatorQuad/%d/%d/%d?datetime=", srv.URL, tl.Z, tl.Y, tl.X)
				if tileHas(tileLayers(t, get(t, all+c.absent)), c.layer, c.id) {
					t.Errorf("%s is in the tile on %s", c.id, c.absent)
				}
				ls := tileLayers(t, get(t, all+c.present))
				if !tileHas(ls, c.layer, c.id) {
					t.Errorf("%s is not in the tile on %s", c.id, c.present)
				}
				one := fmt.Sprintf("%s/collections/%s/tiles/WebMercatorQuad/%d/%d/%d?datetime=%s", srv.URL, c.layer, tl.Z, tl.Y, tl.X, c.present)
				single := tileLayers(t, get(t, one))
				if len(single) != 1 || single[0].Name != c.layer || !tileHas(single, c.layer, c.id) {
					t.Errorf("collection tile holds %d layers", len(single))
				}
				xyz := get(t, fmt.Sprintf("%s/xyz/%d/%d/%d.mvt?datetime=%s", srv.URL, tl.Z, tl.X, tl.Y, c.present))
				if string(xyz.body) != string(get(t, all+c.present).body) {
					t.Errorf("XYZ and OGC paths give different tiles")
				}
			})
		}
	}
}

func TestTileFeatureProperties(t *testing.T) { forEachStore(t, testTileFeatureProperties) }

func testTileFeatureProperties(t *testing.T, srv *httptest.Server) {
	tl := tileOf(t, srv.URL, "facilities", "cmcc_kiryat_gat", 12)
	ls := tileLayers(t, get(t, fmt.Sprintf("%s/collections/facilities/tiles/WebMercatorQuad/%d/%d/%d", srv.URL, tl.Z, tl.Y, tl.X)))
	for _, f := range ls[0].Features {
		if f.Properties["id"] != "cmcc_kiryat_gat" {
			continue
		}
		for _, k := range []string{"name", "kind", "valid_from", "precision_m"} {
			if _, ok := f.Properties[k]; !ok {
				t.Errorf("tile feature lacks %s: %v", k, f.Properties)
			}
		}
		if f.Properties["valid_from"] != "2025-10-17" {
			t.Errorf("valid_from = %v", f.Properties["valid_from"])
		}
		return
	}
	t.Errorf("CMCC not in its tile")
}

func TestTileErrors(t *testing.T) { forEachStore(t, testTileErrors) }

func testTileErrors(t *testing.T, srv *httptest.Server) {
	cases := []struct {
		path    string
		status  int
		mention string
	}{
		{"/tiles/WebMercatorQuad/23/0/0", 400, "zoom"},
		{"/tiles/WebMercatorQuad/-1/0/0", 400, "zoom"},
		{"/tiles/WebMercatorQuad/2/4/0", 400, "row"},
		{"/tiles/WebMercatorQuad/2/0/4", 400, "column"},
		{"/tiles/WebMercatorQuad/a/0/0", 400, "zoom"},
		{"/tiles/WebMercatorQuad/1/b/0", 400, "row"},
		{"/tiles/WebMercatorQuad/1/0/0.5", 400, "column"},
		{"/tiles/WebMercatorQuad/1/0/0?datetime=soon", 400, "datetime"},
		{"/tiles/WebMercatorQuad/1/0/0?bbox=1,2,3,4", 400, "bbox"},
		{"/tiles/WebMercatorQuad/1/0/0?f=png", 400, "f"},
		{"/tiles/WorldCRS84Quad/1/0/0", 404, "WorldCRS84Quad"},
		{"/tiles/WorldCRS84Quad", 404, "WorldCRS84Quad"},
		{"/tileMatrixSets/Nope", 404, "Nope"},
		{"/collections/nope/tiles/WebMercatorQuad/1/0/0", 404, "nope"},
		{"/collections/nope/tilejson.json", 404, "nope"},
		{"/xyz/1/2/0.mvt", 400, "column"},
		{"/tilejson.json?datetime=x", 400, "datetime"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			r := get(t, srv.URL+c.path)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			e := decode[struct{ Code, Description string }](t, r)
			if !strings.Contains(e.Description, c.mention) {
				t.Errorf("%q does not name %q", e.Description, c.mention)
			}
		})
	}
}

func TestTileDocuments(t *testing.T) { forEachStore(t, testTileDocuments) }

func testTileDocuments(t *testing.T, srv *httptest.Server) {
	tj := decode[struct {
		TileJSON     string `json:"tilejson"`
		Tiles        []string
		VectorLayers []struct{ ID string } `json:"vector_layers"`
	}](t, get(t, srv.URL+"/tilejson.json?datetime=2025-10-10"))
	if tj.TileJSON != "3.0.0" || len(tj.Tiles) != 1 || !strings.Contains(tj.Tiles[0], "/xyz/{z}/{x}/{y}.mvt?datetime=2025-10-10") || len(tj.VectorLayers) < 6 {
		t.Errorf("TileJSON = %+v", tj)
	}
	set := decode[struct {
		DataType string
		Links    []api.Link
	}](t, get(t, srv.URL+"/collections/lines/tiles/WebMercatorQuad"))
	item := ""
	for _, l := range set.Links {
		if l.Rel == "item" {
			item = l.Href
		}
	}
	if set.DataType != "vector" || !strings.HasSuffix(item, "/collections/lines/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}") {
		t.Errorf("tileset: dataType %q, item %q", set.DataType, item)
	}
	tms := decode[struct {
		ID           string
		TileMatrices []struct{ ID string } `json:"tileMatrices"`
	}](t, get(t, srv.URL+"/tileMatrixSets/WebMercatorQuad"))
	if tms.ID != "WebMercatorQuad" || len(tms.TileMatrices) != 23 {
		t.Errorf("tile matrix set: id %q, %d matrices", tms.ID, len(tms.TileMatrices))
	}
	for _, p := range []string{"/tiles", "/collections/lines/tiles", "/tileMatrixSets"} {
		if r := get(t, srv.URL+p); r.status != 200 {
			t.Errorf("%s: status %d", p, r.status)
		}
	}
}

// TestTileCacheFollowsData checks that a cached tile changes when a
// feature in it changes, and that ETags work on tiles.
func TestTileCacheFollowsData(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "tiles.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := seed.Apply(ctx, db, db); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Config{Store: db, TileCacheBytes: 8 << 20}).Handler())
	defer srv.Close()
	tl := maptile.At(orb.Point{34.4, 31.45}, 12)
	url := fmt.Sprintf("%s/collections/added/tiles/WebMercatorQuad/%d/%d/%d", srv.URL, tl.Z, tl.Y, tl.X)
	put := func(name string, mode geo.ImportMode) {
		f := &geo.Feature{ID: "moving", Name: name, Geometry: orb.Point{34.4, 31.45}, Properties: json.RawMessage(`{"name":"` + name + `"}`), Valid: geo.Always, Sources: []geo.Source{{Title: "test"}}}
		seq := iter.Seq2[*geo.Feature, error](func(yield func(*geo.Feature, error) bool) { yield(f, nil) })
		if _, err := db.Import(ctx, geo.ChangeNote{Author: "test"}, geo.Layer{ID: "added", Title: "Added", Kind: geo.KindPoint}, mode, seq); err != nil {
			t.Fatal(err)
		}
	}
	name := func() any {
		ls := tileLayers(t, get(t, url))
		if len(ls) != 1 || len(ls[0].Features) != 1 {
			t.Fatalf("tile has %v", ls)
		}
		return ls[0].Features[0].Properties["name"]
	}
	put("before", geo.Append)
	first := get(t, url)
	if name() != "before" {
		t.Fatalf("first name wrong")
	}
	if r := do(t, "GET", url, map[string]string{"If-None-Match": first.header.Get("ETag")}); r.status != 304 {
		t.Errorf("tile If-None-Match: status %d", r.status)
	}
	put("after", geo.Replace)
	if got := name(); got != "after" {
		t.Errorf("cached tile did not follow the data: name %v", got)
	}
	if r := do(t, "GET", url, map[string]string{"If-None-Match": first.header.Get("ETag")}); r.status != 200 {
		t.Errorf("old ETag still matches after a change: status %d", r.status)
	}
}
