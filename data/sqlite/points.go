package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"math"
	"runtime"
	"sort"

	"strata/geo"
)

// pointAttrs are what a vector tile shows of each feature of a layer of
// points besides its position and valid time (which the index holds):
// id, name, kind and precision, by leaf position in the index (so that
// the points of one tile lie close together), outside the Go heap. With
// them a tile's points come from memory alone, without reading a row.
//
// Ids and names are kept as written, each a uvarint length and the bytes,
// in chunks; kinds and precisions as indexes into tables of the distinct
// values, which must be few (at most 256 each) for the attributes to be
// kept. About 10 bytes a feature beyond its id and name.
type pointAttrs struct {
	off   []uint32 // by leaf: chunk<<chunkBits | offset of the id
	text  [][]byte // the chunks
	kind  []uint8  // by leaf, into kinds
	prec  []uint8  // by leaf, into precs
	kinds []string
	precs []float64
}

const (
	chunkBits = 20
	chunkSize = 1 << chunkBits
)

// readPointAttrs reads the attributes of the features of layer num, whose
// pos by rank is pos and whose index is ix, in the read transaction of
// conn. It returns nil without an error when the layer does not qualify:
// a feature that is not a Point, or too many distinct kinds or precisions.
func readPointAttrs(ctx context.Context, conn *sql.Conn, num int64, pos []int64, ix *index) (*pointAttrs, error) {
	n := len(pos)
	tmp := &offHeap{}
	defer tmp.free()
	leaf := offHeapSlice[uint32](tmp, n) // by rank
	for p, r := range ix.rank {
		leaf[r] = uint32(p)
	}
	h := &offHeap{}
	a := &pointAttrs{off: offHeapSlice[uint32](h, n), kind: offHeapSlice[uint8](h, n), prec: offHeapSlice[uint8](h, n)}
	ok := false
	defer func() {
		if !ok {
			h.free()
		}
	}()
	// A scan in storage order reads each page once; pos gives the rank.
	rows, err := conn.QueryContext(ctx, `
		SELECT pos, id, name, kind, precision_m, geom
		FROM features NOT INDEXED WHERE layer_num = ?`, num)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	contiguous := n > 0 && pos[n-1]-pos[0] == int64(n-1)
	kinds := map[string]uint8{}
	precs := map[uint64]uint8{}
	var (
		p              int64
		id, name, kind sql.RawBytes
		precision      float64
		geom           sql.RawBytes
		chunk          []byte
		seen           int
	)
	for rows.Next() {
		if err := rows.Scan(&p, &id, &name, &kind, &precision, &geom); err != nil {
			return nil, err
		}
		if !isWKBPoint(geom) {
			return nil, nil
		}
		var r int
		if contiguous {
			r = int(p - pos[0])
		} else {
			r = sort.Search(n, func(i int) bool { return pos[i] >= p })
		}
		if r < 0 || r >= n || pos[r] != p {
			return nil, nil // features changed while read: cannot happen in one transaction
		}
		l := leaf[r]
		k, found := kinds[string(kind)]
		if !found {
			if len(kinds) == 256 {
				return nil, nil
			}
			k = uint8(len(kinds))
			kinds[string(kind)] = k
			a.kinds = append(a.kinds, string(kind))
		}
		pk, found := precs[math.Float64bits(precision)]
		if !found {
			if len(precs) == 256 {
				return nil, nil
			}
			pk = uint8(len(precs))
			precs[math.Float64bits(precision)] = pk
			a.precs = append(a.precs, precision)
		}
		size := 2*binary.MaxVarintLen64 + len(id) + len(name)
		if size > chunkSize || len(a.text) >= 1<<(32-chunkBits) {
			return nil, nil
		}
		if len(chunk)+size > cap(chunk) {
			chunk = offHeapSlice[uint8](h, chunkSize)[:0]
			a.text = append(a.text, chunk)
		}
		a.off[l] = uint32(len(a.text)-1)<<chunkBits | uint32(len(chunk))
		chunk = binary.AppendUvarint(chunk, uint64(len(id)))
		chunk = append(chunk, id...)
		chunk = binary.AppendUvarint(chunk, uint64(len(name)))
		chunk = append(chunk, name...)
		a.text[len(a.text)-1] = chunk
		a.kind[l], a.prec[l] = k, pk
		seen++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if seen != n {
		return nil, nil
	}
	ok = true
	runtime.AddCleanup(a, func(h *offHeap) { h.free() }, h)
	return a, nil
}

// isWKBPoint reports whether b is a little-endian 2-D WKB Point, as
// Import writes every Point.
func isWKBPoint(b []byte) bool {
	return len(b) == 21 && b[0] == 1 && binary.LittleEndian.Uint32(b[1:]) == 1
}

// fill sets the id, name, kind and precision of the feature at leaf p.
func (a *pointAttrs) fill(p int, f *geo.Feature) {
	o := a.off[p]
	b := a.text[o>>chunkBits][o&(chunkSize-1):]
	n, k := binary.Uvarint(b)
	f.ID = string(b[k : k+int(n)])
	b = b[k+int(n):]
	n, k = binary.Uvarint(b)
	f.Name = string(b[k : k+int(n)])
	f.Kind = a.kinds[a.kind[p]]
	f.PrecisionM = a.precs[a.prec[p]]
}

// FindPoints is a light query of a layer of points answered from memory,
// for vector tiles. When every feature of f's layer is a Point and the
// layer's index and attributes are in memory, it calls fn with the
// position of each feature matching f, its rank in the order of
// FindFeatures and a number i, in the index's order (the caller orders
// what it needs), and returns ok true and a function that sets the ID, Name,
// Kind, Valid and PrecisionM of feature i (the function holds the data it
// reads: it stays valid however the layer changes). Otherwise, or when f
// has a Limit or an Offset, it returns ok false without calling fn, and
// the caller should use FindFeatures. An error from fn ends the query and
// is returned. Errors: geo.ErrNotFound for an unknown layer.
func (s *DB) FindPoints(ctx context.Context, f geo.Filter, fn func(lon, lat float64, rank uint32, i int) error) (feature func(i int, f *geo.Feature), ok bool, err error) {
	if f.Limit > 0 || f.Offset > 0 {
		return nil, false, nil
	}
	ref, err := s.layerRef(ctx, f.Layer)
	if err != nil {
		return nil, false, err
	}
	ix := s.index(ref)
	if ix == nil || ix.maxX != nil {
		return nil, false, nil
	}
	a := ix.attrs.Load()
	if a == nil {
		return nil, false, nil
	}
	q := newQuery(f)
	seen := 0
	err = ix.eachLeaf(&q, func(p int) error {
		if seen++; seen%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		return fn(ix.minX[p], ix.minY[p], ix.rank[p], p)
	})
	if err != nil {
		return nil, false, err
	}
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	return func(p int, feat *geo.Feature) {
		a.fill(p, feat)
		feat.Valid.Start, feat.Valid.End = ix.times.at(p)
	}, true, nil
}

// eachLeaf calls fn with the leaf position of every entry of a points
// index matching q, in tree order, until fn returns an error.
func (ix *index) eachLeaf(q *query, fn func(p int) error) error {
	if q.all() {
		for p := range ix.rank {
			if err := fn(p); err != nil {
				return err
			}
		}
		return nil
	}
	if len(ix.rank) == 0 {
		return nil
	}
	type item struct{ level, i int }
	var stackBuf [64]item
	stack := append(stackBuf[:0], item{len(ix.levels) - 2, 0})
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		nd := &ix.nodes[ix.levels[it.level]+it.i]
		if !q.hits(nd.minX, nd.minY, nd.maxX, nd.maxY, nd.from, nd.to) {
			continue
		}
		first := it.i * nodeSize
		if it.level > 0 {
			last := min(first+nodeSize, ix.levels[it.level]-ix.levels[it.level-1])
			for c := last - 1; c >= first; c-- {
				stack = append(stack, item{it.level - 1, c})
			}
			continue
		}
		last := min(first+nodeSize, len(ix.rank))
		for p := first; p < last; p++ {
			x, y := ix.minX[p], ix.minY[p]
			if ix.times.hit(q, p) && q.inBox(x, y, x, y) {
				if err := fn(p); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
