package tiles

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"strata/geo"
	"strata/internal/workload"
)

// orbLayer collects a layer's features as orb geojson features, for
// orb's encoding/mvt: the reference the hand-written encoder (mvtWriter)
// is checked against.
type orbLayer struct{ l *mvt.Layer }

func (o *orbLayer) pointFeature(e *encoder, p *props, pts []tilePoint) {
	var g orb.Geometry = orb.Point{float64(pts[0].x), float64(pts[0].y)}
	if len(pts) > 1 {
		mp := make(orb.MultiPoint, len(pts))
		for i, q := range pts {
			mp[i] = orb.Point{float64(q.x), float64(q.y)}
		}
		g = mp
	}
	o.l.Features = append(o.l.Features, &geojson.Feature{Geometry: g, Properties: orbProperties(e, p)})
}

func (o *orbLayer) shapeFeature(e *encoder, p *props, g orb.Geometry) {
	o.l.Features = append(o.l.Features, &geojson.Feature{Geometry: g, Properties: orbProperties(e, p)})
}

func (o *orbLayer) clusterFeature(x, y int32, n int) {
	o.l.Features = append(o.l.Features, &geojson.Feature{
		Geometry:   orb.Point{float64(x), float64(y)},
		Properties: geojson.Properties{"cluster": true, "point_count": n},
	})
}

// orbProperties are the properties of a tile feature, as the package
// documentation lists them.
func orbProperties(e *encoder, p *props) geojson.Properties {
	m := geojson.Properties{"id": p.id, "precision_m": p.precision}
	if p.name != "" {
		m["name"] = p.name
	}
	if p.kind != "" {
		m["kind"] = p.kind
	}
	if !p.valid.IsOpenStart() {
		m["valid_from"] = e.bound(p.valid.Start).s
	}
	if !p.valid.IsOpenEnd() {
		m["valid_to"] = e.bound(p.valid.End).s
	}
	return m
}

// renderOrb draws a tile as render does, but encodes it with orb.
func renderOrb(r *Renderer, snap geo.Snapshot, t maptile.Tile, ids []string, iv geo.Interval) ([]byte, error) {
	ctx := context.Background()
	e := newEncoder(t, r.opt)
	box := e.queryBox()
	var layers mvt.Layers
	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	for _, id := range normLayers(ids) {
		sc.reset()
		lb := layerBuilder{e: e, ctx: ctx, scratch: sc}
		if _, err := snap.Search(ctx, geo.Filter{Layer: id, BBox: &box, Time: iv, Light: true}, lb.add); err != nil {
			return nil, err
		}
		o := &orbLayer{&mvt.Layer{Name: id, Version: 2, Extent: Extent}}
		lb.finish(o)
		if len(o.l.Features) > 0 {
			layers = append(layers, o.l)
		}
	}
	if len(layers) == 0 {
		return []byte{}, nil
	}
	return mvt.Marshal(layers)
}

// checkOrb renders a tile both ways and compares the bytes, then the
// decoded features one by one.
func checkOrb(t *testing.T, r *Renderer, snap geo.Snapshot, tile maptile.Tile, ids []string, iv geo.Interval) int {
	t.Helper()
	got, err := r.Render(context.Background(), snap, tile, ids, iv)
	if err != nil {
		t.Fatal(err)
	}
	want, err := renderOrb(r, snap, tile, ids, iv)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got, want) {
		return len(got)
	}
	t.Errorf("tile %v: %d bytes, orb writes %d", tile, len(got), len(want))
	g, w := decode(t, got), decode(t, want)
	for name, wl := range w {
		gl := g[name]
		if gl == nil || len(gl.Features) != len(wl.Features) {
			t.Fatalf("layer %s: features differ in number", name)
		}
		for i, wf := range wl.Features {
			gf := gl.Features[i]
			if !orb.Equal(gf.Geometry, wf.Geometry) || !reflect.DeepEqual(gf.Properties, wf.Properties) {
				t.Fatalf("layer %s feature %d: got %v %v, want %v %v", name, i, gf.Geometry, gf.Properties, wf.Geometry, wf.Properties)
			}
		}
	}
	return len(got)
}

// TestWriterMatchesOrb checks the hand-written MVT encoder against orb's
// on every kind of geometry, thinned and not, open and closed times.
func TestWriterMatchesOrb(t *testing.T) {
	ctx := context.Background()
	s := newMemStore()
	box := orb.Bound{Min: orb.Point{34.2, 31.2}, Max: orb.Point{34.6, 31.6}}
	pts := randomPoints(t, 3000, box)
	pts[0].Name, pts[1].Kind = "", ""
	pts[2].Valid.Start, pts[3].Valid.End = geo.OpenStart, geo.OpenEnd
	pts[4].PrecisionM = math.Copysign(0, -1)
	pts[5].Geometry = orb.MultiPoint{{34.3, 31.3}, {34.31, 31.31}, {34.31, 31.31}}
	pts[6].Name = pts[6].ID                           // one value under two keys
	pts[7].Name = geo.FormatBound(pts[7].Valid.Start) // a name that is also a date
	pts[8].Kind = geo.FormatBound(pts[9].Valid.End)   // a kind that is another's date
	shapes := []*geo.Feature{
		feature(t, "line", "Line", yellowLine, "2024-01-01", ""),
		feature(t, "mline", "", orb.MultiLineString{yellowLine, {{34.3, 31.3}, {34.5, 31.35}}}, "", "2027-01-01"),
		feature(t, "poly", "Poly", orb.Polygon{
			{{34.3, 31.3}, {34.5, 31.3}, {34.5, 31.5}, {34.3, 31.5}, {34.3, 31.3}},
			{{34.35, 31.35}, {34.35, 31.4}, {34.4, 31.4}, {34.4, 31.35}, {34.35, 31.35}},
		}, "2024-01-01", "2026-01-01"),
		feature(t, "mpoly", "MP", orb.MultiPolygon{
			{{{34.25, 31.25}, {34.28, 31.25}, {34.28, 31.28}, {34.25, 31.25}}},
			{{{34.1, 31.1}, {34.9, 31.1}, {34.9, 31.9}, {34.1, 31.1}}},
		}, "2024-01-01", "2026-01-01"),
		feature(t, "coll", "C", orb.Collection{orb.Point{34.45, 31.45}, yellowLine}, "2024-01-01", "2026-01-01"),
	}
	for _, l := range []struct {
		id string
		fs []*geo.Feature
	}{{"points", pts}, {"shapes", shapes}} {
		if _, err := s.Import(ctx, geo.ChangeNote{Author: "test"}, geo.Layer{ID: l.id, Title: l.id, Kind: geo.KindMixed}, geo.Append, seqOf(l.fs)); err != nil {
			t.Fatal(err)
		}
	}
	drawn := 0
	for _, opt := range []Options{{}, {MaxPoints: 100}, {MaxPoints: 10, Cell: 256}, {Tolerance: -1, Buffer: -1}} {
		r := NewRenderer(opt)
		for z := maptile.Zoom(6); z <= 15; z += 3 {
			for _, c := range []orb.Point{{34.4, 31.4}, {34.3, 31.3}, {34.52, 31.47}} {
				tile := maptile.At(c, z)
				for _, d := range []string{"../..", "2024-06-01", "2025-03-01/2025-04-01", "2030-01-01"} {
					t.Run(fmt.Sprintf("%+v/%d/%d/%d/%s", opt, z, tile.X, tile.Y, d), func(t *testing.T) {
						if checkOrb(t, r, snapOf(t, s), tile, []string{"shapes", "points"}, when(t, d)) > 0 {
							drawn++
						}
					})
				}
			}
		}
	}
	if drawn < 100 {
		t.Errorf("only %d tiles hold features", drawn)
	}
}

// TestWriterMatchesOrbBench compares the encoders on the benchmark tiles.
func TestWriterMatchesOrbBench(t *testing.T) {
	eachBenchTile(t, func(r *Renderer, snap geo.Snapshot, tile maptile.Tile, d string) {
		checkOrb(t, r, snap, tile, workload.Layers[:], when(t, d))
	})
}

// TestSortKeys checks sortKeys against slices.Sort on keys of ranks of
// every size, with ranks repeated or not.
func TestSortKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var tmp []uint64
	for _, tc := range []struct {
		n    int
		rank uint32 // ranks below it
	}{{0, 1}, {10, 100}, {255, 1 << 8}, {256, 1 << 8}, {300, 3}, {1000, 1 << 16}, {5000, 1 << 24}, {5000, math.MaxUint32}} {
		keys := make([]uint64, tc.n)
		for i := range keys {
			keys[i] = uint64(rng.Uint32N(tc.rank))<<32 | uint64(i)
		}
		want := slices.Clone(keys)
		slices.Sort(want)
		sortKeys(keys, &tmp)
		if !slices.Equal(keys, want) {
			t.Errorf("%d keys of ranks below %d: not sorted as slices.Sort sorts them", tc.n, tc.rank)
		}
	}
}
