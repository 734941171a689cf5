package geo

import "github.com/paulmach/orb"

// Accepts checks that g is a geometry of the layer's kind: Point or
// MultiPoint in a point layer, LineString or MultiLineString in a line
// layer, Polygon or MultiPolygon in a polygon layer, anything in a mixed
// layer. The error wraps ErrInvalid and names the geometry type.
func (l *Layer) Accepts(g orb.Geometry) error {
	if g == nil {
		return Invalidf("geometry", "geometry is missing")
	}
	ok := true
	switch l.Kind {
	case KindPoint:
		switch g.(type) {
		case orb.Point, orb.MultiPoint:
		default:
			ok = false
		}
	case KindLine:
		switch g.(type) {
		case orb.LineString, orb.MultiLineString:
		default:
			ok = false
		}
	case KindPolygon:
		switch g.(type) {
		case orb.Polygon, orb.MultiPolygon:
		default:
			ok = false
		}
	}
	if !ok {
		return Invalidf("geometry", "a %s cannot be stored in layer %q, a layer of %ss", g.GeoJSONType(), l.ID, l.Kind)
	}
	return nil
}

// CheckImport checks a feature before it is stored in layer l: the rules
// of Feature.Validate, a valid time that ends after it starts, and a
// geometry that l accepts. The error wraps ErrInvalid and names the
// feature.
func CheckImport(l *Layer, f *Feature) error {
	err := f.Validate()
	if err == nil && f.Valid.End <= f.Valid.Start {
		err = Invalidf("valid_to", "valid_to is not after valid_from")
	}
	if err == nil {
		err = l.Accepts(f.Geometry)
	}
	if err != nil {
		return Invalidf("features", "feature %q: %v", f.ID, err)
	}
	return nil
}
