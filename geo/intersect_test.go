package geo

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
)

func TestIntersectsGeometry(t *testing.T) {
	box := BBox{MinLon: 34.2356, MinLat: 31.545, MaxLon: 34.2456, MaxLat: 31.556}
	// A ring around the box, whose bounds hold it.
	around := orb.Ring{{34.1, 31.4}, {34.4, 31.4}, {34.4, 31.7}, {34.1, 31.7}, {34.1, 31.4}}
	hole := orb.Ring{{34.2, 31.5}, {34.3, 31.5}, {34.3, 31.6}, {34.2, 31.6}, {34.2, 31.5}}
	tests := []struct {
		name string
		g    orb.Geometry
		want bool
	}{
		{"point inside", orb.Point{34.24, 31.55}, true},
		{"point on the edge", orb.Point{34.2356, 31.55}, true},
		{"point on a corner", orb.Point{34.2456, 31.556}, true},
		{"point outside", orb.Point{34.25, 31.55}, false},
		{"multipoint, one inside", orb.MultiPoint{{30, 30}, {34.24, 31.55}}, true},
		{"multipoint outside", orb.MultiPoint{{30, 30}, {34.3, 31.6}}, false},
		{"line crossing", orb.LineString{{34.2, 31.55}, {34.3, 31.55}}, true},
		{"line inside", orb.LineString{{34.24, 31.55}, {34.241, 31.551}}, true},
		{"line touching a corner", orb.LineString{{34.2456, 31.556}, {34.3, 31.6}}, true},
		{"line along an edge", orb.LineString{{34.2, 31.545}, {34.3, 31.545}}, true},
		// The bounds of a diagonal line hold the box; the line passes by.
		{"diagonal line past the corner", orb.LineString{{34.2, 31.6}, {34.3, 31.59}, {34.31, 31.5}}, false},
		{"line near, bounds apart", orb.LineString{{34.25, 31.55}, {34.26, 31.56}}, false},
		{"multiline, second crosses", orb.MultiLineString{{{30, 30}, {30.1, 30}}, {{34.24, 31.5}, {34.24, 31.6}}}, true},
		{"polygon containing the box", orb.Polygon{around}, true},
		{"polygon with the box in its hole", orb.Polygon{around, hole}, false},
		{"polygon inside the box", orb.Polygon{{{34.24, 31.55}, {34.241, 31.55}, {34.241, 31.551}, {34.24, 31.55}}}, true},
		{"polygon overlapping an edge", orb.Polygon{{{34.24, 31.5}, {34.3, 31.5}, {34.3, 31.6}, {34.24, 31.6}, {34.24, 31.5}}}, true},
		{"triangle near an edge", orb.Polygon{{{34.24, 31.5}, {34.3, 31.5}, {34.3, 31.55}, {34.24, 31.5}}}, false},
		{"triangle whose bounds hold the box", orb.Polygon{{{34.0, 31.0}, {34.24, 31.0}, {34.0, 31.6}, {34.0, 31.0}}}, false},
		{"multipolygon, second contains", orb.MultiPolygon{{{{30, 30}, {30.1, 30}, {30.1, 30.1}, {30, 30}}}, {around}}, true},
		{"collection, member inside", orb.Collection{orb.Point{0, 0}, orb.Point{34.24, 31.55}}, true},
		{"collection outside", orb.Collection{orb.Point{0, 0}, orb.LineString{{34.25, 31.55}, {34.26, 31.56}}}, false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := box.IntersectsGeometry(tt.g); got != tt.want {
				t.Errorf("IntersectsGeometry = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIntersectsGeometryAntimeridian(t *testing.T) {
	box := BBox{MinLon: 179, MinLat: -18, MaxLon: -179, MaxLat: -16}
	tests := []struct {
		g    orb.Geometry
		want bool
	}{
		{orb.Point{179.5, -17}, true},
		{orb.Point{-179.5, -17}, true},
		{orb.Point{0, -17}, false},
		// Crosses the whole world at -17 within the box's latitudes.
		{orb.LineString{{-170, -17}, {170, -17}}, false},
		{orb.LineString{{-179.5, -17}, {170, -17}}, true},
	}
	for _, tt := range tests {
		if got := box.IntersectsGeometry(tt.g); got != tt.want {
			t.Errorf("%v: IntersectsGeometry = %v, want %v", tt.g, got, tt.want)
		}
	}
}

// TestLinesAgainstClip compares the line test with orb's clip package on
// random segments, away from the box's edges (where clip's rounding may
// differ).
func TestLinesAgainstClip(t *testing.T) {
	rnd := rand.New(rand.NewPCG(9, 10))
	r := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}
	box := BBox{MinLon: 0, MinLat: 0, MaxLon: 1, MaxLat: 1}
	coord := func() float64 { return rnd.Float64()*4 - 1.5 }
	for range 20000 {
		l := orb.LineString{{coord(), coord()}, {coord(), coord()}, {coord(), coord()}}
		want := len(clip.LineString(r, l)) > 0
		if got := box.IntersectsGeometry(l); got != want {
			t.Fatalf("%v: IntersectsGeometry = %v, clip says %v", l, got, want)
		}
	}
}
