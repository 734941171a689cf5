package tiles

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"strata/geo"
)

func TestWebMercatorQuad(t *testing.T) {
	tms := WebMercatorQuad()
	if len(tms.TileMatrices) != MaxZoom-MinZoom+1 {
		t.Fatalf("%d tile matrices, want %d", len(tms.TileMatrices), MaxZoom-MinZoom+1)
	}
	// Values of the OGC definition (OGC 17-083r4, annex D.1).
	tests := []struct {
		z           int
		scale, cell float64
		n           int
	}{
		{0, 559082264.028717, 156543.033928041, 1},
		{1, 279541132.014358, 78271.5169640204, 2},
		{8, 2183915.09386217, 611.496226281410, 256},
		{14, 34123.6733415964, 9.55462853564703, 16384},
		{22, 133.295598990611, 0.0373227677173712, 4194304},
	}
	for _, tc := range tests {
		m := tms.TileMatrices[tc.z]
		if m.ID != strconv.Itoa(tc.z) {
			t.Errorf("matrix %d has id %q", tc.z, m.ID)
		}
		if math.Abs(m.ScaleDenominator/tc.scale-1) > 1e-12 || math.Abs(m.CellSize/tc.cell-1) > 1e-12 {
			t.Errorf("matrix %d: scale %v cell %v, want %v and %v", tc.z, m.ScaleDenominator, m.CellSize, tc.scale, tc.cell)
		}
		if m.MatrixWidth != tc.n || m.MatrixHeight != tc.n || m.TileWidth != 256 || m.CornerOfOrigin != "topLeft" {
			t.Errorf("matrix %d: %+v", tc.z, m)
		}
		if math.Abs(m.PointOfOrigin[0]+20037508.3427892) > 1e-6 || math.Abs(m.PointOfOrigin[1]-20037508.3427892) > 1e-6 {
			t.Errorf("matrix %d: origin %v", tc.z, m.PointOfOrigin)
		}
	}
	b, err := json.Marshal(tms)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"id":"WebMercatorQuad"`, `"crs":"http://www.opengis.net/def/crs/EPSG/0/3857"`, `"orderedAxes":["X","Y"]`, `"tileMatrices":[{"id":"0",`} {
		if !strings.Contains(string(b), s) {
			t.Errorf("document lacks %s", s)
		}
	}
}

var docLayers = []geo.Layer{
	{ID: "points", Title: "Events", Description: "Dated events", Kind: geo.KindPoint, Attribution: "Us"},
	{ID: "lines", Title: "Front lines", Kind: geo.KindLine, Attribution: "Them"},
	{ID: "mixed", Title: "Mixed", Kind: geo.KindMixed, Attribution: "Us"},
}

var docExtents = map[string]geo.Extent{
	"points": {BBox: orb.Bound{Min: orb.Point{33.5, 30.9}, Max: orb.Point{35, 31.8}}},
	"lines":  {BBox: orb.Bound{Min: orb.Point{34, 31}, Max: orb.Point{35.5, 32}}},
	"mixed":  {Empty: true},
}

func TestTileJSON(t *testing.T) {
	doc := NewTileJSON("https://example.org/tiles/xyz/{z}/{x}/{y}?datetime=2025-10-10", docLayers, docExtents)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got["tilejson"] != "3.0.0" || got["scheme"] != "xyz" || got["minzoom"] != 0.0 || got["maxzoom"] != 22.0 {
		t.Errorf("header: %s", b)
	}
	if tiles := got["tiles"].([]any); len(tiles) != 1 || tiles[0] != "https://example.org/tiles/xyz/{z}/{x}/{y}?datetime=2025-10-10" {
		t.Errorf("tiles %v", tiles)
	}
	if got["attribution"] != "Us; Them" {
		t.Errorf("attribution %v", got["attribution"])
	}
	if want := []any{33.5, 30.9, 35.5, 32.0}; !equalJSON(got["bounds"], want) {
		t.Errorf("bounds %v, want %v", got["bounds"], want)
	}
	vl := got["vector_layers"].([]any)
	if len(vl) != 3 {
		t.Fatalf("vector_layers %v", vl)
	}
	l := vl[0].(map[string]any)
	if l["id"] != "points" || l["description"] != "Events" {
		t.Errorf("layer %v", l)
	}
	fields := l["fields"].(map[string]any)
	for name, typ := range map[string]string{"id": "String", "name": "String", "kind": "String", "valid_from": "String", "valid_to": "String", "precision_m": "Number", "point_count": "Number", "cluster": "Boolean"} {
		if fields[name] != typ {
			t.Errorf("field %s is %v, want %s", name, fields[name], typ)
		}
	}
	// Without extents the bounds are the world.
	if doc := NewTileJSON("x/{z}/{x}/{y}", docLayers[:1], nil); doc.Bounds != [4]float64{-180, -geo.MaxMercatorLat, 180, geo.MaxMercatorLat} {
		t.Errorf("bounds without extents %v", doc.Bounds)
	}
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func TestTileSet(t *testing.T) {
	item := Link{Href: "https://example.org/collections/points/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}", Rel: "item", Type: ContentType, Templated: true}
	ts := NewTileSet("Events", docLayers, docExtents, item)
	b, err := json.Marshal(ts)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		DataType         string `json:"dataType"`
		CRS              string `json:"crs"`
		TileMatrixSetURI string `json:"tileMatrixSetURI"`
		Links            []Link `json:"links"`
		Layers           []struct {
			ID                string         `json:"id"`
			GeometryDimension *int           `json:"geometryDimension"`
			BoundingBox       *BoundingBox   `json:"boundingBox"`
			PropertiesSchema  map[string]any `json:"propertiesSchema"`
		} `json:"layers"`
		BoundingBox BoundingBox `json:"boundingBox"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.DataType != "vector" || got.CRS != CRS || got.TileMatrixSetURI != TileMatrixSetURI || !strings.Contains(string(b), `"attribution":"Us; Them"`) {
		t.Errorf("header: %s", b)
	}
	if len(got.Links) != 2 || got.Links[0] != item || got.Links[1].Rel != RelTilingScheme {
		t.Errorf("links %+v", got.Links)
	}
	if len(got.Layers) != 3 || *got.Layers[0].GeometryDimension != 0 || *got.Layers[1].GeometryDimension != 1 || got.Layers[2].GeometryDimension != nil {
		t.Errorf("layers %s", b)
	}
	if got.Layers[2].BoundingBox != nil || got.Layers[0].BoundingBox.LowerLeft != [2]float64{33.5, 30.9} {
		t.Errorf("layer boxes %s", b)
	}
	if got.BoundingBox.UpperRight != [2]float64{35.5, 32} || got.BoundingBox.CRS != geo.CRS84 {
		t.Errorf("box %+v", got.BoundingBox)
	}
	if p := got.Layers[0].PropertiesSchema["properties"].(map[string]any)["precision_m"].(map[string]any); p["type"] != "number" {
		t.Errorf("precision_m schema %v", p)
	}
}
