package geo

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// IntersectsGeometry reports whether g meets the box, boundaries included:
// a point inside the box or on its edge, a line that crosses, touches or
// lies inside it, a polygon that overlaps, contains or lies inside it, a
// collection any member of which does. It is the exact test behind the
// bbox filter; Intersects, on bounds, is only the first sieve.
func (b BBox) IntersectsGeometry(g orb.Geometry) bool {
	if b.CrossesAntimeridian() {
		east := orb.Bound{Min: orb.Point{b.MinLon, b.MinLat}, Max: orb.Point{180, b.MaxLat}}
		west := orb.Bound{Min: orb.Point{-180, b.MinLat}, Max: orb.Point{b.MaxLon, b.MaxLat}}
		return meets(g, east) || meets(g, west)
	}
	return meets(g, orb.Bound{Min: orb.Point{b.MinLon, b.MinLat}, Max: orb.Point{b.MaxLon, b.MaxLat}})
}

// meets reports whether g meets the closed rectangle r.
func meets(g orb.Geometry, r orb.Bound) bool {
	if g == nil || !g.Bound().Intersects(r) {
		return false
	}
	switch g := g.(type) {
	case orb.Point:
		return r.Contains(g)
	case orb.MultiPoint:
		for _, p := range g {
			if r.Contains(p) {
				return true
			}
		}
	case orb.LineString:
		return lineMeets(g, r)
	case orb.MultiLineString:
		for _, l := range g {
			if lineMeets(l, r) {
				return true
			}
		}
	case orb.Ring:
		return polygonMeets(orb.Polygon{g}, r)
	case orb.Polygon:
		return polygonMeets(g, r)
	case orb.MultiPolygon:
		for _, p := range g {
			if polygonMeets(p, r) {
				return true
			}
		}
	case orb.Collection:
		for _, c := range g {
			if meets(c, r) {
				return true
			}
		}
	case orb.Bound:
		return true // bounds that intersect meet
	}
	return false
}

// lineMeets reports whether a line (or ring, its positions in order)
// meets r.
func lineMeets(l []orb.Point, r orb.Bound) bool {
	if len(l) == 1 {
		return r.Contains(l[0])
	}
	for i := 1; i < len(l); i++ {
		if segmentMeets(l[i-1], l[i], r) {
			return true
		}
	}
	return false
}

// polygonMeets reports whether the polygon p meets r: a ring crosses or
// touches r, or r lies within p (then its corner is inside p and not in a
// hole).
func polygonMeets(p orb.Polygon, r orb.Bound) bool {
	for _, ring := range p {
		if lineMeets(ring, r) {
			return true
		}
	}
	return len(p) > 0 && planar.PolygonContains(p, r.Min)
}

// segmentMeets reports whether the closed segment ab meets r, by clipping
// the segment's parameter range to each side of r (Liang-Barsky).
func segmentMeets(a, b orb.Point, r orb.Bound) bool {
	if r.Contains(a) || r.Contains(b) {
		return true
	}
	t0, t1 := 0.0, 1.0
	// clip keeps the part of [t0, t1] where p*t <= q.
	clip := func(p, q float64) bool {
		if p == 0 {
			return q >= 0
		}
		t := q / p
		if p < 0 {
			if t > t1 {
				return false
			}
			t0 = max(t0, t)
		} else {
			if t < t0 {
				return false
			}
			t1 = min(t1, t)
		}
		return true
	}
	dx, dy := b[0]-a[0], b[1]-a[1]
	return clip(-dx, a[0]-r.Min[0]) && clip(dx, r.Max[0]-a[0]) &&
		clip(-dy, a[1]-r.Min[1]) && clip(dy, r.Max[1]-a[1])
}
