// Package basemap holds Strata's offline basemap: compact TopoJSON files
// prepared from npm packages by web/scripts/basemap.mjs and embedded in the
// binary, so the map draws land, coastlines and borders with the network
// off. See LICENSES.md for where the data comes from and how to credit it.
package basemap

import "embed"

// FS holds the basemap files, served at /basemap/<file>:
// region.topo.json (land, coastline and borders around Gaza, from
// OpenStreetMap-derived data, ODbL) and world.topo.json (land and borders
// of the world from Natural Earth, public domain).
//
//go:embed *.topo.json
var FS embed.FS
