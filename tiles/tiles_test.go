package tiles

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"strata/geo"
)

// when parses an OGC API datetime for a test.
func when(t testing.TB, s string) geo.Interval {
	t.Helper()
	iv, err := geo.ParseDatetime(s)
	if err != nil {
		t.Fatal(err)
	}
	return iv
}

// feature returns a feature valid from from to to ("" for open).
func feature(t testing.TB, id, name string, g orb.Geometry, from, to string) *geo.Feature {
	t.Helper()
	valid, err := geo.ParseValidTime(id, from, to)
	if err != nil {
		t.Fatal(err)
	}
	f := &geo.Feature{ID: id, Name: name, Kind: "test", Geometry: g, Valid: valid, PrecisionM: 25,
		Sources: []geo.Source{{Title: "test"}}}
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	return f
}

// decode decodes a tile into its layers by name.
func decode(t testing.TB, data []byte) map[string]*mvt.Layer {
	t.Helper()
	ls, err := mvt.Unmarshal(data)
	if err != nil {
		t.Fatalf("decoding tile: %v", err)
	}
	m := map[string]*mvt.Layer{}
	for _, l := range ls {
		m[l.Name] = l
	}
	return m
}

// yellowLine is a line valid from 2025-10-10 to 2025-11-01.
var yellowLine = orb.LineString{{34.40, 31.45}, {34.43, 31.48}, {34.47, 31.53}}

func TestRenderTime(t *testing.T) {
	s := newMemStore()
	s.put(t, "lines", geo.KindLine, feature(t, "yellow", "Yellow line", yellowLine, "2025-10-10", "2025-11-01"))
	r := NewRenderer(Options{})
	ctx := context.Background()
	for _, z := range []maptile.Zoom{0, 8, 12, 16, MaxZoom} {
		tile := maptile.At(yellowLine[1], z)
		for _, tc := range []struct {
			datetime string
			want     bool
		}{
			{"2025-10-10", true},
			{"2025-10-09", false},
			{"2025-10-31T23:59:59Z", true},
			{"2025-11-01", false},
			{"2025-01-01/2025-10-09", false},
			{"2025-10-09/..", true},
			{"../2025-10-10T00:00:00Z", true},
		} {
			t.Run(fmt.Sprintf("z%d/%s", z, tc.datetime), func(t *testing.T) {
				data, err := r.Render(ctx, snapOf(t, s), tile, []string{"lines"}, when(t, tc.datetime))
				if err != nil {
					t.Fatal(err)
				}
				l := decode(t, data)["lines"]
				if !tc.want {
					if l != nil {
						t.Fatalf("tile holds %d features, want none", len(l.Features))
					}
					return
				}
				if l == nil || len(l.Features) != 1 {
					t.Fatalf("tile layers %v, want the line", decode(t, data))
				}
				f := l.Features[0]
				want := map[string]any{"id": "yellow", "name": "Yellow line", "kind": "test",
					"valid_from": "2025-10-10", "valid_to": "2025-11-01", "precision_m": 25.0}
				if fmt.Sprint(f.Properties) != fmt.Sprint(want) {
					t.Errorf("properties %v, want %v", f.Properties, want)
				}
				if got := f.Geometry.GeoJSONType(); got != "LineString" && got != "MultiLineString" {
					t.Errorf("geometry %s, want a line", got)
				}
			})
		}
	}
}

// pixel computes, independently of the encoder, the tile and the position
// in tile units of a longitude and latitude at zoom z.
func pixel(lon, lat float64, z int) (tile maptile.Tile, x, y int) {
	n := math.Exp2(float64(z))
	fx := (lon + 180) / 360 * n
	r := lat * math.Pi / 180
	fy := (1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n
	tile = maptile.New(uint32(fx), uint32(fy), maptile.Zoom(z))
	return tile, int(math.Floor((fx - math.Floor(fx)) * Extent)), int(math.Floor((fy - math.Floor(fy)) * Extent))
}

func TestPointPosition(t *testing.T) {
	s := newMemStore()
	pts := []orb.Point{{34.4567, 31.5123}, {-73.985428, 40.748817}, {151.2153, -33.8568}, {0.0001, 0.0001}, {-179.99, 84.9}}
	var fs []*geo.Feature
	for i, p := range pts {
		fs = append(fs, feature(t, "p"+strconv.Itoa(i), "", p, "2024-01-01", ""))
	}
	s.put(t, "points", geo.KindPoint, fs...)
	r := NewRenderer(Options{})
	for i, p := range pts {
		for _, z := range []int{0, 3, 9, 14, 18, MaxZoom} {
			t.Run(fmt.Sprintf("%v/z%d", p, z), func(t *testing.T) {
				tile, x, y := pixel(p[0], p[1], z)
				// maptile.Fraction agrees to within rounding.
				if f := maptile.Fraction(p, maptile.Zoom(z)); math.Abs(f[0]-float64(tile.X)-float64(x)/Extent) > 1.0/Extent ||
					math.Abs(f[1]-float64(tile.Y)-float64(y)/Extent) > 1.0/Extent {
					t.Fatalf("test projection %v %d,%d disagrees with maptile.Fraction %v", tile, x, y, f)
				}
				data, err := r.Render(context.Background(), snapOf(t, s), tile, []string{"points"}, when(t, "2025-01-01"))
				if err != nil {
					t.Fatal(err)
				}
				var found bool
				for _, f := range decode(t, data)["points"].Features {
					if f.Properties["id"] != "p"+strconv.Itoa(i) {
						continue
					}
					found = true
					want := orb.Point{float64(x), float64(y)}
					if f.Geometry != want {
						t.Errorf("point at %v, want %v", f.Geometry, want)
					}
					if _, ok := f.Properties["valid_to"]; ok {
						t.Errorf("open valid_to is present: %v", f.Properties)
					}
				}
				if !found {
					t.Errorf("point missing from tile %v", tile)
				}
			})
		}
	}
}

func TestPointBuffer(t *testing.T) {
	// A point 10 units beyond a tile's right edge is in the tile's buffer
	// and in its neighbour, 70 units beyond it in neither buffer.
	tile := maptile.New(1000, 700, 11)
	lonOf := func(units float64) float64 { return (float64(tile.X+1)+units/Extent)/2048*360 - 180 }
	lat := tile.Center()[1]
	s := newMemStore()
	s.put(t, "points", geo.KindPoint,
		feature(t, "near", "", orb.Point{lonOf(10.5), lat}, "", "2030-01-01"),
		feature(t, "far", "", orb.Point{lonOf(70.5), lat}, "", "2030-01-01"))
	r := NewRenderer(Options{})
	data, err := r.Render(context.Background(), snapOf(t, s), tile, []string{"points"}, geo.Always)
	if err != nil {
		t.Fatal(err)
	}
	fs := decode(t, data)["points"].Features
	if len(fs) != 1 || fs[0].Properties["id"] != "near" || fs[0].Geometry.(orb.Point)[0] != Extent+10 {
		t.Fatalf("features %v, want only near at x=%d", fs, Extent+10)
	}
}

// ringArea is the surveyor's formula, as the MVT specification states it.
func ringArea(r orb.Ring) float64 {
	s := 0.0
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s / 2
}

func TestPolygons(t *testing.T) {
	tile := maptile.New(9734, 6672, 14)
	c := tile.Center()
	d := 0.01 // larger than the tile (about 0.022° wide)
	ring := func(w float64, clockwise bool) orb.Ring {
		r := orb.Ring{{c[0] - w, c[1] - w}, {c[0] + w, c[1] - w}, {c[0] + w, c[1] + w}, {c[0] - w, c[1] + w}, {c[0] - w, c[1] - w}}
		if clockwise {
			r.Reverse()
		}
		return r
	}
	tiny := orb.Ring{{c[0], c[1]}, {c[0] + 1e-7, c[1]}, {c[0], c[1] + 1e-7}, {c[0], c[1]}}
	tests := []struct {
		name  string
		geom  orb.Geometry
		rings int // rings of the drawn polygon; 0 for none
	}{
		{"RFC 7946 winding with hole", orb.Polygon{ring(0.002, false), ring(0.001, true)}, 2},
		{"reversed winding with hole", orb.Polygon{ring(0.002, true), ring(0.001, false)}, 2},
		{"covers the tile", orb.Polygon{ring(d, false)}, 1},
		{"collapsed hole", orb.Polygon{ring(0.002, false), tiny}, 1},
		{"collapsed polygon", orb.Polygon{tiny}, 0},
		{"multipolygon with a collapsed part", orb.MultiPolygon{{ring(0.002, true)}, {tiny}}, 1},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newMemStore()
			s.put(t, "areas", geo.KindPolygon, feature(t, "a"+strconv.Itoa(i), "", tc.geom, "", ""))
			data, err := NewRenderer(Options{}).Render(context.Background(), snapOf(t, s), tile, []string{"areas"}, geo.Always)
			if err != nil {
				t.Fatal(err)
			}
			l := decode(t, data)["areas"]
			if tc.rings == 0 {
				if l != nil {
					t.Fatalf("tile holds %v, want nothing", l.Features[0].Geometry)
				}
				return
			}
			if l == nil || len(l.Features) != 1 {
				t.Fatal("polygon missing")
			}
			p, ok := l.Features[0].Geometry.(orb.Polygon)
			if !ok || len(p) != tc.rings {
				t.Fatalf("geometry %#v, want a polygon of %d rings", l.Features[0].Geometry, tc.rings)
			}
			for j, r := range p {
				if a := ringArea(r); (j == 0) != (a > 0) {
					t.Errorf("ring %d has area %g: exterior rings must be positive, holes negative", j, a)
				}
				for _, pt := range r {
					if pt[0] < -64 || pt[0] > Extent+64 || pt[1] < -64 || pt[1] > Extent+64 {
						t.Errorf("ring %d position %v is outside the buffered tile", j, pt)
					}
				}
			}
		})
	}
}

func TestLineClipping(t *testing.T) {
	tile := maptile.New(152, 104, 8)
	b := tile.Bound()
	// A zigzag across the tile, leaving and re-entering it.
	line := orb.LineString{{b.Min[0] - 1, b.Min[1] + 0.1}, {b.Center()[0], b.Center()[1]}, {b.Max[0] + 1, b.Min[1] + 0.2},
		{b.Max[0] + 1, b.Max[1] - 0.2}, {b.Center()[0], b.Max[1] - 0.3}}
	s := newMemStore()
	s.put(t, "lines", geo.KindLine, feature(t, "zig", "", line, "", ""))
	data, err := NewRenderer(Options{}).Render(context.Background(), snapOf(t, s), tile, []string{"lines"}, geo.Always)
	if err != nil {
		t.Fatal(err)
	}
	g := decode(t, data)["lines"].Features[0].Geometry
	mls, ok := g.(orb.MultiLineString)
	if !ok || len(mls) != 2 {
		t.Fatalf("geometry %v, want two parts", g)
	}
	for _, ls := range mls {
		for _, p := range ls {
			if p[0] < -64 || p[0] > Extent+64 || p[1] < -64 || p[1] > Extent+64 {
				t.Errorf("position %v is outside the buffered tile", p)
			}
		}
	}
}

// randomPoints returns n point features in the box, with the share in
// [0, 1] of them at one of a few hundred repeated positions.
func randomPoints(t testing.TB, n int, box orb.Bound) []*geo.Feature {
	rnd := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	fs := make([]*geo.Feature, n)
	for i := range fs {
		p := orb.Point{box.Min[0] + rnd.Float64()*(box.Max[0]-box.Min[0]), box.Min[1] + rnd.Float64()*(box.Max[1]-box.Min[1])}
		if i%3 == 0 { // clumps around a few centres
			c := i % 14
			p = orb.Point{box.Min[0] + float64(c)/14*(box.Max[0]-box.Min[0]) + rnd.NormFloat64()*0.01, box.Center()[1] + rnd.NormFloat64()*0.01}
		}
		from := start.AddDate(0, 0, rnd.IntN(700))
		fs[i] = &geo.Feature{
			ID: "pt" + strconv.Itoa(i), Name: "point " + strconv.Itoa(i), Kind: "event", Geometry: p,
			Valid:      geo.Interval{Start: geo.Millis(from), End: geo.Millis(from.AddDate(0, 2, 0))},
			PrecisionM: 10, Sources: []geo.Source{{Title: "test"}},
		}
	}
	return fs
}

// count returns the number of points a decoded layer stands for and the
// number of clusters in it.
func count(t testing.TB, l *mvt.Layer) (points, clusters int) {
	for _, f := range l.Features {
		if f.Properties["cluster"] == true {
			clusters++
			n, ok := f.Properties["point_count"].(float64)
			if !ok || n < 2 {
				t.Fatalf("cluster with point_count %v", f.Properties["point_count"])
			}
			if _, ok := f.Properties["id"]; ok {
				t.Fatalf("cluster of %v points has an id", n)
			}
			points += int(n)
			continue
		}
		if f.Properties["id"] == nil {
			t.Fatalf("feature without id: %v", f.Properties)
		}
		points++
	}
	return points, clusters
}

func TestThinning(t *testing.T) {
	if testing.Short() {
		t.Skip("200,000 points")
	}
	// Tile 8/152/104 holds the benchmark area; the points are all in it.
	tile := maptile.New(152, 104, 8)
	const n = 200_000
	s := newMemStore()
	s.put(t, "points", geo.KindPoint, randomPoints(t, n, orb.Bound{Min: orb.Point{33.8, 30.9}, Max: orb.Point{35.1, 31.8}})...)
	r := NewRenderer(Options{})
	const maxSize = 500 << 10
	tests := []struct {
		tile     maptile.Tile
		datetime string
	}{
		{tile, "../.."},
		{tile, "2024-06-01"},
		{tile.Parent(), "../.."},
		{maptile.New(0, 0, 0), "../.."},
		{maptile.New(1216, 835, 11), "../.."},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d/%d/%d %s", tc.tile.Z, tc.tile.X, tc.tile.Y, tc.datetime), func(t *testing.T) {
			iv := when(t, tc.datetime)
			data, err := r.Render(context.Background(), snapOf(t, s), tc.tile, []string{"points"}, iv)
			if err != nil {
				t.Fatal(err)
			}
			if len(data) > maxSize {
				t.Errorf("tile is %d bytes, want at most %d", len(data), maxSize)
			}
			// Every point the store has for the buffered tile is counted.
			box := newEncoder(tc.tile, r.opt).queryBox()
			want, err := snapOf(t, s).Search(context.Background(), geo.Filter{Layer: "points", BBox: &box, Time: iv}, func(*geo.Feature) error { return nil })
			if err != nil {
				t.Fatal(err)
			}
			l := decode(t, data)["points"]
			got, clusters := count(t, l)
			if got != want {
				t.Errorf("tile stands for %d points, want %d", got, want)
			}
			if len(l.Features) > r.opt.MaxPoints {
				t.Errorf("tile has %d features, want at most %d", len(l.Features), r.opt.MaxPoints)
			}
			t.Logf("%d points in %d features (%d clusters), %d bytes", got, len(l.Features), clusters, len(data))
		})
	}
	// The full tile is thinned; a tile of fewer points is not.
	data, err := r.Render(context.Background(), snapOf(t, s), tile, []string{"points"}, geo.Always)
	if err != nil {
		t.Fatal(err)
	}
	if _, clusters := count(t, decode(t, data)["points"]); clusters == 0 {
		t.Error("200,000 points are not thinned")
	}
	small := maptile.At(orb.Point{34.0, 31.0}, 14)
	data, err = r.Render(context.Background(), snapOf(t, s), small, []string{"points"}, geo.Always)
	if err != nil {
		t.Fatal(err)
	}
	if l := decode(t, data)["points"]; l != nil {
		if _, clusters := count(t, l); clusters != 0 {
			t.Errorf("%d points are thinned", len(l.Features))
		}
	}
}

func TestThinningDeterministic(t *testing.T) {
	tile := maptile.New(152, 104, 8)
	s := newMemStore()
	s.put(t, "points", geo.KindPoint, randomPoints(t, 20_000, orb.Bound{Min: orb.Point{33.8, 30.9}, Max: orb.Point{35.1, 31.8}})...)
	r := NewRenderer(Options{MaxPoints: 1000})
	a, err := r.Render(context.Background(), snapOf(t, s), tile, []string{"points"}, geo.Always)
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Render(context.Background(), snapOf(t, s), tile, []string{"points"}, geo.Always)
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Error("two renderings of one tile differ")
	}
	l := decode(t, a)["points"]
	if got, _ := count(t, l); got != 20_000 || len(l.Features) > 1000 {
		t.Errorf("%d points in %d features, want 20000 in at most 1000", got, len(l.Features))
	}
}

func TestLayers(t *testing.T) {
	s := newMemStore()
	p := orb.Point{34.45, 31.5}
	s.put(t, "b", geo.KindPoint, feature(t, "b1", "", p, "", ""))
	s.put(t, "a", geo.KindPoint, feature(t, "a1", "", p, "", ""))
	s.put(t, "empty", geo.KindPoint)
	r := NewRenderer(Options{})
	tile := maptile.At(p, 10)
	data, err := r.Render(context.Background(), snapOf(t, s), tile, []string{"b", "a", "b", "empty"}, geo.Always)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := mvt.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 2 || ls[0].Name != "a" || ls[1].Name != "b" {
		t.Errorf("layers %v, want a and b", ls)
	}
	if _, err := r.Render(context.Background(), snapOf(t, s), tile, []string{"a", "nope"}, geo.Always); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("unknown layer: error %v, want ErrNotFound", err)
	}
	data, err = r.Render(context.Background(), snapOf(t, s), maptile.New(0, 0, 5), []string{"a"}, geo.Always)
	if err != nil || len(data) != 0 {
		t.Errorf("empty tile: %d bytes, error %v; want 0 bytes", len(data), err)
	}
}

func TestInvalidTile(t *testing.T) {
	s := newMemStore()
	r := NewRenderer(Options{CacheBytes: 1 << 20})
	for _, tile := range []maptile.Tile{
		maptile.New(0, 0, MaxZoom+1),
		maptile.New(1, 0, 0),
		maptile.New(0, 1, 0),
		maptile.New(1<<10, 5, 10),
		maptile.New(5, 1<<10, 10),
	} {
		if _, err := r.Render(context.Background(), snapOf(t, s), tile, nil, geo.Always); !errors.Is(err, geo.ErrInvalid) {
			t.Errorf("Render(%v): error %v, want ErrInvalid", tile, err)
		}
		if _, _, _, err := tileOf(r, context.Background(), snapOf(t, s), tile, nil, geo.Always); !errors.Is(err, geo.ErrInvalid) {
			t.Errorf("Tile(%v): error %v, want ErrInvalid", tile, err)
		}
	}
}

func TestParseTile(t *testing.T) {
	tests := []struct {
		z, y, x string
		want    maptile.Tile
		param   string // the part at fault, "" for none
	}{
		{"0", "0", "0", maptile.New(0, 0, 0), ""},
		{"8", "104", "152", maptile.New(152, 104, 8), ""},
		{"22", "4194303", "4194303", maptile.New(4194303, 4194303, 22), ""},
		{"23", "0", "0", maptile.Tile{}, "tileMatrix"},
		{"-1", "0", "0", maptile.Tile{}, "tileMatrix"},
		{"", "0", "0", maptile.Tile{}, "tileMatrix"},
		{"z", "0", "0", maptile.Tile{}, "tileMatrix"},
		{"1.5", "0", "0", maptile.Tile{}, "tileMatrix"},
		{"256", "0", "0", maptile.Tile{}, "tileMatrix"},
		{"0", "1", "0", maptile.Tile{}, "tileRow"},
		{"0", "0", "1", maptile.Tile{}, "tileCol"},
		{"8", "256", "0", maptile.Tile{}, "tileRow"},
		{"8", "0", "256", maptile.Tile{}, "tileCol"},
		{"8", "-1", "0", maptile.Tile{}, "tileRow"},
		{"8", "+1", "0", maptile.Tile{}, "tileRow"},
		{"8", "0", "0x1", maptile.Tile{}, "tileCol"},
		{"8", "0", "1.mvt", maptile.Tile{}, "tileCol"},
		{"22", "4194304", "0", maptile.Tile{}, "tileRow"},
		{"22", "0", "99999999999999999999", maptile.Tile{}, "tileCol"},
	}
	for _, tc := range tests {
		t.Run(tc.z+"/"+tc.y+"/"+tc.x, func(t *testing.T) {
			got, err := ParseTile(tc.z, tc.y, tc.x)
			if tc.param == "" {
				if err != nil || got != tc.want {
					t.Fatalf("got %v, %v; want %v", got, err, tc.want)
				}
				return
			}
			var e *geo.Error
			if !errors.As(err, &e) || !errors.Is(err, geo.ErrInvalid) || e.Param != tc.param {
				t.Fatalf("error %#v, want ErrInvalid about %s", err, tc.param)
			}
		})
	}
}

func FuzzParseTile(f *testing.F) {
	for _, s := range [][3]string{{"0", "0", "0"}, {"8", "104", "152"}, {"22", "4194303", "1"}, {"23", "0", "0"}, {"3", "8", "0"}, {"", "-1", "x"}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, z, y, x string) {
		tile, err := ParseTile(z, y, x)
		if err != nil {
			if !errors.Is(err, geo.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if err := checkTile(tile); err != nil {
			t.Fatalf("ParseTile(%q, %q, %q) = %v, outside the matrix: %v", z, y, x, tile, err)
		}
		// A valid address is canonical decimal, perhaps with leading zeros.
		for _, p := range []struct {
			s string
			v uint64
		}{{z, uint64(tile.Z)}, {y, uint64(tile.Y)}, {x, uint64(tile.X)}} {
			if n, err := strconv.ParseUint(p.s, 10, 64); err != nil || n != p.v {
				t.Fatalf("%q parsed as %d", p.s, p.v)
			}
		}
	})
}

func TestCacheVersion(t *testing.T) {
	ctx := context.Background()
	s := newMemStore()
	p := orb.Point{34.45, 31.5}
	s.put(t, "points", geo.KindPoint, feature(t, "p1", "before", p, "", ""))
	r := NewRenderer(Options{CacheBytes: 1 << 20})
	tile := maptile.At(p, 12)
	iv := when(t, "2025-10-10")
	data1, etag1, _, err := tileOf(r, ctx, snapOf(t, s), tile, []string{"points"}, iv)
	if err != nil {
		t.Fatal(err)
	}
	finds := s.finds.Load()
	data2, etag2, _, err := tileOf(r, ctx, snapOf(t, s), tile, []string{"points"}, iv)
	if err != nil {
		t.Fatal(err)
	}
	if etag1 != etag2 || string(data1) != string(data2) || s.finds.Load() != finds {
		t.Errorf("second request was not served from the cache")
	}
	if st := r.CacheStats(); st.Tiles != 1 || st.Bytes <= int64(len(data1)) {
		t.Errorf("cache stats %+v after one tile", st)
	}
	// Change the feature: the store's version moves on.
	if _, err := s.Import(ctx, geo.ChangeNote{Author: "test"}, geo.Layer{ID: "points"}, geo.Replace, seqOf([]*geo.Feature{feature(t, "p1", "after", p, "", "")})); err != nil {
		t.Fatal(err)
	}
	data3, etag3, _, err := tileOf(r, ctx, snapOf(t, s), tile, []string{"points"}, iv)
	if err != nil {
		t.Fatal(err)
	}
	if etag3 == etag1 || string(data3) == string(data1) {
		t.Fatal("changed feature did not change the tile")
	}
	if name := decode(t, data3)["points"].Features[0].Properties["name"]; name != "after" {
		t.Errorf("name %v, want after", name)
	}
	if st := r.CacheStats(); st.Tiles != 1 {
		t.Errorf("cache holds %d tiles after the change, want 1", st.Tiles)
	}
	// The layer order and repeats do not matter to the cache.
	s.put(t, "more", geo.KindPoint)
	_, etag4, _, err := tileOf(r, ctx, snapOf(t, s), tile, []string{"points", "more"}, iv)
	if err != nil {
		t.Fatal(err)
	}
	finds = s.finds.Load()
	_, etag5, _, err := tileOf(r, ctx, snapOf(t, s), tile, []string{"more", "points", "more"}, iv)
	if err != nil || etag5 != etag4 || s.finds.Load() != finds {
		t.Errorf("reordered layers missed the cache: %v", err)
	}
}

func TestCacheBound(t *testing.T) {
	ctx := context.Background()
	s := newMemStore()
	s.put(t, "points", geo.KindPoint, randomPoints(t, 5000, orb.Bound{Min: orb.Point{33.8, 30.9}, Max: orb.Point{35.1, 31.8}})...)
	const budget = 64 << 10
	r := NewRenderer(Options{CacheBytes: budget})
	for _, tile := range maptile.ChildrenInZoomRange(maptile.New(152, 104, 8), 11, 11) {
		if _, _, _, err := tileOf(r, ctx, snapOf(t, s), tile, []string{"points"}, geo.Always); err != nil {
			t.Fatal(err)
		}
		if st := r.CacheStats(); st.Bytes > budget {
			t.Fatalf("cache holds %d bytes, budget %d", st.Bytes, budget)
		}
	}
	if st := r.CacheStats(); st.Tiles == 0 {
		t.Errorf("cache holds nothing")
	}
}

func TestTileOnce(t *testing.T) {
	for _, cacheBytes := range []int64{0, 1 << 20} {
		t.Run(fmt.Sprint("cache ", cacheBytes), func(t *testing.T) {
			s := newMemStore()
			p := orb.Point{34.45, 31.5}
			s.put(t, "points", geo.KindPoint, feature(t, "p1", "", p, "", ""))
			s.started = make(chan struct{}, 100)
			s.gate = make(chan struct{})
			r := NewRenderer(Options{CacheBytes: cacheBytes})
			tile := maptile.At(p, 12)
			const n = 16
			var wg sync.WaitGroup
			etags := make([]string, n)
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() {
					_, etags[i], _, errs[i] = tileOf(r, context.Background(), snapOf(t, s), tile, []string{"points"}, geo.Always)
				})
			}
			<-s.started
			// Every request has asked for the version, the step before it
			// joins the draw; give the last ones a moment to join.
			for s.versions.Load() < n {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(50 * time.Millisecond)
			close(s.gate)
			wg.Wait()
			for i := range n {
				if errs[i] != nil || etags[i] != etags[0] {
					t.Fatalf("request %d: etag %s, error %v", i, etags[i], errs[i])
				}
			}
			if got := s.finds.Load(); got != 1 {
				t.Errorf("%d concurrent requests drew the tile %d times, want once", n, got)
			}
		})
	}
}

func TestTileCanceledLeader(t *testing.T) {
	// A request whose drawing is shared with one that goes away still
	// gets its tile.
	s := newMemStore()
	p := orb.Point{34.45, 31.5}
	s.put(t, "points", geo.KindPoint, feature(t, "p1", "", p, "", ""))
	s.started = make(chan struct{}, 100)
	s.gate = make(chan struct{})
	r := NewRenderer(Options{CacheBytes: 1 << 20})
	tile := maptile.At(p, 12)
	ctx, cancel := context.WithCancel(context.Background())
	leader := make(chan error, 1)
	go func() {
		_, _, _, err := tileOf(r, ctx, snapOf(t, s), tile, []string{"points"}, geo.Always)
		leader <- err
	}()
	<-s.started
	follower := make(chan error, 1)
	go func() {
		_, _, _, err := tileOf(r, context.Background(), snapOf(t, s), tile, []string{"points"}, geo.Always)
		follower <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	close(s.gate)
	if err := <-leader; !errors.Is(err, context.Canceled) {
		t.Errorf("canceled request: error %v", err)
	}
	if err := <-follower; err != nil {
		t.Errorf("other request: error %v", err)
	}
}

// TestTilesMatchSearch checks that a tile draws the features whose
// geometry meets its buffered box, as Search finds them, and not those
// whose bounding box alone meets it: lines and polygons near, crossing
// and around tiles from zoom 11 to 15.
func TestTilesMatchSearch(t *testing.T) {
	t.Run("memory", func(t *testing.T) { checkTilesMatchSearch(t, newMemStore()) })
	t.Run("sqlite", func(t *testing.T) {
		db := openSQLite(t)
		checkTilesMatchSearch(t, db)
		// Again with the layer's index built, which flags partial
		// candidates instead of scanning.
		if err := db.WaitIndex(context.Background(), "shapes"); err != nil {
			t.Fatal(err)
		}
		checkTilesMatchSearch(t, db)
	})
}

// checkTilesMatchSearch stores the shapes in s (once) and compares tiles
// with Search.
func checkTilesMatchSearch(t *testing.T, s geo.Store) {
	around := orb.Ring{{34.1, 31.4}, {34.4, 31.4}, {34.4, 31.7}, {34.1, 31.7}, {34.1, 31.4}}
	hole := orb.Ring{{34.2, 31.5}, {34.3, 31.5}, {34.3, 31.6}, {34.2, 31.6}, {34.2, 31.5}}
	if _, err := snapOf(t, s).Layer("shapes"); err != nil {
		if _, err := s.Import(context.Background(), geo.ChangeNote{Author: "test"}, geo.Layer{ID: "shapes", Title: "shapes", Kind: geo.KindMixed}, geo.Append, seqOf([]*geo.Feature{
			feature(t, "diagonal", "", orb.LineString{{34.2, 31.6}, {34.3, 31.59}, {34.31, 31.5}}, "", ""),
			feature(t, "crossing", "", orb.LineString{{34.2, 31.55}, {34.3, 31.55}}, "", ""),
			feature(t, "long", "", orb.LineString{{34.0, 31.9}, {34.6, 31.7}, {34.5, 31.2}}, "", ""),
			feature(t, "around", "", orb.Polygon{around}, "", ""),
			feature(t, "holed", "", orb.Polygon{around, hole}, "", ""),
			feature(t, "triangle", "", orb.Polygon{{{34.0, 31.0}, {34.24, 31.0}, {34.0, 31.6}, {34.0, 31.0}}}, "", ""),
		})); err != nil {
			t.Fatal(err)
		}
	}
	snap := snapOf(t, s)
	r := NewRenderer(Options{})
	checked, partial := 0, 0
	for z := maptile.Zoom(11); z <= 15; z++ {
		for _, c := range []orb.Point{{34.24, 31.55}, {34.25, 31.56}, {34.305, 31.52}, {34.12, 31.45}} {
			tile := maptile.At(c, z)
			box := newEncoder(tile, r.opt).queryBox()
			var want []string
			if _, err := snap.Search(context.Background(), geo.Filter{Layer: "shapes", BBox: &box, Time: geo.Always}, func(f *geo.Feature) error {
				want = append(want, f.ID)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			data, err := r.Render(context.Background(), snap, tile, []string{"shapes"}, geo.Always)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			if l := decode(t, data)["shapes"]; l != nil {
				for _, f := range l.Features {
					got = append(got, f.Properties["id"].(string))
				}
			}
			slices.Sort(got)
			got = slices.Compact(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("tile %v: drawn %v, Search finds %v", tile, got, want)
			}
			checked++
			if len(want) < 6 {
				partial++
			}
		}
	}
	if partial == 0 {
		t.Errorf("no tile of %d left a feature out: the test proves nothing", checked)
	}
}

// tileOf calls r.Tile and returns a copy of what it hands over.
func tileOf(r *Renderer, ctx context.Context, snap geo.Snapshot, t maptile.Tile, layers []string, when geo.Interval) (data []byte, etag string, hit bool, err error) {
	err = r.Tile(ctx, snap, t, layers, when, func(d Drawn) error {
		data, etag, hit = slices.Clone(d.Data), d.ETag, d.Hit
		return nil
	})
	return data, etag, hit, err
}

// TestTileBuffersNotShared: with the cache off, tiles are drawn into
// reused buffers; many callers drawing different tiles at once each see
// their own tile's bytes, unchanged for as long as their callback runs.
func TestTileBuffersNotShared(t *testing.T) {
	s := newMemStore()
	var tiles []maptile.Tile
	for i := range 6 {
		p := orb.Point{34.2 + float64(i)*0.1, 31.3 + float64(i)*0.05}
		for j := range 1 + i*20 { // tiles of different sizes
			q := orb.Point{p[0] + float64(j)*1e-4, p[1]}
			s.put(t, "points", geo.KindPoint, feature(t, fmt.Sprintf("p%d-%d", i, j), fmt.Sprintf("name %d", j), q, "", ""))
		}
		tiles = append(tiles, maptile.At(p, 14))
	}
	r := NewRenderer(Options{})
	want := make([][]byte, len(tiles))
	for i, tile := range tiles {
		data, err := r.Render(context.Background(), snapOf(t, s), tile, []string{"points"}, geo.Always)
		if err != nil || len(data) == 0 {
			t.Fatalf("tile %d: %d bytes, %v", i, len(data), err)
		}
		want[i] = data
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for k := range 200 {
				i := (g + k) % len(tiles)
				err := r.Tile(context.Background(), snapOf(t, s), tiles[i], []string{"points"}, geo.Always, func(d Drawn) error {
					before := slices.Clone(d.Data)
					runtime.Gosched() // let other draws reuse buffers meanwhile
					if !bytes.Equal(before, want[i]) || !bytes.Equal(d.Data, want[i]) {
						return fmt.Errorf("tile %d changed under its caller", i)
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}
