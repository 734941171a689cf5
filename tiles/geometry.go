package tiles

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
)

// shape draws a line or polygon geometry in tile units: projected,
// clipped to the buffered tile, simplified, without repeated positions or
// collapsed parts, polygons wound as MVT asks. It returns nil when nothing
// is left, or for a geometry type that is not a line or polygon.
func (e *encoder) shape(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.LineString:
		return e.lines(e.line(nil, g))
	case orb.MultiLineString:
		var out orb.MultiLineString
		for _, ls := range g {
			out = e.line(out, ls)
		}
		return e.lines(out)
	case orb.Polygon:
		if p := e.polygon(g); p != nil {
			return p
		}
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, 0, len(g))
		for _, p := range g {
			if p := e.polygon(p); p != nil {
				out = append(out, p)
			}
		}
		switch len(out) {
		case 0:
		case 1:
			return out[0]
		default:
			return out
		}
	}
	return nil
}

// lines returns the drawn parts of a line: nil, one LineString or a
// MultiLineString.
func (e *encoder) lines(mls orb.MultiLineString) orb.Geometry {
	switch len(mls) {
	case 0:
		return nil
	case 1:
		return mls[0]
	}
	return mls
}

// projectPoints returns the points projected to tile units, and whether
// they all lie within the buffered tile.
func (e *encoder) projectPoints(ps []orb.Point) ([]orb.Point, bool) {
	out := make([]orb.Point, len(ps))
	inside := true
	for i, p := range ps {
		out[i] = e.project(p)
		inside = inside && e.clip.Contains(out[i])
	}
	return out, inside
}

// line appends the drawn parts of ls to out.
func (e *encoder) line(out orb.MultiLineString, ls orb.LineString) orb.MultiLineString {
	pts, inside := e.projectPoints(ls)
	parts := orb.MultiLineString{pts}
	if !inside {
		parts = clip.LineString(e.clip, pts)
	}
	for _, part := range parts {
		part = snap(part)
		if e.simplifier != nil {
			part = e.simplifier.LineString(part)
		}
		if part = dedupe(part); len(part) >= 2 {
			out = append(out, part)
		}
	}
	return out
}

// polygon returns the drawn polygon p, or nil when its exterior ring
// collapses or lies outside the tile.
func (e *encoder) polygon(p orb.Polygon) orb.Polygon {
	if len(p) == 0 {
		return nil
	}
	out := make(orb.Polygon, 0, len(p))
	allInside := true
	for _, r := range p {
		pts, inside := e.projectPoints(r)
		allInside = allInside && inside
		out = append(out, orb.Ring(pts))
	}
	if !allInside {
		if out = clip.Polygon(e.clip, out); out == nil {
			return nil
		}
	}
	n := 0
	for i, r := range out {
		r = orb.Ring(snap(orb.LineString(r)))
		if e.simplifier != nil {
			r = e.simplifier.Ring(r)
		}
		r = orb.Ring(dedupe(orb.LineString(r)))
		if len(r) > 0 && r[0] != r[len(r)-1] {
			r = append(r, r[0])
		}
		a := area(r)
		if len(r) < 4 || a == 0 {
			if i == 0 {
				return nil
			}
			continue
		}
		// MVT: exterior rings have positive area by the surveyor's
		// formula in tile units (y down), interior rings negative.
		if (i == 0) != (a > 0) {
			slices.Reverse(r)
		}
		out[n] = r
		n++
	}
	return out[:n]
}

// area returns the signed area of a closed ring by the surveyor's formula.
func area(r orb.Ring) float64 {
	if len(r) < 4 {
		return 0
	}
	s := 0.0
	x0, y0 := r[0][0], r[0][1]
	for i := 1; i < len(r)-1; i++ {
		s += (r[i][0]-x0)*(r[i+1][1]-y0) - (r[i+1][0]-x0)*(r[i][1]-y0)
	}
	return s / 2
}

// snap rounds the positions of ls down to whole tile units, in place;
// clipping leaves fractions where lines cross the tile's edge.
func snap(ls orb.LineString) orb.LineString {
	for i, p := range ls {
		ls[i] = orb.Point{math.Floor(p[0]), math.Floor(p[1])}
	}
	return ls
}

// dedupe removes positions equal to the one before, in place.
func dedupe(ls orb.LineString) orb.LineString {
	return slices.Compact(ls)
}

// sortedUnique sorts keys and removes repeats, in place.
func sortedUnique(keys []uint64) []uint64 {
	slices.Sort(keys)
	return slices.Compact(keys)
}
