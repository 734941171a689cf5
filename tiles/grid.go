package tiles

// cellGrid counts and numbers the thinning cells that hold a layer's
// points (see the package documentation), by looking each point's cell up
// in an array over the buffered tile rather than hashing or sorting: a
// dense tile looks up a cell for every point, at each cell size tried.
// Where the array would be large (small cells, a wide buffer), it falls
// back to a map. It is reused from layer to layer.
type cellGrid struct {
	slots []int32          // by slot (see frame): 1 + the cell's number, 0 if none
	set   []int32          // the slots not 0, to empty them
	index map[uint64]int32 // the map used instead of slots
	keys  []uint64         // scratch for counting cells without slots
}

// maxSlots bounds the array of a cellGrid: 2^18 slots (1 MiB) hold the
// 265 × 265 cells of 16 units of a tile with the default buffer.
const maxSlots = 1 << 18

// frame places the cells of one size over the buffered tile: the cell
// (cx, cy), counted in cells from the tile's top left corner (so that
// cells are aligned with the tile), is slot (cy-lo)*n + (cx-lo).
type frame struct {
	shift uint  // log2 of the cell's side
	lo    int32 // the first cell, on each axis
	n     int32 // cells on each axis
	dense bool  // the cells fit the array
}

// newFrame returns the frame of cells of side 1<<shift over a tile with
// the given buffer, whose points lie from -buffer to Extent+buffer.
func newFrame(shift uint, buffer int) frame {
	lo := int32(-buffer) >> shift
	hi := int32(Extent+buffer) >> shift
	n := hi - lo + 1
	return frame{shift: shift, lo: lo, n: n, dense: int64(n)*int64(n) <= maxSlots}
}

// frameFor returns the frame of the smallest cells, from side cell up to
// Extent, in which points occupy at most max cells.
func (g *cellGrid) frameFor(points []tilePoint, cell, max, buffer int) frame {
	shift := uint(0)
	for 1<<shift < cell {
		shift++
	}
	for ; 1<<shift < Extent; shift++ {
		fr := newFrame(shift, buffer)
		if int64(fr.n)*int64(fr.n) <= int64(max) || g.fits(fr, points, max) {
			return fr
		}
	}
	return newFrame(shift, buffer)
}

// fits reports whether points occupy at most max cells of fr.
func (g *cellGrid) fits(fr frame, points []tilePoint, max int) bool {
	if !fr.dense {
		g.keys = g.keys[:0]
		for _, p := range points {
			g.keys = append(g.keys, cellKey(p.x>>fr.shift, p.y>>fr.shift))
		}
		return len(sortedUnique(g.keys)) <= max
	}
	g.grow(fr)
	defer g.empty()
	for _, p := range points {
		if _, isNew := g.number(fr, p.x, p.y, 0); isNew && len(g.set) > max {
			return false
		}
	}
	return true
}

// grow makes room in slots for fr's cells.
func (g *cellGrid) grow(fr frame) {
	if n := int(fr.n) * int(fr.n); len(g.slots) < n {
		g.slots = make([]int32, n)
	}
}

// number returns the number of the cell of fr that holds (x, y) and
// whether the cell was empty until now, in which case it is given the
// number next.
func (g *cellGrid) number(fr frame, x, y, next int32) (int32, bool) {
	cx, cy := x>>fr.shift, y>>fr.shift
	if !fr.dense {
		k := cellKey(cx, cy)
		if ci, ok := g.index[k]; ok {
			return ci, false
		}
		g.index[k] = next
		return next, true
	}
	g.grow(fr)
	slot := (cy-fr.lo)*fr.n + (cx - fr.lo)
	if v := g.slots[slot]; v != 0 {
		return v - 1, false
	}
	g.slots[slot] = next + 1
	g.set = append(g.set, slot)
	return next, true
}

// empty forgets every cell numbered. A map that grew past
// maxPooledPoints cells is let go rather than kept for the next layer.
func (g *cellGrid) empty() {
	for _, s := range g.set {
		g.slots[s] = 0
	}
	g.set = g.set[:0]
	if len(g.index) > maxPooledPoints {
		g.index = map[uint64]int32{}
	} else {
		clear(g.index)
	}
}

// cellKey packs the cell (cx, cy) into a map key.
func cellKey(cx, cy int32) uint64 { return uint64(uint32(cx))<<32 | uint64(uint32(cy)) }
