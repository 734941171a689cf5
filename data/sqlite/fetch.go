package sqlite

import (
	"cmp"
	"context"
	"database/sql/driver"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"github.com/mattn/go-sqlite3"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"strata/geo"
	"strata/geo/geojson"
	"strata/internal/spacetime"
)

// scratch is per-query memory, pooled. Its size depends on the batch
// size of fetch, not on the number of features a query returns.
type scratch struct {
	ranks   []uint32
	seqs    []int64
	partial []bool       // by position in seqs, when fetch tests them (else nil)
	sources []geo.Source // the sources fn is given: its own copy
	args    []driver.NamedValue
	dest    []driver.Value
	order   []int       // batch positions by seq
	rows    []fetchRow  // a batch's rows, in batch order
	feat    geo.Feature // the feature given to fn
	// For fetchEncoded: a batch's encodings found (nil: to read), the
	// seqs to read, and an encoding's buffer.
	enc  []encoded
	miss []int64
	buf  []byte
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
// the order of sc.seqs, and returns how many it gave fn. With sc.partial
// set, a row flagged in it is given to fn only if its geometry meets
// f.BBox. Rows are never changed once written, so they are
// what the snapshot that chose them saw; a seq not found means a damaged
// database, and is an error.
func (s *DB) fetch(ctx context.Context, f geo.Filter, sc *scratch, fn func(*geo.Feature) error) (int, error) {
	if f.Encoded && !f.Light && s.enc.limit > 0 {
		return s.fetchEncoded(ctx, f, sc, fn)
	}
	seqs := sc.seqs
	done, n := 0, 0 // rows read, features given to fn
	for len(seqs) > 0 {
		size := batchSize(len(seqs))
		batch := seqs[:min(size, len(seqs))]
		seqs = seqs[len(batch):]
		first := done
		done += len(batch)
		if err := s.readBatch(ctx, f.Light, batch, size, sc); err != nil {
			return n, err
		}
		for i := range batch {
			ok, err := s.rowFeature(ctx, f, batch[i], &sc.rows[i], sc.isPartial(first+i), sc)
			if err != nil {
				return n, err
			}
			if !ok {
				continue // its bounds meet the box, its geometry does not
			}
			n++
			if err := fn(&sc.feat); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// isPartial reports whether the candidate at position i of sc.seqs must
// have its geometry tested against the query's box.
func (sc *scratch) isPartial(i int) bool {
	return sc.partial != nil && sc.partial[i]
}

// batchSize is the statement size, among fetchSizes, for reading n rows.
func batchSize(n int) int {
	for _, sz := range fetchSizes {
		if sz >= n {
			return sz
		}
	}
	return fetchSizes[len(fetchSizes)-1]
}

// fetchEncoded is fetch for a query that wants GeoJSON (Filter.Encoded):
// the encodings found in s.enc are given as they are, without reading
// their rows; the other rows are read in batches, encoded once and kept.
// A partial candidate is always read, as its geometry must be tested.
func (s *DB) fetchEncoded(ctx context.Context, f geo.Filter, sc *scratch, fn func(*geo.Feature) error) (int, error) {
	seqs := sc.seqs
	done, n := 0, 0
	var out geo.Feature
	misses := 0
	defer func() { s.enc.count(done-misses, misses) }()
	for len(seqs) > 0 {
		batch := seqs[:min(fetchSizes[len(fetchSizes)-1], len(seqs))]
		seqs = seqs[len(batch):]
		first := done
		done += len(batch)
		// The encodings at hand, and the rows to read.
		sc.enc = sc.enc[:0]
		sc.miss = sc.miss[:0]
		for i, q := range batch {
			var e encoded
			if !sc.isPartial(first + i) {
				e = s.enc.get(q)
			}
			if e.json == nil {
				sc.miss = append(sc.miss, q)
			}
			sc.enc = append(sc.enc, e)
		}
		misses += len(sc.miss)
		if len(sc.miss) > 0 {
			if err := s.readBatch(ctx, false, sc.miss, batchSize(len(sc.miss)), sc); err != nil {
				return n, err
			}
		}
		m := 0 // the next row of sc.rows
		for i, q := range batch {
			e := sc.enc[i]
			if e.json == nil {
				ok, err := s.rowFeature(ctx, f, q, &sc.rows[m], sc.isPartial(first+i), sc)
				m++
				if err != nil {
					return n, err
				}
				if !ok {
					continue
				}
				sc.buf = geojson.AppendFeature(sc.buf[:0], &sc.feat)
				e = encoded{id: sc.feat.ID, json: slices.Clone(sc.buf)}
				s.enc.put(q, e)
			} else if err := ctx.Err(); err != nil {
				return n, err
			}
			out.ID, out.JSON = e.id, e.json
			n++
			if err := fn(&out); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// rowFeature sets sc.feat from row r, seq q, read by readBatch, checking
// it (once per process: see rowSet). With partial set, it reports false
// when the geometry does not meet f.BBox.
func (s *DB) rowFeature(ctx context.Context, f geo.Filter, q int64, r *fetchRow, partial bool, sc *scratch) (bool, error) {
	if !r.found {
		return false, fmt.Errorf("feature %s: row %d is missing", f.Layer, q)
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	feat := &sc.feat
	feat.Layer = f.Layer
	feat.ID, feat.Name, feat.Kind = r.id, r.name, r.kind
	feat.Valid, feat.PrecisionM = r.valid, r.precisionM
	var err error
	if feat.Geometry, err = unmarshalWKB(r.geom); err != nil {
		return false, damaged(f.Layer, feat.ID, q, err)
	}
	// The properties text is this row's own copy: share its bytes.
	feat.Properties = unsafe.Slice(unsafe.StringData(r.props), len(r.props))
	feat.Sources = nil
	if !f.Light {
		if sc.sources, err = s.sources.appendTo(sc.sources, unsafe.Slice(unsafe.StringData(r.src), len(r.src))); err != nil {
			return false, damaged(f.Layer, feat.ID, q, err)
		}
		feat.Sources = sc.sources
	}
	if !s.checked.has(q) && !(f.Light && s.checkedLight.has(q)) {
		if err := checkRow(feat, !f.Light); err != nil {
			return false, damaged(f.Layer, feat.ID, q, err)
		}
		if f.Light {
			s.checkedLight.add(q)
		} else {
			s.checked.add(q)
		}
	}
	if partial && !f.BBox.IntersectsGeometry(feat.Geometry) {
		return false, nil
	}
	return true, nil
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

// featureColumns lists the columns fetch reads, prefixed.
func featureColumns(light bool, p string) string {
	if light {
		return p + "seq, " + p + "id, " + p + "name, " + p + "kind, " + p + "geom, " + p + "valid_from, " + p + "valid_to, " + p + "precision_m, '', ''"
	}
	return p + "seq, " + p + "id, " + p + "name, " + p + "kind, " + p + "geom, " + p + "valid_from, " + p + "valid_to, " + p + "precision_m, " + p + "properties, " + p + "sources"
}

// unmarshalWKB decodes WKB, reading a little-endian 2-D point (most
// features) directly.
func unmarshalWKB(b []byte) (orb.Geometry, error) {
	if len(b) == 21 && b[0] == 1 && binary.LittleEndian.Uint32(b[1:]) == 1 {
		return orb.Point{
			math.Float64frombits(binary.LittleEndian.Uint64(b[5:])),
			math.Float64frombits(binary.LittleEndian.Uint64(b[13:])),
		}, nil
	}
	return wkb.Unmarshal(b)
}

// exactBatch is the number of geometries exactSeqs reads a statement.
const exactBatch = 256

// exactSeqs decides the candidates of a bbox query: cands are seqs, those
// whose bounds do not lie inside box negated. It returns, in the same
// order and reusing cands, the seqs of those whose geometry meets box:
// every positive one, and the negated ones that pass
// geo.BBox.IntersectsGeometry.
func (s *DB) exactSeqs(ctx context.Context, box *geo.BBox, cands []int64) ([]int64, error) {
	var partial []int64
	for _, q := range cands {
		if q < 0 {
			partial = append(partial, -q)
		}
	}
	meets := map[int64]bool{}
	for len(partial) > 0 {
		batch := partial[:min(exactBatch, len(partial))]
		partial = partial[len(batch):]
		args := make([]any, len(batch))
		for i, q := range batch {
			args[i] = q
		}
		rows, err := s.db.QueryContext(ctx, "SELECT seq, geom FROM features WHERE seq IN (?"+strings.Repeat(",?", len(batch)-1)+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var (
				seq  int64
				geom []byte
			)
			if err := rows.Scan(&seq, &geom); err != nil {
				rows.Close()
				return nil, err
			}
			g, err := unmarshalWKB(geom)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("row %d: bad WKB: %w", seq, err)
			}
			meets[seq] = box.IntersectsGeometry(g)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	out := cands[:0]
	for _, q := range cands {
		if q < 0 {
			if !meets[-q] {
				continue
			}
			q = -q
		}
		out = append(out, q)
	}
	return out, nil
}

// exact returns the test of an index's partial candidates against box's
// geometry (nil without a box).
func (s *DB) exact(ctx context.Context, box *geo.BBox, ix *spacetime.Index) spacetime.Exact {
	if box == nil {
		return nil
	}
	return func(ranks []uint32) ([]uint32, error) {
		var cands []int64
		for _, r := range ranks {
			if r&spacetime.Partial != 0 {
				cands = append(cands, -ix.Row(r&^spacetime.Partial))
			}
		}
		kept, err := s.exactSeqs(ctx, box, cands)
		if err != nil {
			return nil, err
		}
		pass := make(map[int64]bool, len(kept))
		for _, q := range kept {
			pass[q] = true
		}
		out := ranks[:0]
		for _, r := range ranks {
			if r&spacetime.Partial != 0 {
				r &^= spacetime.Partial
				if !pass[ix.Row(r)] {
					continue
				}
			}
			out = append(out, r)
		}
		return out, nil
	}
}

// checkRow checks the values of a row read back, which another program or
// a damaged file may have written (geo.CheckStoredGeometry,
// geo.CheckStoredInterval, UTF-8 text, a precision import would take and,
// with full, properties that are a JSON object).
func checkRow(f *geo.Feature, full bool) error {
	if err := geo.CheckStoredGeometry(f.Geometry); err != nil {
		return err
	}
	if err := geo.CheckStoredInterval(f.Valid); err != nil {
		return err
	}
	if !(f.PrecisionM >= 0 && f.PrecisionM <= 1e7) {
		return fmt.Errorf("precision_m %g is out of range", f.PrecisionM)
	}
	for _, t := range [...]string{f.ID, f.Name, f.Kind} {
		if !utf8.ValidString(t) {
			return errors.New("a text column is not UTF-8")
		}
	}
	if full {
		p := f.Properties
		if len(p) < 2 || p[0] != '{' || !json.Valid(p) {
			return errors.New("properties are not a JSON object")
		}
	}
	return nil
}

// damaged is the error for row seq of a layer, feature id, whose stored
// values fail checkRow: an internal error, never the client's, whose text
// the server logs and does not show.
func damaged(layer, id string, seq int64, err error) error {
	return fmt.Errorf("sqlite: feature %q of layer %q (row %d) is damaged: %v", id, layer, seq, err)
}

// rowSet is a set of seqs, safe for concurrent use: the rows that passed
// checkRow in full. A row never changes once written, so it is checked
// once for the life of the process, not once a read (checking the JSON of
// every row of every page cost about a tenth of an items request). Seqs
// are dense (AUTOINCREMENT), so a bit each is enough: 125 KB a million
// rows.
type rowSet struct {
	mu   sync.Mutex // serialises growing
	bits atomic.Pointer[[]uint64]
}

// has reports whether seq is in the set.
func (r *rowSet) has(seq int64) bool {
	b := r.bits.Load()
	if b == nil || seq < 0 || seq/64 >= int64(len(*b)) {
		return false
	}
	return atomic.LoadUint64(&(*b)[seq/64])&(1<<(seq%64)) != 0
}

// add puts seq in the set.
func (r *rowSet) add(seq int64) {
	if seq < 0 || seq >= 1<<27 {
		return // beyond 16 MiB of bits: the row is checked each time
	}
	b := r.bits.Load()
	if b == nil || seq/64 >= int64(len(*b)) {
		r.mu.Lock()
		b = r.bits.Load()
		if b == nil || seq/64 >= int64(len(*b)) {
			n := max(2*(seq/64+1), 1024)
			grown := make([]uint64, n)
			if b != nil {
				// Bits added to the old array after this copy are lost,
				// which only means those rows are checked again.
				for i := range *b {
					grown[i] = atomic.LoadUint64(&(*b)[i])
				}
			}
			b = &grown
			r.bits.Store(b)
		}
		r.mu.Unlock()
	}
	atomic.OrUint64(&(*b)[seq/64], 1<<(seq%64))
}
