// Package basemap holds Strata's offline basemap: compact TopoJSON and
// GeoJSON files prepared from npm packages by web/scripts/basemap.mjs and
// embedded in the binary, so the map draws land, coastlines, borders and
// place names with the network off. See LICENSES.md for where the data comes from and how to credit it.
package basemap

import "embed"

// FS holds the basemap files, served at /basemap/<file>:
// region.topo.json (land, coastline and borders around Gaza, from
// OpenStreetMap-derived data, ODbL), world.topo.json (land and borders
// of the world from Natural Earth, public domain) and places.json
// (populated places around Gaza, from GeoNames, CC BY 4.0).
//
//go:embed *.topo.json places.json
var FS embed.FS
