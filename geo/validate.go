package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// MaxCollectionDepth is how deep GeometryCollections may nest: a
// collection of collections is depth 2.
const MaxCollectionDepth = 8

// ValidateGeometry checks that g is one of the GeoJSON geometry types with
// finite coordinates within longitude [-180, 180] and latitude [-90, 90],
// no empty parts, lines of at least two positions, rings closed with at
// least four positions, and GeometryCollections nested at most
// MaxCollectionDepth deep. Self-intersection is not checked.
func ValidateGeometry(g orb.Geometry) error {
	return validateGeometry(g, 0)
}

// ValidateGeometryFor is ValidateGeometry that also checks that g fits a
// layer of the given kind: a point layer holds Points and MultiPoints, a
// line layer LineStrings and MultiLineStrings, a polygon layer Polygons
// and MultiPolygons, and a mixed layer any geometry, GeometryCollections
// included. An empty kind is taken as mixed.
func ValidateGeometryFor(kind GeometryKind, g orb.Geometry) error {
	if err := ValidateGeometry(g); err != nil {
		return err
	}
	var fits bool
	switch g.(type) {
	case orb.Point, orb.MultiPoint:
		fits = kind == KindPoint
	case orb.LineString, orb.MultiLineString:
		fits = kind == KindLine
	case orb.Polygon, orb.MultiPolygon:
		fits = kind == KindPolygon
	}
	if !fits && kind != KindMixed && kind != "" {
		return Invalidf("geometry", "a %s cannot go in a %s layer", g.GeoJSONType(), kind)
	}
	return nil
}

func validateGeometry(g orb.Geometry, depth int) error {
	switch g := g.(type) {
	case nil:
		return Invalidf("geometry", "geometry is missing")
	case orb.Point:
		return validPoint(g)
	case orb.MultiPoint:
		if len(g) == 0 {
			return Invalidf("geometry", "MultiPoint has no points")
		}
		for _, p := range g {
			if err := validPoint(p); err != nil {
				return err
			}
		}
	case orb.LineString:
		return validLine(g)
	case orb.MultiLineString:
		if len(g) == 0 {
			return Invalidf("geometry", "MultiLineString has no lines")
		}
		for _, l := range g {
			if err := validLine(l); err != nil {
				return err
			}
		}
	case orb.Polygon:
		return validPolygon(g)
	case orb.MultiPolygon:
		if len(g) == 0 {
			return Invalidf("geometry", "MultiPolygon has no polygons")
		}
		for _, p := range g {
			if err := validPolygon(p); err != nil {
				return err
			}
		}
	case orb.Collection:
		if len(g) == 0 {
			return Invalidf("geometry", "GeometryCollection has no geometries")
		}
		if depth == MaxCollectionDepth {
			return Invalidf("geometry", "GeometryCollections nest more than %d deep", MaxCollectionDepth)
		}
		for _, c := range g {
			if err := validateGeometry(c, depth+1); err != nil {
				return err
			}
		}
	default:
		return Invalidf("geometry", "geometry type %s is not supported", g.GeoJSONType())
	}
	return nil
}

func validPoint(p orb.Point) error {
	lon, lat := p[0], p[1]
	if math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0) {
		return Invalidf("geometry", "coordinate is not a finite number")
	}
	if lon < -180 || lon > 180 || lat < -90 || lat > 90 {
		return Invalidf("geometry", "position [%g, %g] is outside longitude [-180, 180] or latitude [-90, 90]", lon, lat)
	}
	return nil
}

func validLine(l orb.LineString) error {
	if len(l) < 2 {
		return Invalidf("geometry", "LineString has %d positions, needs at least 2", len(l))
	}
	for _, p := range l {
		if err := validPoint(p); err != nil {
			return err
		}
	}
	return nil
}

func validPolygon(p orb.Polygon) error {
	if len(p) == 0 {
		return Invalidf("geometry", "Polygon has no rings")
	}
	for i, r := range p {
		if len(r) < 4 {
			return Invalidf("geometry", "Polygon ring %d has %d positions, needs at least 4", i, len(r))
		}
		if r[0] != r[len(r)-1] {
			return Invalidf("geometry", "Polygon ring %d is not closed: its first and last positions differ", i)
		}
		for _, pt := range r {
			if err := validPoint(pt); err != nil {
				return err
			}
		}
	}
	return nil
}
