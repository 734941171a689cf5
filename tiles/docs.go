package tiles

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"strata/geo"
)

// Identifiers of the WebMercatorQuad tile matrix set and its CRS.
const (
	// TileMatrixSetID is the tile matrix set's id in OGC API - Tiles paths.
	TileMatrixSetID = "WebMercatorQuad"
	// TileMatrixSetURI is the set's registered definition.
	TileMatrixSetURI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
	// CRS is Web Mercator (EPSG:3857), the CRS of the tile matrix set.
	CRS = "http://www.opengis.net/def/crs/EPSG/0/3857"
	// RelTilingScheme is the link relation from a tileset to its tile
	// matrix set.
	RelTilingScheme = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
)

// The fields of every tile feature, and of clusters, as TileJSON types
// them ("String", "Number" or "Boolean", which GDAL reads as field types).
var fields = map[string]string{
	"id":          "String",
	"name":        "String",
	"kind":        "String",
	"valid_from":  "String",
	"valid_to":    "String",
	"precision_m": "Number",
	"cluster":     "Boolean",
	"point_count": "Number",
}

// fieldDescriptions describe the fields for the tileset's schemas.
var fieldDescriptions = map[string]string{
	"id":          "feature id, unique within the collection",
	"name":        "feature name",
	"kind":        "feature kind",
	"valid_from":  "start of the valid time (date or RFC 3339 timestamp); absent when open",
	"valid_to":    "end of the valid time, exclusive (date or RFC 3339 timestamp); absent when open",
	"precision_m": "positional precision in metres",
	"cluster":     "true for a point standing for point_count points of a thinned layer",
	"point_count": "number of points a cluster stands for",
}

// TileJSON is a TileJSON 3.0.0 document.
type TileJSON struct {
	// TileJSON is the version of the format, "3.0.0".
	TileJSON    string `json:"tilejson"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Attribution string `json:"attribution,omitempty"`
	// Scheme is "xyz": row 0 is the northernmost.
	Scheme string `json:"scheme"`
	// Tiles holds the tile URL template.
	Tiles        []string      `json:"tiles"`
	VectorLayers []VectorLayer `json:"vector_layers"`
	// MinZoom and MaxZoom are the zooms tiles are served at.
	MinZoom int `json:"minzoom"`
	MaxZoom int `json:"maxzoom"`
	// Bounds is [west, south, east, north] in longitude and latitude.
	Bounds [4]float64 `json:"bounds"`
	// Center is [longitude, latitude, zoom].
	Center [3]float64 `json:"center"`
}

// VectorLayer describes one layer of the tiles in a TileJSON document.
type VectorLayer struct {
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	MinZoom     int    `json:"minzoom"`
	MaxZoom     int    `json:"maxzoom"`
	// Fields maps each property name to its type: "String", "Number" or
	// "Boolean".
	Fields map[string]string `json:"fields"`
}

// NewTileJSON returns the TileJSON document of tiles holding the layers,
// fetched from tileURL, a URL template with {z}, {x} and {y} (XYZ order,
// row 0 at the top), such as "https://example.org/tiles/xyz/{z}/{x}/{y}".
// extents maps layer ids to their extents; the bounds are the union of
// the non-empty extents of the layers, or the world where none is known.
// Attributions of the layers are joined.
func NewTileJSON(tileURL string, layers []geo.Layer, extents map[string]geo.Extent) TileJSON {
	doc := TileJSON{
		TileJSON:     "3.0.0",
		Scheme:       "xyz",
		Tiles:        []string{tileURL},
		VectorLayers: make([]VectorLayer, 0, len(layers)),
		MinZoom:      MinZoom,
		MaxZoom:      MaxZoom,
	}
	if len(layers) == 1 {
		doc.Name, doc.Description = layers[0].Title, layers[0].Description
	}
	for _, l := range layers {
		doc.VectorLayers = append(doc.VectorLayers, VectorLayer{
			ID: l.ID, Description: l.Title, MinZoom: MinZoom, MaxZoom: MaxZoom, Fields: maps.Clone(fields),
		})
	}
	doc.Attribution = attribution(layers)
	w, s, e, n := bounds(layers, extents)
	doc.Bounds = [4]float64{w, s, e, n}
	doc.Center = [3]float64{(w + e) / 2, (s + n) / 2, float64(fitZoom(w, s, e, n))}
	return doc
}

// attribution joins the layers' distinct attributions.
func attribution(layers []geo.Layer) string {
	var out []string
	for _, l := range layers {
		if l.Attribution != "" && !slices.Contains(out, l.Attribution) {
			out = append(out, l.Attribution)
		}
	}
	return strings.Join(out, "; ")
}

// bounds returns the union of the layers' extents, clamped to Web
// Mercator's latitudes, or the world.
func bounds(layers []geo.Layer, extents map[string]geo.Extent) (w, s, e, n float64) {
	w, s, e, n = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, l := range layers {
		x, ok := extents[l.ID]
		if !ok || x.Empty {
			continue
		}
		w, s = min(w, x.BBox.Min[0]), min(s, x.BBox.Min[1])
		e, n = max(e, x.BBox.Max[0]), max(n, x.BBox.Max[1])
	}
	if w > e || s > n {
		return -180, -geo.MaxMercatorLat, 180, geo.MaxMercatorLat
	}
	return w, max(s, -geo.MaxMercatorLat), e, min(n, geo.MaxMercatorLat)
}

// fitZoom returns the largest zoom, up to 14, at which the box fits in
// about one tile's width.
func fitZoom(w, s, e, n float64) int {
	span := max(e-w, (n-s)*1.5)
	if span <= 0 {
		return 14
	}
	return min(14, max(MinZoom, int(math.Floor(math.Log2(360/span)))))
}

// TileMatrixSet is a tile matrix set definition in the JSON encoding of
// the OGC Two Dimensional Tile Matrix Set standard (2.0).
type TileMatrixSet struct {
	// ID is the set's id in URLs; URI its registered definition.
	ID    string `json:"id"`
	Title string `json:"title"`
	URI   string `json:"uri"`
	// CRS is the CRS of the tiles, OrderedAxes its axes in order.
	CRS         string   `json:"crs"`
	OrderedAxes []string `json:"orderedAxes"`
	// WellKnownScaleSet names the scales the set follows.
	WellKnownScaleSet string `json:"wellKnownScaleSet"`
	// TileMatrices holds the zoom levels, from the coarsest.
	TileMatrices []TileMatrix `json:"tileMatrices"`

	// Identifier, SupportedCRS and BoundingBox repeat the set's id, CRS
	// and extent under their names in the first version of the standard
	// (OGC 17-083r2), which GDAL before 3.7 reads; without them it cannot
	// open the tiles.
	Identifier   string         `json:"identifier"`
	SupportedCRS string         `json:"supportedCRS"`
	BoundingBox  TMSBoundingBox `json:"boundingBox"`
}

// TMSBoundingBox is a tile matrix set's extent in its CRS.
type TMSBoundingBox struct {
	CRS         string     `json:"crs"`
	LowerCorner [2]float64 `json:"lowerCorner"`
	UpperCorner [2]float64 `json:"upperCorner"`
}

// TileMatrix is one zoom level of a TileMatrixSet.
type TileMatrix struct {
	// ID is the zoom as text.
	ID string `json:"id"`
	// ScaleDenominator is the scale at the standard 0.28 mm pixel;
	// CellSize the width of a pixel in metres at the equator.
	ScaleDenominator float64 `json:"scaleDenominator"`
	CellSize         float64 `json:"cellSize"`
	// CornerOfOrigin is "topLeft": PointOfOrigin is the top left corner
	// of tile (0, 0) in CRS units.
	CornerOfOrigin string     `json:"cornerOfOrigin"`
	PointOfOrigin  [2]float64 `json:"pointOfOrigin"`
	// TileWidth and TileHeight are in pixels; MatrixWidth and
	// MatrixHeight count the columns and rows of tiles.
	TileWidth    int `json:"tileWidth"`
	TileHeight   int `json:"tileHeight"`
	MatrixWidth  int `json:"matrixWidth"`
	MatrixHeight int `json:"matrixHeight"`

	// Identifier and TopLeftCorner repeat ID and PointOfOrigin under
	// their names in OGC 17-083r2, for older readers (GDAL before 3.7).
	Identifier    string     `json:"identifier"`
	TopLeftCorner [2]float64 `json:"topLeftCorner"`
}

// WebMercatorQuad returns the standard definition of the WebMercatorQuad
// tile matrix set for zooms MinZoom to MaxZoom: 256-pixel tiles on EPSG:3857
// with the origin at the top left and one tile at zoom 0.
func WebMercatorQuad() TileMatrixSet {
	const (
		radius = 6378137.0
		// pixel is the standard rendering pixel size in metres, which
		// relates cell sizes to scale denominators.
		pixel = 0.00028
	)
	origin := math.Pi * radius
	tms := TileMatrixSet{
		ID:                TileMatrixSetID,
		Title:             "Google Maps Compatible for the World",
		URI:               TileMatrixSetURI,
		CRS:               CRS,
		OrderedAxes:       []string{"X", "Y"},
		WellKnownScaleSet: "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
		Identifier:        TileMatrixSetID,
		SupportedCRS:      CRS,
		BoundingBox:       TMSBoundingBox{CRS: CRS, LowerCorner: [2]float64{-origin, -origin}, UpperCorner: [2]float64{origin, origin}},
	}
	for z := MinZoom; z <= MaxZoom; z++ {
		n := 1 << z
		cell := 2 * origin / 256 / float64(n)
		tms.TileMatrices = append(tms.TileMatrices, TileMatrix{
			ID:               strconv.Itoa(z),
			ScaleDenominator: cell / pixel,
			CellSize:         cell,
			CornerOfOrigin:   "topLeft",
			PointOfOrigin:    [2]float64{-origin, origin},
			TileWidth:        256,
			TileHeight:       256,
			MatrixWidth:      n,
			MatrixHeight:     n,
			Identifier:       strconv.Itoa(z),
			TopLeftCorner:    [2]float64{-origin, origin},
		})
	}
	return tms
}

// Link is a link in an OGC API document.
type Link struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
	// Type is the media type of the target.
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
	// Templated marks an Href holding {parameters}.
	Templated bool `json:"templated,omitempty"`
}

// TileSet is the OGC API - Tiles metadata of a vector tileset.
type TileSet struct {
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Attribution string `json:"attribution,omitempty"`
	// DataType is "vector".
	DataType string `json:"dataType"`
	// CRS and TileMatrixSetURI identify the tile matrix set.
	CRS              string         `json:"crs"`
	TileMatrixSetURI string         `json:"tileMatrixSetURI"`
	Links            []Link         `json:"links"`
	Layers           []TileSetLayer `json:"layers"`
	// BoundingBox is the union of the layers' extents, in CRS84.
	BoundingBox *BoundingBox `json:"boundingBox,omitempty"`
}

// BoundingBox is a two-dimensional box in an OGC API document.
type BoundingBox struct {
	LowerLeft  [2]float64 `json:"lowerLeft"`
	UpperRight [2]float64 `json:"upperRight"`
	CRS        string     `json:"crs,omitempty"`
}

// TileSetLayer describes one MVT layer of a tileset.
type TileSetLayer struct {
	// ID is the MVT layer's name, the collection id.
	ID          string `json:"id"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	// DataType is "vector".
	DataType string `json:"dataType"`
	// GeometryDimension is 0 for points, 1 for lines, 2 for polygons and
	// absent for mixed layers.
	GeometryDimension *int `json:"geometryDimension,omitempty"`
	// MinTileMatrix and MaxTileMatrix are the zooms the layer is in.
	MinTileMatrix string `json:"minTileMatrix"`
	MaxTileMatrix string `json:"maxTileMatrix"`
	// BoundingBox is the layer's extent in CRS84; nil when unknown.
	BoundingBox *BoundingBox `json:"boundingBox,omitempty"`
	// PropertiesSchema is a JSON Schema of the tile features' properties.
	PropertiesSchema map[string]any `json:"propertiesSchema"`
}

// NewTileSet returns the metadata of the WebMercatorQuad tileset of the
// layers, with extents mapping layer ids to their extents. links should
// hold at least the tile URL template (rel "item", Templated, with
// {tileMatrix}, {tileRow} and {tileCol}) and the set's definition (rel
// RelTilingScheme); a link to the set's registered definition is added.
func NewTileSet(title string, layers []geo.Layer, extents map[string]geo.Extent, links ...Link) TileSet {
	ts := TileSet{
		Title:            title,
		DataType:         "vector",
		CRS:              CRS,
		TileMatrixSetURI: TileMatrixSetURI,
		Links:            append(links[:len(links):len(links)], Link{Href: TileMatrixSetURI, Rel: RelTilingScheme, Title: "WebMercatorQuad definition"}),
		Layers:           make([]TileSetLayer, 0, len(layers)),
		Attribution:      attribution(layers),
	}
	if len(layers) == 1 {
		ts.Description = layers[0].Description
	}
	for _, l := range layers {
		tl := TileSetLayer{
			ID: l.ID, Title: l.Title, Description: l.Description, DataType: "vector",
			MinTileMatrix: strconv.Itoa(MinZoom), MaxTileMatrix: strconv.Itoa(MaxZoom),
			PropertiesSchema: propertiesSchema(),
		}
		if d, ok := map[geo.GeometryKind]int{geo.KindPoint: 0, geo.KindLine: 1, geo.KindPolygon: 2}[l.Kind]; ok {
			tl.GeometryDimension = &d
		}
		if x, ok := extents[l.ID]; ok && !x.Empty {
			tl.BoundingBox = &BoundingBox{LowerLeft: [2]float64(x.BBox.Min), UpperRight: [2]float64(x.BBox.Max), CRS: geo.CRS84}
		}
		ts.Layers = append(ts.Layers, tl)
	}
	w, s, e, n := bounds(layers, extents)
	ts.BoundingBox = &BoundingBox{LowerLeft: [2]float64{w, s}, UpperRight: [2]float64{e, n}, CRS: geo.CRS84}
	return ts
}

// propertiesSchema returns a JSON Schema of tile feature properties.
func propertiesSchema() map[string]any {
	props := make(map[string]any, len(fields))
	for name, typ := range fields {
		t := map[string]string{"String": "string", "Number": "number", "Boolean": "boolean"}[typ]
		props[name] = map[string]any{"type": t, "description": fieldDescriptions[name]}
	}
	return map[string]any{"type": "object", "properties": props}
}
