package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"strata/geo"
	"strata/internal/offheap"
	"strata/internal/spacetime"
)

// layerIndex is the in-memory index of a layer's current features at one
// generation of the layer: the space-time index, whose row numbers are
// seqs, and for a layer of points, once read, their attributes.
type layerIndex struct {
	num int64 // the layer's
	gen int64
	// base is the data version the index was read at: it holds the rows
	// current at base, and serves no snapshot older than that.
	base int64
	ix   *spacetime.Index
	// pos holds the pos of each entry by rank, ascending.
	pos []int64
	// log is what the index knows of the changes after base (see
	// overlay.go).
	log overlayLog
	// attrs are what a tile shows of each feature of a layer of points,
	// once read (see Points); nil for other layers.
	attrs atomic.Pointer[pointAttrs]
	// shapes are what a tile shows of each feature of a layer of lines
	// and polygons, once read (see shapes.go); shapeState says whether
	// they are being read or never will be.
	shapes     atomic.Pointer[shapeSet]
	shapeState atomic.Int32
	// done is closed once the build has tried to read attrs.
	done chan struct{}
}

// IndexesReady reports, with an error naming a layer, whether any layer's
// in-memory index is not built for its current features; it starts the
// builds that are missing. Queries are answered meanwhile, more slowly.
func (s *DB) IndexesReady(ctx context.Context) error {
	snap, err := s.snapshot(ctx)
	if err != nil {
		return err
	}
	for _, l := range snap.list {
		if li := s.index(snap.byID[l.ID].ref, snap.version); li == nil {
			return fmt.Errorf("the index of layer %q is being built", l.ID)
		}
	}
	return nil
}

// WaitIndex builds the in-memory index of the layer's current features,
// and for a layer of points their attributes, unless they are built, and
// waits until they are (or ctx ends). Queries use them from then on: a
// server may call it at start so that its first queries need not scan.
// Errors: geo.ErrNotFound for an unknown layer.
func (s *DB) WaitIndex(ctx context.Context, layer string) error {
	for {
		snap, err := s.snapshot(ctx)
		if err != nil {
			return err
		}
		e, err := snap.entry(layer)
		if err != nil {
			return err
		}
		if li := s.index(e.ref, snap.version); li != nil {
			select {
			case <-li.done:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		select {
		case <-time.After(10 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// indexSlot holds a layer's index, if one is built, and whether a build
// is under way.
type indexSlot struct {
	ix *layerIndex
	// prev is the index ix replaced without an import in between: it
	// serves the snapshots older than ix's base still being read.
	prev     *layerIndex
	building bool
}

// index returns the layer's in-memory index if it is built for the
// layer's generation ref.gen and serves data version v. Otherwise it
// returns nil, and starts a build in the background unless one is
// running or the index is newer than ref.
func (s *DB) index(ref layerRef, v int64) *layerIndex {
	s.ixMu.Lock()
	defer s.ixMu.Unlock()
	sl := s.indexes[ref.num]
	if sl == nil {
		sl = &indexSlot{}
		s.indexes[ref.num] = sl
	}
	switch {
	case s.indexMode == noIndex:
		return nil
	case sl.ix != nil && sl.ix.gen == ref.gen && sl.ix.base <= v:
		return sl.ix
	case sl.prev != nil && sl.prev.gen == ref.gen && sl.prev.base <= v:
		return sl.prev
	case sl.ix != nil && sl.ix.gen >= ref.gen:
		return nil // ref, or v, is older than what the index reflects
	}
	sl.ix, sl.prev = nil, nil // out of date: let their memory go
	if sl.building || s.ctx.Err() != nil {
		return nil
	}
	if s.indexMode == syncIndex {
		ix, err := s.loadIndex(s.ctx, ref.num, nil)
		if err != nil {
			return nil
		}
		sl.ix = ix
		return sl.ix.current(ref.gen, v)
	}
	sl.building = true
	s.builds.Add(1)
	go s.build(ref.num, sl)
	return nil
}

// current returns ix if it reflects generation gen and serves data
// version v, else nil.
func (ix *layerIndex) current(gen, v int64) *layerIndex {
	if ix.gen != gen || ix.base > v {
		return nil
	}
	return ix
}

// Index modes, for tests.
const (
	backgroundIndex = iota // build in the background, query SQL meanwhile
	syncIndex              // build before answering
	noIndex                // always query SQL
)

// build reads layer num's bounds and builds its index, which queries use
// from then on, then reads the attributes of its points (see
// readPointAttrs). On failure the slot stays empty, and the next query
// tries again.
func (s *DB) build(num int64, sl *indexSlot) {
	defer s.builds.Done()
	published := false
	_, err := s.loadIndex(s.ctx, num, func(ix *layerIndex) {
		s.ixMu.Lock()
		defer s.ixMu.Unlock()
		sl.building = false
		sl.ix = ix
		published = true
	})
	if !published {
		s.ixMu.Lock()
		defer s.ixMu.Unlock()
		sl.building = false
		_ = err // the next query tries again
	}
}

// loadIndex reads a layer's generation and bounds in one read transaction
// and builds its index. If the layer holds only points, it then reads
// their attributes in the same transaction and attaches them to the index.
// publish, if not nil, receives the index as soon as it is built, before
// the attributes are read; a failure to read them is then not an error.
func (s *DB) loadIndex(ctx context.Context, num int64, publish func(*layerIndex)) (*layerIndex, error) {
	conn, end, err := s.readTx(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	var gen, n, base int64
	if err := conn.QueryRowContext(ctx, "SELECT generation, (SELECT value FROM meta WHERE key = 'version') FROM layers WHERE num = ?", num).Scan(&gen, &base); err != nil {
		return nil, err
	}
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM features INDEXED BY features_bounds WHERE layer_num = ? AND rec_to = ?", num, geo.OpenEnd).Scan(&n); err != nil {
		return nil, err
	}
	h := &offheap.Arena{}
	pos := make([]int64, n)
	c, err := readColumns(ctx, conn, num, pos, h)
	if err != nil {
		h.Free()
		return nil, err
	}
	for i := 1; i < len(pos); i++ {
		// Overlays place rows by pos (see rankKey).
		if pos[i] <= pos[i-1] {
			h.Free()
			return nil, damaged(fmt.Sprint("number ", num), "", c.Row[i], errors.New("two current rows share a pos"))
		}
	}
	six, err := spacetime.Build(c, h)
	if err != nil {
		h.Free()
		return nil, err
	}
	ix := &layerIndex{num: num, gen: gen, base: base, ix: six, pos: pos, done: make(chan struct{})}
	ix.log.upTo.Store(base)
	ix.log.rows.Store(&[]*overlayRow{})
	ix.log.sorted.Store(&sortedRows{})
	ix.log.recentMax = recentRows
	if s.recentMax > 0 {
		ix.log.recentMax = s.recentMax
	}
	ix.log.closures.Store(&[]closure{})
	ix.log.bySeq = map[int64]*overlayRow{}
	defer close(ix.done)
	if publish != nil {
		publish(ix)
	}
	if six.Points() && six.Len() > 0 {
		a, err := readPointAttrs(ctx, conn, num, pos, six)
		switch {
		case err != nil && publish == nil:
			return nil, err
		case a != nil:
			ix.attrs.Store(a)
		}
	}
	return ix, nil
}

// readColumns reads the n = len(pos) current entries of layer num into
// columns outside the heap, and their pos into pos.
func readColumns(ctx context.Context, conn *sql.Conn, num int64, pos []int64, h *offheap.Arena) (*spacetime.Columns, error) {
	n := len(pos)
	c := &spacetime.Columns{
		Row:  offheap.Make[int64](h, n),
		MinX: offheap.Make[float64](h, n), MinY: offheap.Make[float64](h, n),
		From: offheap.Make[int64](h, n), To: offheap.Make[int64](h, n),
	}
	rows, err := conn.QueryContext(ctx, `
		SELECT seq, pos, minx, miny, maxx, maxy, valid_from, valid_to
		FROM features INDEXED BY features_bounds WHERE layer_num = ? AND rec_to = ? ORDER BY pos`, num, geo.OpenEnd)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		seq, p, from, to       int64
		minX, minY, maxX, maxY float64
		i                      int
	)
	for ; rows.Next(); i++ {
		if err := rows.Scan(&seq, &p, &minX, &minY, &maxX, &maxY, &from, &to); err != nil {
			return nil, err
		}
		if i == n {
			return nil, errors.New("features changed while read") // cannot happen in one transaction
		}
		if !(minX <= maxX && minY <= maxY) || math.IsInf(minX, 0) || math.IsInf(maxX, 0) || math.IsInf(minY, 0) || math.IsInf(maxY, 0) {
			return nil, damaged(fmt.Sprint("number ", num), "", seq, errors.New("bounds are not finite"))
		}
		if err := geo.CheckStoredInterval(geo.Interval{Start: from, End: to}); err != nil {
			return nil, damaged(fmt.Sprint("number ", num), "", seq, err)
		}
		if c.MaxX == nil && (maxX != minX || maxY != minY) {
			// Not a point: from now on, keep the maxima apart.
			c.MaxX, c.MaxY = offheap.Make[float64](h, n), offheap.Make[float64](h, n)
			copy(c.MaxX, c.MinX[:i])
			copy(c.MaxY, c.MinY[:i])
		}
		c.Row[i], c.MinX[i], c.MinY[i], c.From[i], c.To[i] = seq, minX, minY, from, to
		pos[i] = p
		if c.MaxX != nil {
			c.MaxX[i], c.MaxY[i] = maxX, maxY
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if i != n {
		return nil, errors.New("features changed while read")
	}
	return c, nil
}
