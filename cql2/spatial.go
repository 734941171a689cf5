package cql2

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// The spatial functions, on planar longitude and latitude, boundaries
// included: S_INTERSECTS with a BBOX is geo.BBox.IntersectsGeometry, the
// test of the bbox parameter; other pairs are decomposed into points,
// segments and polygons.

// shapes is a geometry broken into its points, its lines (polygon rings
// included, as boundaries) and its polygons.
type shapes struct {
	points []orb.Point
	lines  [][]orb.Point
	polys  []orb.Polygon
}

func decompose(g orb.Geometry) shapes {
	var s shapes
	var walk func(g orb.Geometry)
	walk = func(g orb.Geometry) {
		switch g := g.(type) {
		case orb.Point:
			s.points = append(s.points, g)
		case orb.MultiPoint:
			s.points = append(s.points, g...)
		case orb.LineString:
			s.lines = append(s.lines, g)
		case orb.MultiLineString:
			for _, l := range g {
				s.lines = append(s.lines, l)
			}
		case orb.Ring:
			walk(orb.Polygon{g})
		case orb.Polygon:
			s.polys = append(s.polys, g)
			for _, r := range g {
				s.lines = append(s.lines, r)
			}
		case orb.MultiPolygon:
			for _, p := range g {
				walk(p)
			}
		case orb.Bound:
			walk(g.ToPolygon())
		case orb.Collection:
			for _, c := range g {
				walk(c)
			}
		}
	}
	walk(g)
	return s
}

// covers reports whether p lies on or in the shapes.
func (s *shapes) covers(p orb.Point) bool {
	for _, q := range s.points {
		if q == p {
			return true
		}
	}
	for _, l := range s.lines {
		if len(l) == 1 && l[0] == p {
			return true
		}
		for i := 1; i < len(l); i++ {
			if onSegment(l[i-1], l[i], p) {
				return true
			}
		}
	}
	for _, poly := range s.polys {
		if planar.PolygonContains(poly, p) {
			return true
		}
	}
	return false
}

// vertices returns every vertex of the shapes.
func (s *shapes) vertices() []orb.Point {
	vs := append([]orb.Point(nil), s.points...)
	for _, l := range s.lines {
		vs = append(vs, l...)
	}
	return vs
}

// intersects reports whether a and b share at least one point.
func intersects(a, b orb.Geometry) bool {
	if a == nil || b == nil || !a.Bound().Intersects(b.Bound()) {
		return false
	}
	A, B := decompose(a), decompose(b)
	for _, p := range A.vertices() {
		if B.covers(p) {
			return true
		}
	}
	for _, p := range B.vertices() {
		if A.covers(p) {
			return true
		}
	}
	for _, la := range A.lines {
		for _, lb := range B.lines {
			for i := 1; i < len(la); i++ {
				for j := 1; j < len(lb); j++ {
					if segmentsMeet(la[i-1], la[i], lb[j-1], lb[j]) {
						return true
					}
				}
			}
		}
	}
	return false
}

// within reports whether every point of a lies in b (b covers a).
func within(a, b orb.Geometry) bool {
	if a == nil || b == nil {
		return false
	}
	ab, bb := a.Bound(), b.Bound()
	if !bb.Contains(ab.Min) || !bb.Contains(ab.Max) {
		return false
	}
	A, B := decompose(a), decompose(b)
	for _, p := range A.vertices() {
		if !B.covers(p) {
			return false
		}
	}
	for _, l := range A.lines {
		for i := 1; i < len(l); i++ {
			// The middle of each segment lies in b too, and the segment
			// crosses no boundary of b.
			mid := orb.Point{(l[i-1][0] + l[i][0]) / 2, (l[i-1][1] + l[i][1]) / 2}
			if !B.covers(mid) {
				return false
			}
			for _, lb := range B.lines {
				for j := 1; j < len(lb); j++ {
					if segmentsCross(l[i-1], l[i], lb[j-1], lb[j]) {
						return false
					}
				}
			}
		}
	}
	// A hole of b inside a polygon of a.
	for _, pb := range B.polys {
		for _, hole := range pb[1:] {
			for _, pa := range A.polys {
				if len(hole) > 0 && strictlyInside(pa, hole[0]) {
					return false
				}
			}
		}
	}
	return true
}

// strictlyInside reports whether p is inside poly and not on its boundary.
func strictlyInside(poly orb.Polygon, p orb.Point) bool {
	if !planar.PolygonContains(poly, p) {
		return false
	}
	for _, r := range poly {
		for i := 1; i < len(r); i++ {
			if onSegment(r[i-1], r[i], p) {
				return false
			}
		}
	}
	return true
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// onSegment reports whether p lies on the segment ab, ends included.
func onSegment(a, b, p orb.Point) bool {
	if orient(a, b, p) != 0 {
		return false
	}
	return min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) && min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
}

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// segmentsMeet reports whether the segments ab and cd share a point.
func segmentsMeet(a, b, c, d orb.Point) bool {
	o1, o2 := sign(orient(a, b, c)), sign(orient(a, b, d))
	o3, o4 := sign(orient(c, d, a)), sign(orient(c, d, b))
	if o1 != o2 && o3 != o4 {
		return true
	}
	return onSegment(a, b, c) || onSegment(a, b, d) || onSegment(c, d, a) || onSegment(c, d, b)
}

// segmentsCross reports whether ab and cd cross at a point inside both.
func segmentsCross(a, b, c, d orb.Point) bool {
	o1, o2 := sign(orient(a, b, c)), sign(orient(a, b, d))
	o3, o4 := sign(orient(c, d, a)), sign(orient(c, d, b))
	return o1*o2 < 0 && o3*o4 < 0
}
