package sqlite

import (
	"math"
	"math/bits"
	"slices"
	"sync/atomic"

	"strata/geo"
)

// index is an immutable in-memory index of one layer's features by place
// and valid time: a static packed R-tree (in the manner of Flatbush) whose
// nodes also bound the valid time of what they hold.
//
// Its tests are the exact ones of the SQL it replaces: float64 bounds and
// int64 milliseconds, compared as stored. Entries are identified by rank,
// their position in the layer's import order (pos), so that matches sort
// into the stable order of geo.Store by sorting small integers.
//
// Leaves are ordered by duration class, then by start time in buckets as
// long as that class's durations, then along a Hilbert curve: features of
// similar lifetime, start and place share nodes, so both the box and the
// time of a node prune. Open-ended features form their own class and do
// not widen the time bounds of the others.
type index struct {
	gen int64 // the layer generation the index reflects

	seqs seqColumn // seq (where the row is stored) by rank

	// Leaves in tree order. maxX and maxY are nil when every feature is a
	// point (min = max), which saves 16 bytes a feature.
	minX, minY, maxX, maxY []float64
	times                  timeColumns
	rank                   []uint32

	nodes  []node
	levels []int // start of each level in nodes, leaves' parents first; len(nodes) last

	// attrs are what a tile shows of each feature of a layer of points,
	// once read (see FindPoints); nil for other layers.
	attrs atomic.Pointer[pointAttrs]
}

// node bounds a group of nodeSize leaves or child nodes.
type node struct {
	minX, minY, maxX, maxY float64
	from, to               int64 // earliest start, latest end
}

const nodeSize = 16

// query is a filter in the index's terms.
type query struct {
	box                    bool // false: no spatial test
	cross                  bool // the box crosses the antimeridian
	minX, minY, maxX, maxY float64
	start, end             int64 // closed query interval
	startDay, endDay       int32 // the same for timeColumns.hit
}

func newQuery(f geo.Filter) query {
	q := query{start: f.Time.Start, end: f.Time.End}
	q.startDay, q.endDay = queryDays(q.start, q.end)
	if f.BBox != nil {
		b := *f.BBox
		q.box, q.cross = true, b.CrossesAntimeridian()
		q.minX, q.minY, q.maxX, q.maxY = b.MinLon, b.MinLat, b.MaxLon, b.MaxLat
	}
	return q
}

// all reports whether q matches every feature.
func (q *query) all() bool {
	return !q.box && q.start == geo.OpenStart && q.end == geo.OpenEnd
}

// hits reports whether the box [x0,x1]×[y0,y1] with valid time [from, to)
// matches q, with the comparisons of the SQL filter.
func (q *query) hits(x0, y0, x1, y1 float64, from, to int64) bool {
	return from <= q.end && to > q.start && q.inBox(x0, y0, x1, y1)
}

// inBox reports whether the box [x0,x1]×[y0,y1] meets q's box.
func (q *query) inBox(x0, y0, x1, y1 float64) bool {
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

// columns are a layer's feature seqs, bounds and valid times in import
// order, as read to build an index. maxX and maxY may be nil while every
// feature is a point.
type columns struct {
	seq                    []int64
	minX, minY, maxX, maxY []float64
	from, to               []int64
}

// buildIndex builds the index of c, taking over its slices. Its arrays
// come from h (as c's may), which the index frees when it is no longer
// reachable.
func buildIndex(gen int64, c *columns, h *offHeap) *index {
	n := len(c.seq)
	ix := &index{gen: gen}
	points := true
	ext := node{minX: math.Inf(1), minY: math.Inf(1), maxX: math.Inf(-1), maxY: math.Inf(-1)}
	if c.maxX == nil {
		c.maxX, c.maxY = c.minX, c.minY
	}
	for i := range n {
		points = points && c.minX[i] == c.maxX[i] && c.minY[i] == c.maxY[i]
		ext.minX, ext.minY = min(ext.minX, c.minX[i]), min(ext.minY, c.minY[i])
		ext.maxX, ext.maxY = max(ext.maxX, c.maxX[i]), max(ext.maxY, c.maxY[i])
	}
	keys := offHeapSlice[uint64](h, n)
	for i := range n {
		keys[i] = sortKey(c.minX[i], c.minY[i], c.maxX[i], c.maxY[i], c.from[i], c.to[i], &ext)
	}
	order := offHeapSlice[uint32](h, n)
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
	releaseSlice(h, keys)
	ix.rank = order
	// Permute the columns in place, following the permutation's cycles, so
	// that a build needs no second copy of them.
	permute(order, c.minX, c.minY, c.maxX, c.maxY, c.from, c.to, points)
	ix.minX, ix.minY = c.minX, c.minY
	if !points {
		ix.maxX, ix.maxY = c.maxX, c.maxY
	}
	from, to := c.from, c.to
	ix.seqs = compactSeqs(c.seq, h)
	*c = columns{}

	// Leaf parents, then each level above, until one root.
	count := (n + nodeSize - 1) / nodeSize
	// Each level adds at most one node to count/(nodeSize-1) by rounding up.
	ix.nodes = offHeapSlice[node](h, count+count/(nodeSize-1)+16)[:0]
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
	ix.times = compactTimes(from, to, h)
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
	h.freeWith(ix)
	return ix
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

const dayMillis = 86_400_000

// sortKey orders the leaves: 5 bits of duration class, 27 bits of start
// bucket, then 32 bits of Hilbert index of the box centre.
func sortKey(x0, y0, x1, y1 float64, from, to int64, ext *node) uint64 {
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
		days := uint64(to-from) / dayMillis
		class = min(bits.Len64(days), 28)
		bucket = floorDiv(from, int64(1)<<class*dayMillis)
	}
	bucket = min(max(bucket+1<<26, 0), 1<<27-1)
	return uint64(class)<<59 | uint64(bucket)<<32 | uint64(hilbert((x0+x1)/2, (y0+y1)/2, ext))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// hilbert returns the index of the point (cx, cy) on a 2^16 × 2^16
// Hilbert curve over the extent.
func hilbert(cx, cy float64, ext *node) uint32 {
	const side = 1<<16 - 1
	scale := func(v, lo, hi float64) uint32 {
		if !(hi > lo) {
			return 0
		}
		return uint32(math.Min(math.Max((v-lo)/(hi-lo), 0), 1) * side)
	}
	x := scale(cx, ext.minX, ext.maxX)
	y := scale(cy, ext.minY, ext.maxY)
	var d uint32
	for s := uint32(1 << 15); s > 0; s >>= 1 {
		var rx, ry uint32
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		d += s * s * ((3 * rx) ^ ry)
		if ry == 0 {
			if rx == 1 {
				x, y = side-x, side-y
			}
			x, y = y, x
		}
	}
	return d
}

// search appends to dst the rank of every entry matching q, in tree
// order, and returns it with the number of matches. With collect false it
// only counts.
func (ix *index) search(q *query, dst []uint32, collect bool) ([]uint32, int) {
	if len(ix.rank) == 0 {
		return dst, 0
	}
	if q.all() {
		if collect {
			dst = append(dst, ix.rank...)
		}
		return dst, len(ix.rank)
	}
	type item struct{ level, i int }
	var stackBuf [64]item
	stack := append(stackBuf[:0], item{len(ix.levels) - 2, 0})
	n := 0
	points := ix.maxX == nil
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		nd := &ix.nodes[ix.levels[it.level]+it.i]
		if !q.hits(nd.minX, nd.minY, nd.maxX, nd.maxY, nd.from, nd.to) {
			continue
		}
		if it.level > 0 {
			first := it.i * nodeSize
			last := min(first+nodeSize, ix.levels[it.level]-ix.levels[it.level-1])
			for c := last - 1; c >= first; c-- {
				stack = append(stack, item{it.level - 1, c})
			}
			continue
		}
		first := it.i * nodeSize
		last := min(first+nodeSize, len(ix.rank))
		if points {
			for p := first; p < last; p++ {
				x, y := ix.minX[p], ix.minY[p]
				if ix.times.hit(q, p) && q.inBox(x, y, x, y) {
					n++
					if collect {
						dst = append(dst, ix.rank[p])
					}
				}
			}
			continue
		}
		for p := first; p < last; p++ {
			if ix.times.hit(q, p) && q.inBox(ix.minX[p], ix.minY[p], ix.maxX[p], ix.maxY[p]) {
				n++
				if collect {
					dst = append(dst, ix.rank[p])
				}
			}
		}
	}
	return dst, n
}

// page returns the seqs of the matches of q in rank order, skipping offset
// and keeping at most limit (limit <= 0: all), and the number of matches.
// buf is scratch space that page may grow; the result is appended to
// seqs[:0].
func (ix *index) page(q *query, offset, limit int, buf *[]uint32, seqs []int64) ([]int64, int) {
	if q.all() {
		// Every feature matches: the page is a range of ranks.
		n := len(ix.rank)
		lo := min(max(offset, 0), n)
		hi := n
		if limit > 0 {
			hi = min(lo+limit, n)
		}
		seqs = seqs[:0]
		for r := lo; r < hi; r++ {
			seqs = append(seqs, ix.seqs.at(r))
		}
		return seqs, n
	}
	ranks, n := ix.search(q, (*buf)[:0], true)
	*buf = ranks
	offset = max(offset, 0)
	if offset >= n {
		return seqs[:0], n
	}
	want := n - offset
	if limit > 0 {
		want = min(want, limit)
	}
	seqs = seqs[:0]
	if want < n/2 && n > 256 {
		// Only the first offset+want ranks in order are needed: select
		// them before sorting.
		k := offset + want
		selectSmallest(ranks, k)
		ranks = ranks[:k]
	}
	slices.Sort(ranks)
	for _, r := range ranks[offset : offset+want] {
		seqs = append(seqs, ix.seqs.at(int(r)))
	}
	return seqs, n
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

// bytes is the memory the index holds.
func (ix *index) bytes() int {
	return ix.seqs.bytes() + 8*(len(ix.minX)+len(ix.minY)+len(ix.maxX)+len(ix.maxY)) + ix.times.bytes() +
		4*len(ix.rank) + 48*len(ix.nodes)
}
