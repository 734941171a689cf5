package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"hash/maphash"
	"math"
	"slices"
	"sort"
	"unsafe"

	"github.com/paulmach/orb"

	"strata/geo"
	"strata/internal/offheap"
	"strata/internal/spacetime"
)

// pointAttrs are what a vector tile shows of each feature of a layer of
// points besides its position and valid time (which the index holds):
// id, name, kind and precision, by leaf position in the index (so that
// the points of one tile lie close together), outside the Go heap. With
// them a tile's points come from memory alone, without reading a row.
//
// Ids and names are kept as written, one after the other in chunks, in
// the order of the rows in the file, with where they start and their
// lengths beside (so that reading a point's attributes touches its text
// only when the text is copied out; laid out in leaf order instead, the
// texts drew tiles no faster and took twice their memory while the
// attributes were read); kinds and precisions as indexes into tables of the
// distinct values, which must be few (at most 256 each) for the
// attributes to be kept; and each point's Web Mercator y. About 18 bytes
// a feature beyond its id and name.
type pointAttrs struct {
	// at is, by leaf, where its id and name lie: the chunk<<chunkBits |
	// offset of the id in bits 0-31, the id's length in bits 32-47 and
	// the name's in bits 48-63.
	at    []uint64
	text  [][]byte // the chunks
	kind  []uint8  // by leaf, into kinds
	prec  []uint8  // by leaf, into precs
	kinds []string
	precs []float64
	// mercY is the Web Mercator y of each leaf's point (geo.MercatorY),
	// computed once rather than for every tile.
	mercY []float64
	// distinct has bit l set when the feature at leaf l makes the promise
	// of geo.PointHit.Distinct (see markDistinct).
	distinct []uint64
}

const (
	chunkBits = 20
	chunkSize = 1 << chunkBits
	maxText   = 1<<16 - 1 // the longest id or name kept
)

// textAt packs the place of an id and name for pointAttrs.at.
func textAt(chunk, offset, idLen, nameLen int) uint64 {
	return uint64(chunk)<<chunkBits | uint64(offset) | uint64(idLen)<<32 | uint64(nameLen)<<48
}

// readPointAttrs reads the attributes of the features of layer num, whose
// pos by rank is pos and whose index is ix, in the read transaction of
// conn. It returns nil without an error when the layer does not qualify:
// a feature that is not a Point, or too many distinct kinds or precisions.
func readPointAttrs(ctx context.Context, conn *sql.Conn, num int64, pos []int64, ix *spacetime.Index) (*pointAttrs, error) {
	n := len(pos)
	tmp := &offheap.Arena{}
	defer tmp.Free()
	leaf := offheap.Make[uint32](tmp, n) // by rank
	for p := range ix.Len() {
		leaf[ix.Rank(p)] = uint32(p)
	}
	h := &offheap.Arena{}
	a := &pointAttrs{at: offheap.Make[uint64](h, n), kind: offheap.Make[uint8](h, n), prec: offheap.Make[uint8](h, n)}
	ok := false
	defer func() {
		if !ok {
			h.Free()
		}
	}()
	// A scan in storage order reads each page once; pos gives the rank.
	rows, err := conn.QueryContext(ctx, `
		SELECT pos, id, name, kind, precision_m, geom
		FROM features NOT INDEXED WHERE layer_num = ? AND rec_to = ?`, num, geo.OpenEnd)
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
		size := len(id) + len(name)
		if len(id) > maxText || len(name) > maxText || len(a.text) >= 1<<(32-chunkBits) {
			return nil, nil
		}
		if len(chunk)+size > cap(chunk) {
			chunk = offheap.Make[uint8](h, chunkSize)[:0]
			a.text = append(a.text, chunk)
		}
		a.at[l] = textAt(len(a.text)-1, len(chunk), len(id), len(name))
		chunk = append(chunk, id...)
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
	a.markDistinct(h, tmp, n)
	a.mercY = offheap.Make[float64](h, n)
	for p := range n {
		_, lat := ix.Point(p)
		a.mercY[p] = geo.MercatorY(lat)
	}
	ok = true
	offheap.FreeWith(h, a)
	return a, nil
}

// isWKBPoint reports whether b is a little-endian 2-D WKB Point, as
// Import writes every Point.
func isWKBPoint(b []byte) bool {
	return len(b) == 21 && b[0] == 1 && binary.LittleEndian.Uint32(b[1:]) == 1
}

// markDistinct sets a.distinct for the n leaves: the features whose id,
// and name unless empty, each occur once among the layer's ids, non-empty
// names and kinds, and could not be the text of a valid-time bound (see
// geo.PointHit.Distinct). Texts are counted by a 32-bit hash, whose
// array is taken from tmp: two texts of one hash count as one repeated,
// which only withholds the promise.
func (a *pointAttrs) markDistinct(h, tmp *offheap.Arena, n int) {
	seed := maphash.MakeSeed()
	hash := func(s string) uint32 { return uint32(maphash.String(seed, s)) }
	all := offheap.Make[uint32](tmp, 2*n+len(a.kinds))[:0]
	var f geo.Feature
	for l := range n {
		a.fill(l, &f)
		all = append(all, hash(f.ID))
		if f.Name != "" {
			all = append(all, hash(f.Name))
		}
	}
	for _, k := range a.kinds {
		all = append(all, hash(k))
	}
	slices.Sort(all)
	once := func(s string) bool {
		x := hash(s)
		i, found := slices.BinarySearch(all, x) // the first of its hash
		return found && (i+1 == len(all) || all[i+1] != x) && !geo.MayBeBoundText(s)
	}
	a.distinct = offheap.Make[uint64](h, (n+63)/64)
	for l := range n {
		a.fill(l, &f)
		if once(f.ID) && (f.Name == "" || once(f.Name)) {
			a.distinct[l/64] |= 1 << (l % 64)
		}
	}
}

// isDistinct reports whether the feature at leaf p makes the promise of
// geo.PointHit.Distinct.
func (a *pointAttrs) isDistinct(p int) bool {
	return a.distinct[p/64]&(1<<(p%64)) != 0
}

// bytes returns the id and name of leaf p, one after the other.
func (a *pointAttrs) bytes(p int) []byte {
	at := a.at[p]
	o, n := int(at&(chunkSize-1)), int(at>>32&maxText+at>>48)
	return a.text[at>>chunkBits&(1<<(32-chunkBits)-1)][o : o+n : o+n]
}

// fill sets the id, name, kind and precision of the feature at leaf p.
// The id and name are in a's memory: valid while a is reachable.
func (a *pointAttrs) fill(p int, f *geo.Feature) {
	// Strings in the attributes' own memory, which lives as long as a
	// (see geo.PointAttrs): no allocation.
	both := ""
	if b := a.bytes(p); len(b) > 0 {
		both = unsafe.String(&b[0], len(b))
	}
	n1 := int(a.at[p] >> 32 & maxText)
	f.ID, f.Name = both[:n1], both[n1:]
	f.Kind = a.kinds[a.kind[p]]
	f.PrecisionM = a.precs[a.prec[p]]
}

// Points calls fn with each Point feature matching f. From the layer's
// index and point attributes, when both are in memory for the snapshot's
// generation of the layer, it reads no row; otherwise it runs a light
// Search and keeps the attributes of the points it found.
func (snap *snapshot) Points(ctx context.Context, f geo.Filter, fn func(geo.PointHit) error) (geo.PointAttrs, int, error) {
	e, err := snap.entry(f.Layer)
	if err != nil {
		return nil, 0, err
	}
	f.Limit, f.Offset, f.Light = 0, 0, true
	li, ov, err := snap.indexed(ctx, e.ref)
	if err != nil {
		return nil, 0, err
	}
	if li != nil {
		q := spacetime.FilterQuery(f)
		others := 0
		ov.matches(&f, &q, func(r *overlayRow, _ bool) {
			if !r.point || r.key > math.MaxUint32 {
				others++
			}
		})
		if others > 0 {
			return nil, 1, nil // the caller will Search
		}
		if a := li.attrs.Load(); a != nil && li.ix.Points() {
			return li.points(ctx, f, a, ov, fn)
		}
		// A match whose bounds are not a point is not a Point: the
		// caller will Search, so stop before reading any row.
		if err := li.ix.Leaves(&q, func(p int, _ bool) error {
			if !li.ix.IsPoint(p) && !ov.isClosed(li.ix.Rank(p)) {
				return errNotPoint
			}
			return nil
		}); err == errNotPoint {
			return nil, 1, nil
		} else if err != nil {
			return nil, 0, err
		}
	}
	var found []geo.Feature
	rank, others := uint32(0), 0
	_, err = snap.Search(ctx, f, func(ft *geo.Feature) error {
		defer func() { rank++ }()
		pt, ok := ft.Geometry.(orb.Point)
		if !ok {
			others++
			return nil
		}
		found = append(found, geo.Feature{ID: ft.ID, Name: ft.Name, Kind: ft.Kind, Valid: ft.Valid, PrecisionM: ft.PrecisionM})
		return fn(geo.PointHit{Lon: pt[0], Lat: pt[1], MercY: geo.MercatorY(pt[1]), Rank: rank, Ref: len(found) - 1})
	})
	if err != nil {
		return nil, 0, err
	}
	return func(ref int, out *geo.Feature) {
		src := &found[ref]
		out.ID, out.Name, out.Kind, out.Valid, out.PrecisionM = src.ID, src.Name, src.Kind, src.Valid, src.PrecisionM
	}, others, nil
}

// errNotPoint stops a walk at a feature that is not a Point.
var errNotPoint = errors.New("not a point")

// points answers Points from memory: the index of a layer of points and
// its attributes a, which exist only when every feature is a Point, and
// the overlay ov, whose matching rows must all be Points. The Ref of a
// base entry is its leaf, that of an overlay row the index's length plus
// its place among the overlay's matches.
func (li *layerIndex) points(ctx context.Context, f geo.Filter, a *pointAttrs, ov *overlay, fn func(geo.PointHit) error) (geo.PointAttrs, int, error) {
	ix := li.ix
	q := spacetime.FilterQuery(f)
	seen := 0
	// Rows written since the index was built may repeat a text that the
	// attributes found once.
	distinct := !ov.adds()
	err := ix.Leaves(&q, func(p int, _ bool) error {
		if seen++; seen%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		r := ix.Rank(p)
		if ov.isClosed(r) {
			return nil
		}
		x, y := ix.Point(p)
		return fn(geo.PointHit{Lon: x, Lat: y, MercY: a.mercY[p], Rank: r, Ref: p, Distinct: distinct && a.isDistinct(p)})
	})
	var extra []*overlayRow // the overlay's matches, by Ref - ix.Len()
	if err == nil {
		ov.matches(&f, &q, func(r *overlayRow, _ bool) {
			if err == nil && r.key <= math.MaxUint32 { // Points checked it
				extra = append(extra, r)
				err = fn(geo.PointHit{Lon: r.minX, Lat: r.minY, MercY: geo.MercatorY(r.minY), Rank: uint32(r.key), Ref: ix.Len() + len(extra) - 1})
			}
		})
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return nil, 0, err
	}
	n := ix.Len()
	return func(p int, feat *geo.Feature) {
		if p >= n {
			r := extra[p-n]
			feat.ID, feat.Name, feat.Kind, feat.PrecisionM, feat.Valid = r.id, r.name, r.kind, r.precisionM, r.valid
			return
		}
		a.fill(p, feat)
		feat.Valid.Start, feat.Valid.End = ix.Time(p)
	}, 0, nil
}
