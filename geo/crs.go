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
type CRS struct{ i uint8 }

// crsDef is a CRS's URI and its transformations from and to CRS84.
type crsDef struct {
	uri      string
	from, to orb.Projection
}

var crsDefs = [...]crsDef{
	{CRS84, nil, nil},
	{EPSG4326, swapAxes, swapAxes},
	{EPSG3857, project.WGS84.ToMercator, project.Mercator.ToWGS84},
}

// swapAxes swaps longitude and latitude.
func swapAxes(p orb.Point) orb.Point { return orb.Point{p[1], p[0]} }

// CRSList returns the URIs of the CRSs Strata serves, CRS84 first.
func CRSList() []string {
	l := make([]string, len(crsDefs))
	for i, d := range crsDefs {
		l[i] = d.uri
	}
	return l
}

// ParseCRS returns the CRS a URI names, one of CRSList. param names the
// query parameter in the error, which wraps ErrInvalid.
func ParseCRS(param, uri string) (CRS, error) {
	for i, d := range crsDefs {
		if uri == d.uri {
			return CRS{i: uint8(i)}, nil
		}
	}
	return CRS{}, Invalidf(param, "%s %q is not a CRS this server offers; use one of %s", param, short(uri), strings.Join(CRSList(), ", "))
}

// short cuts s to 100 bytes for an error message.
func short(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}

// URI is the CRS's URI.
func (c CRS) URI() string { return crsDefs[c.i].uri }

// IsCRS84 reports whether c is CRS84, the CRS features are stored in.
func (c CRS) IsCRS84() bool { return c.i == 0 }

// Project returns g, in CRS84, in c: g itself for CRS84, else a
// transformed copy (g is left as it is). EPSG:3857 clamps latitudes
// beyond ±85.0511° to the square's edge, as orb/project does.
func (c CRS) Project(g orb.Geometry) orb.Geometry {
	if g == nil || c.IsCRS84() {
		return g
	}
	return project.Geometry(orb.Clone(g), crsDefs[c.i].from)
}

// ToCRS84 transforms one position in c into CRS84.
func (c CRS) ToCRS84(p orb.Point) orb.Point {
	if c.IsCRS84() {
		return p
	}
	return crsDefs[c.i].to(p)
}
