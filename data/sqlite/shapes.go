package sqlite

import (
	"context"
	"errors"
	"slices"

	"github.com/paulmach/orb"

	"strata/geo"
	"strata/internal/spacetime"
)

// shapeSet holds the light features (what a vector tile shows: id, name,
// kind, valid time, precision and geometry) of a layer of lines and
// polygons, by rank in its index, read once on first use: vector tiles of
// such a layer then read no row. Rows never change once written, so the
// set is valid for the index's generation, whenever it was read.
type shapeSet struct {
	feats []geo.Feature
}

// Bounds of the layers whose shapes are kept in memory: the number of
// features, and an estimate of their bytes (positions, strings and
// headers). Variables for tests.
var (
	maxShapeFeatures = 200_000
	maxShapeBytes    = 64 << 20
)

// Shape set states of a layerIndex.
const (
	shapesNone    = iota // not read yet
	shapesReading        // being read by a query
	shapesNever          // too large: the layer is always read from rows
)

// shapes returns the layer's shape set, reading it if no other query is,
// or nil when it is not (yet) available: the caller then reads rows.
func (s *DB) shapes(ctx context.Context, li *layerIndex, layer string) (*shapeSet, error) {
	if set := li.shapes.Load(); set != nil {
		return set, nil
	}
	if li.ix.Points() || li.ix.Len() > maxShapeFeatures || !li.shapeState.CompareAndSwap(shapesNone, shapesReading) {
		return nil, nil
	}
	set, err := s.readShapes(ctx, li, layer)
	switch {
	case err != nil:
		li.shapeState.Store(shapesNone) // the next query tries again
		return nil, err
	case set == nil:
		li.shapeState.Store(shapesNever)
	default:
		li.shapes.Store(set)
	}
	return set, nil
}

// readShapes reads the light features of li's entries by rank, checked as
// Search checks them, or returns nil if they would take more than
// maxShapeBytes.
func (s *DB) readShapes(ctx context.Context, li *layerIndex, layer string) (*shapeSet, error) {
	n := li.ix.Len()
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	sc.seqs = sc.seqs[:0]
	for r := range n {
		sc.seqs = append(sc.seqs, li.ix.Row(uint32(r)))
	}
	sc.partial = nil
	set := &shapeSet{feats: make([]geo.Feature, 0, n)}
	size := 0
	got, err := s.fetch(ctx, geo.Filter{Layer: layer, Light: true}, sc, func(f *geo.Feature) error {
		size += 160 + len(f.ID) + len(f.Name) + len(f.Kind) + 16*positions(f.Geometry)
		if size > maxShapeBytes {
			return errTooLarge
		}
		set.feats = append(set.feats, geo.Feature{
			Layer: layer, ID: f.ID, Name: f.Name, Kind: f.Kind,
			Valid: f.Valid, PrecisionM: f.PrecisionM, Geometry: f.Geometry,
		})
		return nil
	})
	switch {
	case err == errTooLarge:
		return nil, nil
	case err != nil:
		return nil, err
	case got != n:
		return nil, nil // cannot happen: fetch fails on a missing row
	}
	return set, nil
}

// errTooLarge stops reading a shape set that would be too large.
var errTooLarge = errors.New("too large to keep in memory")

// positions counts the positions of g.
func positions(g orb.Geometry) int {
	switch g := g.(type) {
	case orb.Point:
		return 1
	case orb.MultiPoint:
		return len(g)
	case orb.LineString:
		return len(g)
	case orb.Ring:
		return len(g)
	case orb.MultiLineString:
		n := 0
		for _, ls := range g {
			n += len(ls)
		}
		return n
	case orb.Polygon:
		n := 0
		for _, r := range g {
			n += len(r)
		}
		return n
	case orb.MultiPolygon:
		n := 0
		for _, p := range g {
			n += positions(p)
		}
		return n
	case orb.Collection:
		n := 0
		for _, m := range g {
			n += positions(m)
		}
		return n
	}
	return 0
}

// searchShapes answers a light Search (geo.Filter.Light; no Limit or
// Offset), such as vector tiles make of a layer of lines and polygons,
// from memory: it calls fn with the features matching f, in import order,
// as Search would, and reports true. It reports false, without calling
// fn, when it cannot answer from memory (no index yet, recent writes not
// yet in the index, or a layer too large to keep), and Search then reads
// the rows. fn must not change the feature's geometry, which is shared
// (as Search's callbacks must not change what they are given).
func (snap *snapshot) searchShapes(ctx context.Context, f geo.Filter, fn func(*geo.Feature) error) (int, bool, error) {
	if !f.Light || f.Limit > 0 || f.Offset > 0 {
		return 0, false, nil
	}
	e, err := snap.entry(f.Layer)
	if err != nil {
		return 0, false, err
	}
	li, ov, err := snap.indexed(ctx, e.ref)
	if err != nil || li == nil || !ov.empty() {
		return 0, false, err
	}
	set, err := snap.db.shapes(ctx, li, f.Layer)
	if err != nil || set == nil {
		return 0, false, err
	}
	q := spacetime.FilterQuery(f)
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	sc.ranks, _ = li.ix.Search(&q, sc.ranks[:0])
	slices.SortFunc(sc.ranks, func(a, b uint32) int { return int(a&^spacetime.Partial) - int(b&^spacetime.Partial) })
	n := 0
	for i, r := range sc.ranks {
		if i%256 == 255 {
			if err := ctx.Err(); err != nil {
				return n, true, err
			}
		}
		src := &set.feats[r&^spacetime.Partial]
		if r&spacetime.Partial != 0 && !f.BBox.IntersectsGeometry(src.Geometry) {
			continue
		}
		sc.feat = *src
		n++
		if err := fn(&sc.feat); err != nil {
			return n, true, err
		}
	}
	sc.feat = geo.Feature{}
	return n, true, ctx.Err()
}
