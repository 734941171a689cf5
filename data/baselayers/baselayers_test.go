package baselayers_test

import (
	"context"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"

	"strata/data/baselayers"
	"strata/data/basemap"
	"strata/geo"
	"strata/tiles"
)

// TestOpen decodes the embedded basemap and checks places that are land
// or sea in it: wrong arc stitching or delta decoding moves or breaks
// every ring.
func TestOpen(t *testing.T) {
	s, skipped, err := baselayers.Open(basemap.FS)
	if err != nil {
		t.Fatal(err)
	}
	if skipped > 10 {
		t.Errorf("%d invalid parts skipped", skipped)
	}
	ctx := context.Background()
	snap, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ls := snap.Layers()
	want := []string{baselayers.WorldLand, baselayers.WorldBorders, baselayers.RegionSea, baselayers.RegionLand, baselayers.RegionCoast, baselayers.RegionBorders}
	if len(ls) != len(want) {
		t.Fatalf("layers = %+v", ls)
	}
	for i, l := range ls {
		if l.ID != want[i] {
			t.Errorf("layer %d = %s, want %s", i, l.ID, want[i])
		}
	}
	onLand := func(layer string, p orb.Point) bool {
		t.Helper()
		in := false
		b := geo.BBox{MinLon: p[0], MinLat: p[1], MaxLon: p[0], MaxLat: p[1]}
		_, err := snap.Search(ctx, geo.Filter{Layer: layer, BBox: &b, Time: geo.Always}, func(f *geo.Feature) error {
			if planar.PolygonContains(f.Geometry.(orb.Polygon), p) {
				in = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	cases := []struct {
		layer string
		name  string
		p     orb.Point
		land  bool
	}{
		{baselayers.RegionLand, "Gaza City", orb.Point{34.46, 31.50}, true},
		{baselayers.RegionLand, "Mediterranean off Gaza", orb.Point{34.30, 31.55}, false},
		{baselayers.RegionLand, "Cairo", orb.Point{31.24, 30.04}, true},
		{baselayers.RegionLand, "west of the clip box", orb.Point{30.0, 30.0}, false},
		{baselayers.RegionLand, "Sinai", orb.Point{33.8, 30.0}, true},
		{baselayers.RegionLand, "Gulf of Aqaba", orb.Point{34.75, 28.6}, false},
		{baselayers.WorldLand, "Paris", orb.Point{2.35, 48.86}, true},
		{baselayers.WorldLand, "mid-Atlantic", orb.Point{-35, 30}, false},
		{baselayers.WorldLand, "Sydney", orb.Point{151.0, -33.8}, true},
	}
	for _, c := range cases {
		if got := onLand(c.layer, c.p); got != c.land {
			t.Errorf("%s %v in %s: land = %v, want %v", c.name, c.p, c.layer, got, c.land)
		}
	}
	e, err := snap.Extent(ctx, baselayers.RegionCoast)
	if err != nil || e.Empty || e.BBox.Min[0] < 30.5-1e-9 || e.BBox.Max[1] > 33.6+1e-9 {
		t.Errorf("region coast extent = %+v, %v; want within the clip box", e, err)
	}
}

// TestTiles draws basemap tiles at the zooms the map uses.
func TestTiles(t *testing.T) {
	s, _, err := baselayers.Open(basemap.FS)
	if err != nil {
		t.Fatal(err)
	}
	r := tiles.NewRenderer(tiles.Options{})
	snap, err := s.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ls := snap.Layers()
	ids := make([]string, len(ls))
	for i, l := range ls {
		ids[i] = l.ID
	}
	for _, z := range []maptile.Zoom{2, 6, 10, 14} {
		tile := maptile.At(orb.Point{34.45, 31.5}, z)
		data, err := r.Render(context.Background(), snap, tile, ids, geo.Always)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) == 0 || len(data) > 512<<10 {
			t.Errorf("tile %v: %d bytes", tile, len(data))
		}
		t.Logf("tile %d/%d/%d: %d bytes", tile.Z, tile.X, tile.Y, len(data))
	}
}
