package geo

import (
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// CRS84 is the URI of longitude and latitude on WGS 84, in that order: the
// coordinate reference system of every geometry and BBox.
const CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

// BBox is a query rectangle in CRS84 longitude and latitude. MinLon may be
// greater than MaxLon: the box then crosses the antimeridian.
type BBox struct {
	MinLon, MinLat, MaxLon, MaxLat float64
}

// World is the box that covers every valid position.
var World = BBox{MinLon: -180, MinLat: -90, MaxLon: 180, MaxLat: 90}

// CrossesAntimeridian reports whether the box wraps across 180° longitude.
func (b BBox) CrossesAntimeridian() bool { return b.MinLon > b.MaxLon }

// Intersects reports whether the box intersects the bound r.
func (b BBox) Intersects(r orb.Bound) bool {
	if r.Min[1] > b.MaxLat || r.Max[1] < b.MinLat {
		return false
	}
	if b.CrossesAntimeridian() {
		return r.Max[0] >= b.MinLon || r.Min[0] <= b.MaxLon
	}
	return r.Min[0] <= b.MaxLon && r.Max[0] >= b.MinLon
}

// ParseBBox parses the OGC API bbox parameter: four numbers
// "minLon,minLat,maxLon,maxLat", or six with minimum and maximum
// elevations after the latitudes (elevations are accepted and ignored).
// Coordinates must be finite, longitudes within [-180, 180] and latitudes
// within [-90, 90] with the minimum latitude not above the maximum. A
// minimum longitude above the maximum is a box across the antimeridian.
// Each number is plain decimal: digits with an optional leading '-',
// fraction and exponent ("-12.5", "1e-3"); not "+1", ".5", "1_0", hex or
// "Inf", which Go's parser would take.
func ParseBBox(s string) (BBox, error) { return ParseBBoxIn(s, CRS{}) }

// ParseBBoxIn parses the bbox parameter as ParseBBox does, with its
// corners in c (the bbox-crs parameter of OGC API – Features Part 2):
// "minLat,minLon,maxLat,maxLon" in EPSG:4326, eastings and northings in
// metres in EPSG:3857. The box is returned in CRS84, its ranges checked
// there.
func ParseBBoxIn(s string, c CRS) (BBox, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return BBox{}, Invalidf("bbox", "bbox %q must have 4 or 6 comma-separated numbers, has %d", s, len(parts))
	}
	v := make([]float64, len(parts))
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if !plainNumber(p) {
			return BBox{}, Invalidf("bbox", "bbox value %d (%q) is not a decimal number such as -12.5 or 1e-3", i+1, p)
		}
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return BBox{}, Invalidf("bbox", "bbox value %d (%q) is not a finite number", i+1, p)
		}
		v[i] = f
	}
	lo, hi := orb.Point{v[0], v[1]}, orb.Point{v[2], v[3]}
	if len(v) == 6 {
		lo, hi = orb.Point{v[0], v[1]}, orb.Point{v[3], v[4]}
		if v[2] > v[5] {
			return BBox{}, Invalidf("bbox", "bbox minimum elevation %g is above the maximum %g", v[2], v[5])
		}
	}
	lo, hi = c.ToCRS84(lo), c.ToCRS84(hi)
	b := BBox{MinLon: lo[0], MinLat: lo[1], MaxLon: hi[0], MaxLat: hi[1]}
	in := ""
	if !c.IsCRS84() {
		in = " (the box in bbox-crs " + c.URI() + " transformed to longitudes and latitudes)"
	}
	switch {
	case b.MinLon < -180 || b.MinLon > 180 || b.MaxLon < -180 || b.MaxLon > 180:
		return BBox{}, Invalidf("bbox", "bbox longitudes must be within [-180, 180]%s", in)
	case b.MinLat < -90 || b.MinLat > 90 || b.MaxLat < -90 || b.MaxLat > 90:
		return BBox{}, Invalidf("bbox", "bbox latitudes must be within [-90, 90]%s", in)
	case b.MinLat > b.MaxLat:
		return BBox{}, Invalidf("bbox", "bbox minimum latitude %g is above the maximum %g%s", b.MinLat, b.MaxLat, in)
	}
	return b, nil
}

// plainNumber reports whether s is digits with an optional leading '-',
// a fraction after a '.' and an exponent: "-12.5", "3E+2".
func plainNumber(s string) bool {
	i := 0
	digits := func() bool {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	if !digits() {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(s)
}
