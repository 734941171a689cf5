package api

import (
	"net/http"
	"net/url"

	"strata/geo"
	"strata/geo/geojson"
)

// OGC API – Features Part 2 (Coordinate Reference Systems by Reference):
// items and a feature in CRS84, EPSG:4326 or EPSG:3857 (crs), a bbox in
// any of them (bbox-crs), the CRS of every answer in Content-Crs.

// conformanceCRS is the Part 2 conformance class.
const conformanceCRS = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"

// parseCRSParam reads the CRS query parameter name (crs or bbox-crs):
// CRS84 when absent, a 400 naming it when it is not one Strata offers.
func parseCRSParam(v url.Values, name string) (geo.CRS, error) {
	if !v.Has(name) {
		return geo.CRS{}, nil
	}
	return geo.ParseCRS(name, v.Get(name))
}

// parseBBoxParam reads the bbox parameter in the CRS bbox-crs names.
func parseBBoxParam(v url.Values) (geo.BBox, error) {
	c, err := parseCRSParam(v, "bbox-crs")
	if err != nil {
		return geo.BBox{}, err
	}
	return geo.ParseBBoxIn(v.Get("bbox"), c)
}

// setContentCRS sets the Content-Crs header: the CRS of the geometries
// in the answer, a URI in angle brackets.
func setContentCRS(h http.Header, c geo.CRS) {
	h.Set("Content-Crs", "<"+c.URI()+">")
}

// appendFeatureIn appends f as GeoJSON with its geometry in c.
func appendFeatureIn(b []byte, f *geo.Feature, c geo.CRS) []byte {
	if c.IsCRS84() {
		return geojson.AppendFeature(b, f)
	}
	g := *f
	g.Geometry = c.Project(f.Geometry)
	return geojson.AppendFeature(b, &g)
}
