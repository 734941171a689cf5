package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/mattn/go-sqlite3"

	"strata/geo"
)

// layerRef is what a query needs of a layer: its number and the
// generation of its features.
type layerRef struct {
	num, gen int64
}

// indexSlot holds a layer's index, if one is built, and whether a build
// is under way.
type indexSlot struct {
	ix       *index
	building bool
}

// index returns the layer's in-memory index if it is built for the
// layer's current generation. Otherwise it returns nil, and starts a
// build in the background unless one is running.
func (s *DB) index(ref layerRef) *index {
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
	case sl.ix != nil && sl.ix.gen == ref.gen:
		return sl.ix
	case sl.ix != nil && sl.ix.gen > ref.gen:
		return nil // ref was read before the import the index reflects
	}
	sl.ix = nil // out of date: let its memory go
	if sl.building || s.ctx.Err() != nil {
		return nil
	}
	if s.indexMode == syncIndex {
		ix, err := s.loadIndex(s.ctx, ref.num, nil)
		if err != nil {
			return nil
		}
		sl.ix = ix
		return sl.ix.current(ref.gen)
	}
	sl.building = true
	s.builds.Add(1)
	go s.build(ref.num, sl)
	return nil
}

// current returns ix if it reflects generation gen, else nil.
func (ix *index) current(gen int64) *index {
	if ix.gen != gen {
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
	_, err := s.loadIndex(s.ctx, num, func(ix *index) {
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
func (s *DB) loadIndex(ctx context.Context, num int64, publish func(*index)) (*index, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	// A deferred transaction reads one snapshot without blocking writers
	// (BeginTx would take the write lock: see _txlock in Open).
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return nil, err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
	var gen, n int64
	if err := conn.QueryRowContext(ctx, "SELECT generation FROM layers WHERE num = ?", num).Scan(&gen); err != nil {
		return nil, err
	}
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM features INDEXED BY features_bounds WHERE layer_num = ?", num).Scan(&n); err != nil {
		return nil, err
	}
	h := &offHeap{}
	tmp := &offHeap{} // pos by rank, until the attributes are read
	defer tmp.free()
	pos := offHeapSlice[int64](tmp, int(n))
	c, err := readColumns(ctx, conn, num, pos, h)
	if err != nil {
		h.free()
		return nil, err
	}
	ix := buildIndex(gen, c, h)
	if publish != nil {
		publish(ix)
	}
	if ix.maxX == nil && len(ix.rank) > 0 {
		a, err := readPointAttrs(ctx, conn, num, pos, ix)
		switch {
		case err != nil && publish == nil:
			return nil, err
		case a != nil:
			ix.attrs.Store(a)
		}
	}
	return ix, nil
}

// readColumns reads the n = len(pos) entries of layer num into columns
// outside the heap, and their pos into pos.
func readColumns(ctx context.Context, conn *sql.Conn, num int64, pos []int64, h *offHeap) (*columns, error) {
	n := len(pos)
	c := &columns{
		seq:  offHeapSlice[int64](h, n),
		minX: offHeapSlice[float64](h, n), minY: offHeapSlice[float64](h, n),
		from: offHeapSlice[int64](h, n), to: offHeapSlice[int64](h, n),
	}
	rows, err := conn.QueryContext(ctx, `
		SELECT seq, pos, minx, miny, maxx, maxy, valid_from, valid_to
		FROM features INDEXED BY features_bounds WHERE layer_num = ? ORDER BY pos`, num)
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
		if c.maxX == nil && (maxX != minX || maxY != minY) {
			// Not a point: from now on, keep the maxima apart.
			c.maxX, c.maxY = offHeapSlice[float64](h, n), offHeapSlice[float64](h, n)
			copy(c.maxX, c.minX[:i])
			copy(c.maxY, c.minY[:i])
		}
		c.seq[i], c.minX[i], c.minY[i], c.from[i], c.to[i] = seq, minX, minY, from, to
		pos[i] = p
		if c.maxX != nil {
			c.maxX[i], c.maxY[i] = maxX, maxY
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

// scratch is per-query memory, pooled. Its size depends on the batch
// size of fetch, not on the number of features a query returns.
type scratch struct {
	ranks []uint32
	seqs  []int64
	args  []driver.NamedValue
	dest  []driver.Value
	order []int      // batch positions by seq
	rows  []fetchRow // a batch's rows, in batch order
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// fetchRow is a row read by fetch. Its text and blob columns are the
// values the driver returned, which nothing else holds.
type fetchRow struct {
	found          bool
	id, name, kind string
	props, src     string
	geom           []byte
	valid          geo.Interval
	precisionM     float64
}

// fetchSizes are the batch sizes of fetch: a batch is padded to the next
// size, so that few statements serve every page.
var fetchSizes = [...]int{8, 32, 128, 512}

type fetchKey struct {
	size  int
	light bool
}

// fetchQuery is the statement that reads k.size rows by seq.
func fetchQuery(k fetchKey) string {
	// Rows come in seq order (SQLite walks the IN list sorted), which is
	// the order they are stored in.
	return "SELECT " + featureColumns(k.light, "") + " FROM features WHERE seq IN (?" + strings.Repeat(",?", k.size-1) + ")"
}

// rawStmt returns the statement of k prepared on the driver connection c,
// preparing it on first use. Statements stay prepared for the life of
// the connection; Close finalizes them.
func (s *DB) rawStmt(c *sqlite3.SQLiteConn, k fetchKey) (driver.Stmt, error) {
	s.ixMu.Lock()
	defer s.ixMu.Unlock()
	m := s.rawStmts[c]
	if st := m[k]; st != nil {
		return st, nil
	}
	st, err := c.Prepare(fetchQuery(k))
	if err != nil {
		return nil, err
	}
	if m == nil {
		m = map[fetchKey]driver.Stmt{}
		s.rawStmts[c] = m
	}
	m[k] = st
	return st, nil
}

// fetch reads the rows of sc.seqs in batches and calls fn for each, in
// the order of sc.seqs. A seq no longer stored (removed by an import since
// the index was read) is skipped.
func (s *DB) fetch(ctx context.Context, f geo.Filter, sc *scratch, fn func(*geo.Feature) error) error {
	seqs := sc.seqs
	feat := geo.Feature{Layer: f.Layer}
	for len(seqs) > 0 {
		size := fetchSizes[len(fetchSizes)-1]
		for _, sz := range fetchSizes {
			if sz >= len(seqs) {
				size = sz
				break
			}
		}
		batch := seqs[:min(size, len(seqs))]
		seqs = seqs[len(batch):]
		if err := s.readBatch(ctx, f.Light, batch, size, sc); err != nil {
			return err
		}
		for i := range batch {
			r := &sc.rows[i]
			if !r.found {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			feat.ID, feat.Name, feat.Kind = r.id, r.name, r.kind
			feat.Valid, feat.PrecisionM = r.valid, r.precisionM
			var err error
			if feat.Geometry, err = unmarshalWKB(r.geom); err != nil {
				return fmt.Errorf("feature %s/%s: bad WKB: %w", f.Layer, feat.ID, err)
			}
			// The properties text is this row's own copy: share its bytes.
			feat.Properties = unsafe.Slice(unsafe.StringData(r.props), len(r.props))
			feat.Sources = nil
			if !f.Light {
				if feat.Sources, err = s.sources.get(unsafe.Slice(unsafe.StringData(r.src), len(r.src))); err != nil {
					return fmt.Errorf("feature %s/%s: %w", f.Layer, feat.ID, err)
				}
			}
			if err := fn(&feat); err != nil {
				return err
			}
		}
	}
	return nil
}

// readBatch reads the rows of batch into sc.rows, in batch order, with
// one statement of size parameters, through the driver's connection
// rather than database/sql: the driver's values are used as they come,
// without database/sql's conversions and copies.
func (s *DB) readBatch(ctx context.Context, light bool, batch []int64, size int, sc *scratch) error {
	sc.args = sc.args[:0]
	for i, q := range batch {
		sc.args = append(sc.args, driver.NamedValue{Ordinal: i + 1, Value: q})
	}
	for len(sc.args) < size {
		sc.args = append(sc.args, driver.NamedValue{Ordinal: len(sc.args) + 1, Value: int64(-1)}) // no feature has seq -1
	}
	// Rows arrive in seq order: match them to batch positions sorted by
	// seq.
	sc.order = sc.order[:0]
	for i := range batch {
		sc.order = append(sc.order, i)
	}
	slices.SortFunc(sc.order, func(a, b int) int { return cmp.Compare(batch[a], batch[b]) })
	clear(sc.rows)
	sc.rows = append(sc.rows[:0], make([]fetchRow, len(batch))...)
	if cap(sc.dest) < 10 {
		sc.dest = make([]driver.Value, 10)
	}
	dest := sc.dest[:10]
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("sqlite: unexpected driver connection %T", dc)
		}
		st, err := s.rawStmt(c, fetchKey{size, light})
		if err != nil {
			return err
		}
		rows, err := st.(driver.StmtQueryContext).QueryContext(ctx, sc.args)
		if err != nil {
			return err
		}
		defer rows.Close()
		next := 0
		for {
			if err := rows.Next(dest); err == io.EOF {
				break
			} else if err != nil {
				return err
			}
			seq, _ := dest[0].(int64)
			for next < len(sc.order) && batch[sc.order[next]] < seq {
				next++
			}
			if next == len(sc.order) || batch[sc.order[next]] != seq {
				continue
			}
			r := &sc.rows[sc.order[next]]
			r.found = true
			r.id, r.name, r.kind = textValue(dest[1]), textValue(dest[2]), textValue(dest[3])
			r.geom, _ = dest[4].([]byte)
			r.valid.Start, _ = dest[5].(int64)
			r.valid.End, _ = dest[6].(int64)
			r.precisionM = realValue(dest[7])
			r.props, r.src = textValue(dest[8]), textValue(dest[9])
			next++
		}
		return nil
	})
}

// textValue returns a TEXT column's value ("" for NULL).
func textValue(v driver.Value) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return ""
}

// realValue returns a REAL column's value.
func realValue(v driver.Value) float64 {
	switch v := v.(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	}
	return 0
}

// ValidTimes calls fn with the valid time of every feature of the layer,
// in no particular order: from the in-memory index when it is built,
// else from one scan of features_bounds. Errors: geo.ErrNotFound for an
// unknown layer.
func (s *DB) ValidTimes(ctx context.Context, layer string, fn func(geo.Interval)) error {
	ref, err := s.layerRef(ctx, layer)
	if err != nil {
		return err
	}
	if ix := s.index(ref); ix != nil {
		var iv geo.Interval
		for p := range ix.rank {
			iv.Start, iv.End = ix.times.at(p)
			fn(iv)
		}
		return ctx.Err()
	}
	rows, err := s.db.QueryContext(ctx, "SELECT valid_from, valid_to FROM features INDEXED BY features_bounds WHERE layer_num = ?", ref.num)
	if err != nil {
		return err
	}
	defer rows.Close()
	var iv geo.Interval
	for rows.Next() {
		if err := rows.Scan(&iv.Start, &iv.End); err != nil {
			return err
		}
		fn(iv)
	}
	return rows.Err()
}
