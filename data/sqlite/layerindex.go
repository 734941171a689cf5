package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"

	"strata/geo"
)

// layerRef is what a query needs of a layer: its number and the
// generation of its features.
type layerRef struct {
	num, gen int64
}

func (s *DB) layerRef(ctx context.Context, id string) (layerRef, error) {
	var r layerRef
	err := s.db.QueryRowContext(ctx, "SELECT num, generation FROM layers WHERE id = ?", id).Scan(&r.num, &r.gen)
	if errors.Is(err, sql.ErrNoRows) {
		return r, geo.NotFoundf("layer %q does not exist", id)
	}
	return r, err
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
		ix, err := s.loadIndex(s.ctx, ref.num)
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

// build reads layer num's bounds and builds its index. On failure the slot
// stays empty, and the next query tries again.
func (s *DB) build(num int64, sl *indexSlot) {
	defer s.builds.Done()
	ix, err := s.loadIndex(s.ctx, num)
	s.ixMu.Lock()
	defer s.ixMu.Unlock()
	sl.building = false
	if err == nil {
		sl.ix = ix
	}
}

// loadIndex reads a layer's generation and bounds in one read transaction
// and builds its index.
func (s *DB) loadIndex(ctx context.Context, num int64) (*index, error) {
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
	c := &columns{
		seq:  make([]int64, 0, n),
		minX: make([]float64, 0, n), minY: make([]float64, 0, n), maxX: make([]float64, 0, n), maxY: make([]float64, 0, n),
		from: make([]int64, 0, n), to: make([]int64, 0, n),
	}
	rows, err := conn.QueryContext(ctx, `
		SELECT seq, minx, miny, maxx, maxy, valid_from, valid_to
		FROM features INDEXED BY features_bounds WHERE layer_num = ? ORDER BY seq`, num)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		seq, from, to          int64
		minX, minY, maxX, maxY float64
	)
	for rows.Next() {
		if err := rows.Scan(&seq, &minX, &minY, &maxX, &maxY, &from, &to); err != nil {
			return nil, err
		}
		c.seq = append(c.seq, seq)
		c.minX, c.minY = append(c.minX, minX), append(c.minY, minY)
		c.maxX, c.maxY = append(c.maxX, maxX), append(c.maxY, maxY)
		c.from, c.to = append(c.from, from), append(c.to, to)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return buildIndex(gen, c), nil
}

// scratch is per-query memory, pooled.
type scratch struct {
	ranks []uint32
	seqs  []int64
	args  []any
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// fetchSizes are the batch sizes of fetch: a batch is padded to the next
// size, so that few statements serve every page.
var fetchSizes = [...]int{8, 32, 128, 512}

type fetchKey struct {
	size  int
	light bool
}

// fetchStmt returns the prepared statement that reads size rows by seq.
func (s *DB) fetchStmt(ctx context.Context, k fetchKey) (*sql.Stmt, error) {
	s.ixMu.Lock()
	defer s.ixMu.Unlock()
	if st := s.fetches[k]; st != nil {
		return st, nil
	}
	q := "SELECT " + featureColumns(k.light, "") + " FROM features WHERE seq IN (?" + strings.Repeat(",?", k.size-1) + ") ORDER BY seq"
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	s.fetches[k] = st
	return st, nil
}

// fetch reads the rows of sc.seqs (ascending) in batches and calls fn for
// each, in order.
func (s *DB) fetch(ctx context.Context, f geo.Filter, sc *scratch, fn func(*geo.Feature) error) error {
	seqs := sc.seqs
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
		st, err := s.fetchStmt(ctx, fetchKey{size, f.Light})
		if err != nil {
			return err
		}
		sc.args = sc.args[:0]
		for _, q := range batch {
			sc.args = append(sc.args, q)
		}
		for len(sc.args) < size {
			sc.args = append(sc.args, int64(-1)) // no feature has seq -1
		}
		rows, err := st.QueryContext(ctx, sc.args...)
		if err != nil {
			return err
		}
		if err := s.scanFeatures(ctx, rows, f, fn); err != nil {
			return err
		}
	}
	return nil
}
