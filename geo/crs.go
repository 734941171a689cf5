package geo

import (
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"
)

// The coordinate reference systems Strata serves features in (OGC API –
// Features Part 2), by their URIs. Features are stored in CRS84.
const (
	// EPSG4326 is WGS 84 with latitude first, then longitude.
	EPSG4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
	// EPSG3857 is WGS 84 / Pseudo-Mercator, the web maps' projection,
	// in metres (easting, northing).
	EPSG3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"
)

// CRS is one of the coordinate reference systems Strata serves. The zero
// value is CRS84, the one features are stored in.
type CRS struct{ kind crsKind }

type crsKind uint8

const (
	crs84 crsKind = iota
	crs4326
	crs3857
)

var crsURIs = [...]string{crs84: CRS84, crs4326: EPSG4326, crs3857: EPSG3857}

// CRSList returns the URIs of the CRSs Strata serves, CRS84 first.
func CRSList() []string { return append([]string(nil), crsURIs[:]...) }

// ParseCRS returns the CRS a URI names, one of CRSList. param names the
// query parameter in the error, which wraps ErrInvalid.
func ParseCRS(param, uri string) (CRS, error) {
	for k, u := range crsURIs {
		if uri == u {
			return CRS{kind: crsKind(k)}, nil
		}
	}
	return CRS{}, Invalidf(param, "%s %q is not a CRS this server offers; use one of %s", param, short(uri), strings.Join(crsURIs[:], ", "))
}

// short cuts s to 100 bytes for an error message.
func short(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}

// URI is the CRS's URI.
func (c CRS) URI() string { return crsURIs[c.kind] }

// IsCRS84 reports whether c is CRS84, the CRS features are stored in.
func (c CRS) IsCRS84() bool { return c.kind == crs84 }

// Project returns g, in CRS84, in c: g itself for CRS84, else a
// transformed copy (g is left as it is). EPSG:3857 clamps latitudes
// beyond ±85.0511° to the square's edge, as orb/project does.
func (c CRS) Project(g orb.Geometry) orb.Geometry {
	if g == nil || c.kind == crs84 {
		return g
	}
	return project.Geometry(orb.Clone(g), c.fromCRS84)
}

// fromCRS84 transforms one CRS84 position into c.
func (c CRS) fromCRS84(p orb.Point) orb.Point {
	switch c.kind {
	case crs4326:
		return orb.Point{p[1], p[0]}
	case crs3857:
		return project.WGS84.ToMercator(p)
	}
	return p
}

// ToCRS84 transforms one position in c into CRS84.
func (c CRS) ToCRS84(p orb.Point) orb.Point {
	switch c.kind {
	case crs4326:
		return orb.Point{p[1], p[0]}
	case crs3857:
		return project.Mercator.ToWGS84(p)
	}
	return p
}
