// Package tiles draws Mapbox Vector Tiles (MVT 2.1) of dated features from
// a geo.Snapshot, in the OGC WebMercatorQuad tile matrix set, and keeps the
// tiles it drew in a cache bounded in bytes.
//
// # Encoding
//
// A tile (z, x, y) holds one MVT layer per requested collection, named by
// the layer id, with an extent of 4096 units. Render queries the store for
// each layer with the tile's bounds widened by a buffer (Options.Buffer,
// 64 units by default) and the request's time interval, then for every
// feature: projects it to tile units (Web Mercator, rounded down to whole
// units), clips it to the buffered tile, simplifies lines and polygons
// with Douglas-Peucker (Options.Tolerance units, not at MaxZoom), removes
// repeated positions, drops parts that collapse (a line of fewer than two
// distinct positions, a ring of fewer than three or without area) and
// orders polygon rings as MVT asks: exterior rings with positive area by
// the surveyor's formula in tile units (clockwise on screen), holes
// negative. A feature none of whose parts survive is left out: it is too
// small to see at that zoom. Geometry collections become one tile feature
// per member. Self-intersections are not repaired.
//
// Tile features carry the properties "id", "name", "kind", "valid_from"
// and "valid_to" (text as geo.FormatBound writes it; valid_to is
// exclusive; an open end is left out, as are an empty name and kind) and
// "precision_m". The numeric MVT feature id is not set: feature ids are
// text, so clients find a feature by its "id" property.
//
// # Thinning
//
// Tiles stay small at every zoom: where a layer's points in a buffered tile
// (each position of a Point or MultiPoint) number more than
// Options.MaxPoints (4096 by default), the layer's points are gathered on
// a grid of square cells aligned with the tile. The cell side is the
// smallest of Options.Cell (16 units by default), twice that, four times
// that and so on, up to the tile's extent, for which at most MaxPoints
// cells hold a point. A cell that holds one point keeps that point and its
// feature's properties. A cell with more becomes one point at the mean
// position of its members, with the properties "cluster" (true) and
// "point_count" (the number of points it stands for) and no others.
// Cells are emitted in the order in which the store first yields one of
// their points, so the output depends only on the data. No point is lost:
// the point_count of the clusters, plus one for every other point, is the
// number of points in the layer in the buffered tile. Lines and polygons
// are never thinned.
//
// # Cache
//
// Renderer.Tile serves tiles through an in-memory LRU cache bounded by
// Options.CacheBytes, keyed by the tile, the sorted layer ids and the time
// interval (and the data version, with Options.PastOnly). A new data
// version invalidates only the cached tiles of the layers it changed
// whose buffered area meets its bounding box, as Snapshot.Changes tells;
// every other tile stays, ETag and all. Concurrent requests for the same
// missing tile draw it once. A tile the cache does not keep is drawn into
// a reused buffer and handed to the caller's function, valid until that
// returns.
//
// # Documents
//
// NewTileJSON, WebMercatorQuad and NewTileSet build the TileJSON 3.0.0,
// OGC Two Dimensional Tile Matrix Set and OGC API - Tiles tileset
// documents that describe the tiles.
package tiles

import (
	"context"
	"slices"
	"strconv"

	"github.com/paulmach/orb/maptile"

	"strata/geo"
)

// The zoom levels (tile matrices) served, and the MVT extent of a tile.
const (
	MinZoom = 0
	MaxZoom = 22
	// Extent is the width and height of a tile in MVT units.
	Extent = 4096
)

// ContentType is the media type of a tile.
const ContentType = "application/vnd.mapbox-vector-tile"

// Options tune a Renderer. The zero value gives the documented defaults
// and no cache.
type Options struct {
	// Buffer is the margin, in tile units, around a tile within which
	// features are kept, so that symbols and lines meet at tile edges.
	// 0 means 64; a negative value means no buffer.
	Buffer int
	// Tolerance is the Douglas-Peucker simplification tolerance in tile
	// units, used below MaxZoom. 0 means 1; a negative value turns
	// simplification off.
	Tolerance float64
	// MaxPoints is the number of points a layer of a tile may hold before
	// its points are thinned (see the package documentation). 0 means
	// 4096.
	MaxPoints int
	// Cell is the side of the finest thinning grid cell in tile units, a
	// power of two from 1 to 4096. 0 means 16.
	Cell int
	// CacheBytes bounds the memory held by the tile cache, counting each
	// tile's bytes, key and bookkeeping; a tile larger than a quarter of
	// it is not cached. 0 disables the cache.
	CacheBytes int64
	// PastOnly says the snapshots drawn from are of past instants (asof),
	// whose data never changes: tiles are cached by data version, and
	// nothing is learned of the writes between versions.
	PastOnly bool
	// Admit, when set, is called before a tile is drawn (not for a tile
	// from the cache): it may make the draw wait, or refuse it with an
	// error, which Tile returns; release is called when the draw ends,
	// even if it panics. The server bounds concurrent queries with it.
	Admit func(ctx context.Context) (release func(), err error)
}

// withDefaults returns opt with zero fields set to their defaults.
func (opt Options) withDefaults() Options {
	switch {
	case opt.Buffer == 0:
		opt.Buffer = 64
	case opt.Buffer < 0:
		opt.Buffer = 0
	}
	switch {
	case opt.Tolerance == 0:
		opt.Tolerance = 1
	case opt.Tolerance < 0:
		opt.Tolerance = 0
	}
	if opt.MaxPoints <= 0 {
		opt.MaxPoints = 4096
	}
	if opt.Cell <= 0 || opt.Cell > Extent || opt.Cell&(opt.Cell-1) != 0 {
		opt.Cell = 16
	}
	return opt
}

// ParseTile parses a tile address in the order of OGC API - Tiles paths:
// the tile matrix (zoom) z, the row y and the column x, each a decimal
// number. The zoom must be within MinZoom..MaxZoom and the row and column
// within 0..2^z-1. Errors wrap geo.ErrInvalid and name the part at fault.
func ParseTile(z, y, x string) (maptile.Tile, error) {
	zoom, err := strconv.ParseUint(z, 10, 8)
	if err != nil || zoom > MaxZoom {
		return maptile.Tile{}, geo.Invalidf("tileMatrix", "tile matrix (zoom) %q is not a whole number from %d to %d", z, MinZoom, MaxZoom)
	}
	n := uint64(1) << zoom
	row, err := strconv.ParseUint(y, 10, 32)
	if err != nil || row >= n {
		return maptile.Tile{}, geo.Invalidf("tileRow", "tile row %q is not a whole number from 0 to %d at zoom %d", y, n-1, zoom)
	}
	col, err := strconv.ParseUint(x, 10, 32)
	if err != nil || col >= n {
		return maptile.Tile{}, geo.Invalidf("tileCol", "tile column %q is not a whole number from 0 to %d at zoom %d", x, n-1, zoom)
	}
	return maptile.New(uint32(col), uint32(row), maptile.Zoom(zoom)), nil
}

// checkTile reports whether t is an address in the tile matrix set.
func checkTile(t maptile.Tile) error {
	if t.Z > MaxZoom {
		return geo.Invalidf("tileMatrix", "tile matrix (zoom) %d is not from %d to %d", t.Z, MinZoom, MaxZoom)
	}
	n := uint64(1) << t.Z
	if uint64(t.Y) >= n {
		return geo.Invalidf("tileRow", "tile row %d is not from 0 to %d at zoom %d", t.Y, n-1, t.Z)
	}
	if uint64(t.X) >= n {
		return geo.Invalidf("tileCol", "tile column %d is not from 0 to %d at zoom %d", t.X, n-1, t.Z)
	}
	return nil
}

// Renderer draws tiles from snapshots of a store. It is safe for
// concurrent use.
type Renderer struct {
	opt   Options
	cache *cache
	calls flights
}

// NewRenderer returns a Renderer with the options opt.
func NewRenderer(opt Options) *Renderer {
	opt = opt.withDefaults()
	r := &Renderer{opt: opt}
	if opt.CacheBytes > 0 {
		r.cache = newCache(opt.CacheBytes)
	}
	return r
}

// Render draws tile t of the layers of snap, in the order of their ids and each
// once, holding the features whose valid time overlaps the closed
// interval when. It returns the MVT bytes, not compressed; a tile without
// features is empty (zero bytes). Errors: geo.ErrInvalid for an address
// outside the tile matrix set, geo.ErrNotFound for an unknown layer.
func (r *Renderer) Render(ctx context.Context, snap geo.Snapshot, t maptile.Tile, layers []string, when geo.Interval) ([]byte, error) {
	if err := checkTile(t); err != nil {
		return nil, err
	}
	data, err := r.render(ctx, snap, t, normLayers(layers), when)
	if err != nil {
		return nil, err
	}
	defer putBuf(data)
	return append([]byte{}, data...), nil
}

// normLayers returns the layer ids sorted, each once: layers itself if
// they are already, or else a sorted copy.
func normLayers(layers []string) []string {
	if slices.IsSorted(layers) && !hasRepeat(layers) {
		return layers
	}
	ids := slices.Clone(layers)
	slices.Sort(ids)
	return slices.Compact(ids)
}

// hasRepeat reports whether sorted ids hold one id twice.
func hasRepeat(ids []string) bool {
	for i := 1; i < len(ids); i++ {
		if ids[i] == ids[i-1] {
			return true
		}
	}
	return false
}
