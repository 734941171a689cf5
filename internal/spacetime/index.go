// Package spacetime is an immutable in-memory index of entries by place
// and time: a static packed R-tree (in the manner of Flatbush) whose nodes
// also bound the valid time of what they hold. Every store of Strata
// searches its features through it.
//
// Its inputs and outputs are neutral: an entry is a bounding box in
// longitude and latitude, a half-open valid interval [From, To) in Unix
// milliseconds (math.MinInt64 and math.MaxInt64 for open ends) and a row
// number, which means whatever the store wants (a rowid, a slice index).
// Entries are given in the store's stable order; an entry's rank is its
// position in that order, so that matches sort into the stable order by
// sorting small integers. The tests on bounds and times are exact:
// float64 bounds and int64 milliseconds, compared as given.
//
// Leaves are ordered by duration class (lifetimes shorter than about four
// months share one), then by start time in buckets as long as that
// class's durations, then along a Hilbert curve: entries of similar
// lifetime, start and place share nodes, so both the box and the time of
// a node prune. Open-ended entries form their own class and do
// not widen the time bounds of the others.
//
// The index matches bounding boxes. Where an entry's bounds meet a
// query's box without lying inside it, its geometry may still miss the
// box: Search flags such entries Partial, and the store decides with the
// geometry (see Page).
package spacetime

import (
	"errors"
	"math"
	"math/bits"
	"slices"

	"strata/geo"
	"strata/internal/hilbert"
	"strata/internal/offheap"
)

// Index is an immutable index of entries by place and valid time. It is
// safe for concurrent use.
type Index struct {
	rows rowColumn // row number by rank

	// Leaves in tree order. maxX and maxY are nil when every entry is a
	// point (min = max), which saves 16 bytes an entry.
	minX, minY, maxX, maxY []float64
	times                  timeColumns
	rank                   []uint32

	nodes  []node
	levels []int // start of each level in nodes, leaves' parents first; len(nodes) last
}

// node bounds a group of nodeSize leaves or child nodes.
type node struct {
	minX, minY, maxX, maxY float64
	from, to               int64 // earliest start, latest end
}

const nodeSize = 16

// Partial is set in a rank that Search returns when the entry's bounds
// meet the query's box without lying inside it.
const Partial uint32 = 1 << 31

// MaxEntries is the largest number of entries an index holds.
const MaxEntries = int(Partial - 1)

// Box is a rectangle of longitudes and latitudes. MinX above MaxX is a box
// across the antimeridian.
type Box struct {
	MinX, MinY, MaxX, MaxY float64
}

// Query is a search of an index.
type Query struct {
	box                    bool // false: no spatial test
	cross                  bool // the box crosses the antimeridian
	minX, minY, maxX, maxY float64
	start, end             int64 // closed query interval
	startDay, endDay       int32 // the same for timeColumns.hit
}

// NewQuery returns the search for the entries whose bounds meet box (nil:
// anywhere) and whose valid time [From, To) meets the closed interval
// [start, end].
func NewQuery(box *Box, start, end int64) Query {
	q := Query{start: start, end: end}
	q.startDay, q.endDay = queryDays(q.start, q.end)
	if box != nil {
		q.box, q.cross = true, box.MinX > box.MaxX
		q.minX, q.minY, q.maxX, q.maxY = box.MinX, box.MinY, box.MaxX, box.MaxY
	}
	return q
}

// FilterQuery returns the search for a store's filter: its box and valid
// time (its layer, limit and offset are the store's business).
func FilterQuery(f geo.Filter) Query {
	if f.BBox == nil {
		return NewQuery(nil, f.Time.Start, f.Time.End)
	}
	b := f.BBox
	return NewQuery(&Box{MinX: b.MinLon, MinY: b.MinLat, MaxX: b.MaxLon, MaxY: b.MaxLat}, f.Time.Start, f.Time.End)
}

// All reports whether q matches every entry.
func (q *Query) All() bool {
	return !q.box && q.start == geo.OpenStart && q.end == geo.OpenEnd
}

// hits reports whether the box [x0,x1]×[y0,y1] with valid time [from, to)
// matches q.
func (q *Query) hits(x0, y0, x1, y1 float64, from, to int64) bool {
	return from <= q.end && to > q.start && q.inBox(x0, y0, x1, y1)
}

// inBox reports whether the box [x0,x1]×[y0,y1] meets q's box.
func (q *Query) inBox(x0, y0, x1, y1 float64) bool {
	if !q.box {
		return true
	}
	if y0 > q.maxY || y1 < q.minY {
		return false
	}
	if q.cross {
		return x1 >= q.minX || x0 <= q.maxX
	}
	return x0 <= q.maxX && x1 >= q.minX
}

// Inside reports whether the box [x0,x1]×[y0,y1], which meets q's box,
// lies inside it (then its geometry meets q's box too); true without a
// box. A store that selects candidates by bounds outside the index asks
// it what Search flags Partial.
func (q *Query) Inside(x0, y0, x1, y1 float64) bool {
	if !q.box {
		return true
	}
	if y0 < q.minY || y1 > q.maxY {
		return false
	}
	if q.cross {
		return x0 >= q.minX || x1 <= q.maxX
	}
	return x0 >= q.minX && x1 <= q.maxX
}

// Columns are the entries of an index in their stable order. MaxX and MaxY
// may be nil when every entry is a point.
type Columns struct {
	Row                    []int64
	MinX, MinY, MaxX, MaxY []float64
	From, To               []int64
}

// Build returns the index of c, taking over its slices, which must come
// from a or the heap. Build may reuse a for the index's own arrays, and
// frees a once the index is unreachable: nothing else may use a after.
func Build(c *Columns, a *offheap.Arena) (*Index, error) {
	n := len(c.Row)
	if n > MaxEntries {
		return nil, errors.New("spacetime: too many entries")
	}
	if len(c.MinX) != n || len(c.MinY) != n || len(c.From) != n || len(c.To) != n ||
		(c.MaxX != nil && len(c.MaxX) != n) || (c.MaxY == nil) != (c.MaxX == nil) || (c.MaxY != nil && len(c.MaxY) != n) {
		return nil, errors.New("spacetime: columns of different lengths")
	}
	ix := &Index{}
	points := true
	ext := node{minX: math.Inf(1), minY: math.Inf(1), maxX: math.Inf(-1), maxY: math.Inf(-1)}
	if c.MaxX == nil {
		c.MaxX, c.MaxY = c.MinX, c.MinY
	}
	for i := range n {
		points = points && c.MinX[i] == c.MaxX[i] && c.MinY[i] == c.MaxY[i]
		ext.minX, ext.minY = min(ext.minX, c.MinX[i]), min(ext.minY, c.MinY[i])
		ext.maxX, ext.maxY = max(ext.maxX, c.MaxX[i]), max(ext.maxY, c.MaxY[i])
	}
	keys := offheap.Make[uint64](a, n)
	for i := range n {
		keys[i] = SortKey(c.MinX[i], c.MinY[i], c.MaxX[i], c.MaxY[i], c.From[i], c.To[i], Bounds{ext.minX, ext.minY, ext.maxX, ext.maxY})
	}
	order := offheap.Make[uint32](a, n)
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int {
		switch ka, kb := keys[a], keys[b]; {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		}
		return int(a) - int(b)
	})
	offheap.Release(a, keys)
	ix.rank = order
	// Permute the columns in place, following the permutation's cycles, so
	// that a build needs no second copy of them.
	permute(order, c.MinX, c.MinY, c.MaxX, c.MaxY, c.From, c.To, points)
	ix.minX, ix.minY = c.MinX, c.MinY
	if !points {
		ix.maxX, ix.maxY = c.MaxX, c.MaxY
	}
	from, to := c.From, c.To
	ix.rows = compactRows(c.Row, a)
	*c = Columns{}

	// Leaf parents, then each level above, until one root.
	count := (n + nodeSize - 1) / nodeSize
	// Each level adds at most one node to count/(nodeSize-1) by rounding up.
	ix.nodes = offheap.Make[node](a, count+count/(nodeSize-1)+16)[:0]
	ix.levels = []int{0}
	for i := 0; i < count; i++ {
		nd := node{minX: math.Inf(1), minY: math.Inf(1), maxX: math.Inf(-1), maxY: math.Inf(-1), from: math.MaxInt64, to: math.MinInt64}
		for p := i * nodeSize; p < min((i+1)*nodeSize, n); p++ {
			x1, y1 := ix.minX[p], ix.minY[p]
			if !points {
				x1, y1 = ix.maxX[p], ix.maxY[p]
			}
			nd.minX, nd.minY = min(nd.minX, ix.minX[p]), min(nd.minY, ix.minY[p])
			nd.maxX, nd.maxY = max(nd.maxX, x1), max(nd.maxY, y1)
			nd.from, nd.to = min(nd.from, from[p]), max(nd.to, to[p])
		}
		ix.nodes = append(ix.nodes, nd)
	}
	ix.times = compactTimes(from, to, a)
	for start := 0; len(ix.nodes)-start > 1; {
		end := len(ix.nodes)
		ix.levels = append(ix.levels, end)
		for i := start; i < end; i += nodeSize {
			nd := ix.nodes[i]
			for _, c := range ix.nodes[i+1 : min(i+nodeSize, end)] {
				nd.minX, nd.minY = min(nd.minX, c.minX), min(nd.minY, c.minY)
				nd.maxX, nd.maxY = max(nd.maxX, c.maxX), max(nd.maxY, c.maxY)
				nd.from, nd.to = min(nd.from, c.from), max(nd.to, c.to)
			}
			ix.nodes = append(ix.nodes, nd)
		}
		start = end
	}
	ix.levels = append(ix.levels, len(ix.nodes))
	offheap.FreeWith(a, ix)
	return ix, nil
}

// permute reorders the columns in place so that position p holds what
// position order[p] held. With points, maxX and maxY (the same slices as
// minX and minY) are left alone.
func permute(order []uint32, minX, minY, maxX, maxY []float64, from, to []int64, points bool) {
	done := make([]uint64, (len(order)+63)/64)
	for start := range order {
		if done[start/64]&(1<<(start%64)) != 0 {
			continue
		}
		x0, y0, x1, y1, f, t := minX[start], minY[start], maxX[start], maxY[start], from[start], to[start]
		p := start
		for {
			done[p/64] |= 1 << (p % 64)
			r := int(order[p])
			if r == start {
				minX[p], minY[p], from[p], to[p] = x0, y0, f, t
				if !points {
					maxX[p], maxY[p] = x1, y1
				}
				break
			}
			minX[p], minY[p], from[p], to[p] = minX[r], minY[r], from[r], to[r]
			if !points {
				maxX[p], maxY[p] = maxX[r], maxY[r]
			}
			p = r
		}
	}
}

// Bounds is the extent of a set of entries, for SortKey.
type Bounds struct {
	MinX, MinY, MaxX, MaxY float64
}

// SortKey orders entries as the leaves of an index over entries within
// ext are ordered: 5 bits of duration class (the bit length of the
// lifetime in days, at least minClass), 27 bits of start bucket, then 32
// bits of Hilbert index of the box centre. A store that keeps its rows
// in this order lets one query's rows share pages.
func SortKey(x0, y0, x1, y1 float64, from, to int64, ext Bounds) uint64 {
	const dayMillis = geo.DayMillis
	var class int
	var bucket int64
	switch {
	case from == geo.OpenStart && to == geo.OpenEnd:
		class = 31
	case from == geo.OpenStart:
		class, bucket = 30, floorDiv(to, 128*dayMillis)
	case to == geo.OpenEnd:
		class, bucket = 29, floorDiv(from, 128*dayMillis)
	default:
		days := uint64(to-from) / uint64(dayMillis)
		class = min(max(bits.Len64(days), minClass), 28)
		bucket = floorDiv(from, int64(1)<<class*dayMillis)
	}
	bucket = min(max(bucket+1<<26, 0), 1<<27-1)
	return uint64(class)<<59 | uint64(bucket)<<32 | uint64(curveIndex((x0+x1)/2, (y0+y1)/2, ext))
}

// minClass is the smallest duration class: lifetimes shorter than
// 2^minClass days (about four months) share it, in buckets of that many
// days, as open-ended lifetimes have. With a class for each power of two
// from one day, a layer of short lifetimes made hundreds of small groups
// of leaves, each of which a query for one instant had to descend from
// the root: 1,300 nodes for a tile of 36 points (zoom 14, shared/bench).
const minClass = 7

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// curveIndex returns the index of the point (cx, cy) on a 2^16 × 2^16
// Hilbert curve over the extent.
func curveIndex(cx, cy float64, ext Bounds) uint32 {
	const side = 1<<16 - 1
	scale := func(v, lo, hi float64) uint32 {
		if !(hi > lo) {
			return 0
		}
		return uint32(math.Min(math.Max((v-lo)/(hi-lo), 0), 1) * side)
	}
	return uint32(hilbert.Index(16, uint64(scale(cx, ext.MinX, ext.MaxX)), uint64(scale(cy, ext.MinY, ext.MaxY))))
}

// Len returns the number of entries.
func (ix *Index) Len() int { return len(ix.rank) }

// Points reports whether every entry is a point.
func (ix *Index) Points() bool { return ix.maxX == nil }

// Rank returns the rank of the entry at leaf p.
func (ix *Index) Rank(p int) uint32 { return ix.rank[p] }

// Row returns the row number of the entry of rank r (without Partial).
func (ix *Index) Row(r uint32) int64 { return ix.rows.at(int(r)) }

// Point returns the position of the entry at leaf p of an index of points
// (the minimum corner of its bounds in any index).
func (ix *Index) Point(p int) (x, y float64) { return ix.minX[p], ix.minY[p] }

// IsPoint reports whether the bounds of the entry at leaf p are a point.
func (ix *Index) IsPoint(p int) bool {
	return ix.maxX == nil || (ix.maxX[p] == ix.minX[p] && ix.maxY[p] == ix.minY[p])
}

// Time returns the valid time [from, to) of the entry at leaf p.
func (ix *Index) Time(p int) (from, to int64) { return ix.times.at(p) }

// walk calls fn with the leaf range [first, last) of every leaf node whose
// bounds meet q, in tree order, until fn returns false.
func (ix *Index) walk(q *Query, fn func(first, last int) bool) {
	if len(ix.rank) == 0 {
		return
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
		if !fn(first, min(first+nodeSize, len(ix.rank))) {
			return
		}
	}
}

// Search appends to dst the rank of every entry matching q, in tree
// order, and returns it with the number of ranks flagged Partial.
func (ix *Index) Search(q *Query, dst []uint32) ([]uint32, int) {
	if q.All() {
		return append(dst, ix.rank...), 0
	}
	partial := 0
	if ix.maxX == nil {
		ix.walk(q, func(first, last int) bool {
			for p := first; p < last; p++ {
				x, y := ix.minX[p], ix.minY[p]
				if ix.times.hit(q, p) && q.inBox(x, y, x, y) {
					dst = append(dst, ix.rank[p])
				}
			}
			return true
		})
		return dst, 0
	}
	ix.walk(q, func(first, last int) bool {
		for p := first; p < last; p++ {
			x0, y0, x1, y1 := ix.minX[p], ix.minY[p], ix.maxX[p], ix.maxY[p]
			if ix.times.hit(q, p) && q.inBox(x0, y0, x1, y1) {
				r := ix.rank[p]
				if !q.Inside(x0, y0, x1, y1) {
					r |= Partial
					partial++
				}
				dst = append(dst, r)
			}
		}
		return true
	})
	return dst, partial
}

// Leaves calls fn with the leaf position of every entry matching q, in
// tree order, and whether its bounds meet q's box without lying inside
// it, until fn returns an error, which Leaves returns.
func (ix *Index) Leaves(q *Query, fn func(p int, partial bool) error) error {
	var err error
	if q.All() {
		for p := range ix.rank {
			if err := fn(p, false); err != nil {
				return err
			}
		}
		return nil
	}
	if ix.maxX == nil {
		// Points: never partial, and half the columns to read.
		ix.walk(q, func(first, last int) bool {
			for p := first; p < last; p++ {
				x, y := ix.minX[p], ix.minY[p]
				if ix.times.hit(q, p) && q.inBox(x, y, x, y) {
					if err = fn(p, false); err != nil {
						return false
					}
				}
			}
			return true
		})
		return err
	}
	points := false
	ix.walk(q, func(first, last int) bool {
		for p := first; p < last; p++ {
			x0, y0, x1, y1 := ix.minX[p], ix.minY[p], ix.minX[p], ix.minY[p]
			if !points {
				x1, y1 = ix.maxX[p], ix.maxY[p]
			}
			if !ix.times.hit(q, p) || !q.inBox(x0, y0, x1, y1) {
				continue
			}
			if err = fn(p, !points && !q.Inside(x0, y0, x1, y1)); err != nil {
				return false
			}
		}
		return true
	})
	return err
}

// Exact decides the candidates flagged Partial among ranks (see Search):
// it returns the ranks that match, flags cleared, in any order, reusing
// ranks' memory if it likes.
type Exact func(ranks []uint32) ([]uint32, error)

// Page appends to rows[:0] the row numbers of the matches of q in rank
// order, skipping offset and keeping at most limit (limit <= 0: all), and
// returns them with the number of matches. buf is scratch space that Page
// may grow. exact decides the Partial candidates; with exact nil they
// match (the bounding-box test).
func (ix *Index) Page(q *Query, offset, limit int, buf *[]uint32, rows []int64, exact Exact) ([]int64, int, error) {
	rows = rows[:0]
	offset = max(offset, 0)
	if q.All() {
		// Every entry matches: the page is a range of ranks.
		n := len(ix.rank)
		lo := min(offset, n)
		hi := n
		if limit > 0 {
			hi = min(lo+limit, n)
		}
		for r := lo; r < hi; r++ {
			rows = append(rows, ix.rows.at(r))
		}
		return rows, n, nil
	}
	ranks, partial := ix.Search(q, (*buf)[:0])
	*buf = ranks
	if partial > 0 {
		if exact == nil {
			for i := range ranks {
				ranks[i] &^= Partial
			}
		} else {
			var err error
			if ranks, err = exact(ranks); err != nil {
				return rows, 0, err
			}
		}
	}
	n := len(ranks)
	if offset >= n {
		return rows, n, nil
	}
	want := n - offset
	if limit > 0 {
		want = min(want, limit)
	}
	ranks = Smallest(ranks, offset+want)
	for _, r := range ranks[offset : offset+want] {
		rows = append(rows, ix.rows.at(int(r)))
	}
	return rows, n, nil
}

// Smallest returns the k smallest ranks of a, sorted, reordering a (the
// whole of a, sorted, when k >= len(a)). Ranks must not carry the
// Partial bit. A page needs only its first ranks in order: selecting
// them before sorting spares sorting every match.
func Smallest(a []uint32, k int) []uint32 {
	if k < len(a)/2 && len(a) > 256 {
		selectSmallest(a, k)
		a = a[:k]
	}
	slices.Sort(a)
	return a[:min(k, len(a))]
}

// selectSmallest reorders a so that its k smallest values come first, in
// any order (quickselect).
func selectSmallest(a []uint32, k int) {
	lo, hi := 0, len(a)-1
	for lo < hi {
		// Median of three as the pivot.
		mid := lo + (hi-lo)/2
		if a[mid] < a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] < a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] < a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		pivot := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i] < pivot {
				i++
			}
			for a[j] > pivot {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case k-1 <= j:
			hi = j
		case k-1 >= i:
			lo = i
		default:
			return
		}
	}
}

// Bytes is the memory the index holds.
func (ix *Index) Bytes() int {
	return ix.rows.bytes() + 8*(len(ix.minX)+len(ix.minY)+len(ix.maxX)+len(ix.maxY)) + ix.times.bytes() +
		4*len(ix.rank) + 48*len(ix.nodes)
}
