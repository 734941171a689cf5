package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"strata/geo"
	"strata/internal/spacetime"
)

// snapshot is the database as of one data version: the layers table held
// in memory (every request needs a layer's number and generation, and
// tile and collection requests its metadata), and the version whose rows
// its queries read. The latest is kept and shared until a write, by this
// process or another, bumps the version.
type snapshot struct {
	db      *DB
	version int64
	// layers counts the changes to the layers table (meta 'layers'): a
	// later version with the same count shares list and byID.
	layers int64
	list   []geo.Layer // by order, then id; never changed once read
	byID   map[string]layerEntry
}

var _ geo.Snapshot = (*snapshot)(nil)

// layerEntry is a layer's place in a snapshot.
type layerEntry struct {
	ref layerRef
	i   int // index in list
}

// layerRef is what a query needs of a layer: its number and the
// generation of its features.
type layerRef struct {
	num, gen int64
}

// Snapshot returns the data as of the current version: it reads the
// version (one prepared statement) and, when it changed since the last
// call, the layers table, in one read transaction.
func (s *DB) Snapshot(ctx context.Context) (geo.Snapshot, error) {
	return s.snapshot(ctx)
}

func (s *DB) snapshot(ctx context.Context) (*snapshot, error) {
	if s.closed.Load() {
		// A version read just before Close would otherwise look fresh.
		return nil, errClosed
	}
	// Fresh enough: read within Recheck, and no write of this process
	// has ended since the read began.
	now := time.Since(clockStart)
	writes := s.writes.Load()
	if c := s.lastCheck.Load(); c != nil && c.writes == writes && now-c.at < Recheck && now >= c.at {
		return c.snap, nil
	}
	var v, layers int64
	if err := s.versionStmt.QueryRowContext(ctx).Scan(&v, &layers); err != nil {
		return nil, err
	}
	snap, err := s.snapshotAt(ctx, v, layers)
	if err != nil {
		return nil, err
	}
	s.lastCheck.Store(&check{snap: snap, at: now, writes: writes})
	return snap, nil
}

// errClosed is what a snapshot of a closed DB gets.
var errClosed = errors.New("sqlite: the database is closed")

// Recheck is how long a data version read stays fresh for Snapshot when
// no write of this process has ended since: a write made by another
// process (or through another DB on the same file) is seen within that
// time. Reading the version is a query, and nearly every request would
// make one: read once a millisecond, it was still 4% of the server's CPU
// on uncached tiles (a thousand queries a second, more when concurrent
// requests found the read stale at once).
const Recheck = 10 * time.Millisecond

// clockStart is the origin of the monotonic times in check.
var clockStart = time.Now()

// check is the last version read by Snapshot: the snapshot it gave, when
// the read began (since clockStart) and the count of this process's
// ended writes before it began.
type check struct {
	snap   *snapshot
	at     time.Duration
	writes uint64
}

// snapshotAt returns the snapshot of version v with layers count layers,
// reusing the latest one's layers when they did not change.
func (s *DB) snapshotAt(ctx context.Context, v, layers int64) (*snapshot, error) {
	last := s.snap.Load()
	// The layers count too: a Restore may set the version to the one
	// already seen, with other layers.
	if last != nil && last.version == v && last.layers == layers {
		return last, nil
	}
	var snap *snapshot
	if last != nil && last.layers == layers {
		// A write that left the layers as they were (both numbers come
		// from one statement, so from one state of the file).
		snap = &snapshot{db: s, version: v, layers: layers, list: last.list, byID: last.byID}
	} else {
		var err error
		if snap, err = s.readSnapshot(ctx); err != nil {
			return nil, err
		}
	}
	if old := s.snap.Load(); old == nil || old.version < snap.version || (old.version == snap.version && old.layers != snap.layers) {
		s.snap.CompareAndSwap(old, snap)
	}
	return snap, nil
}

// readTx returns a connection in a read transaction, which sees one
// state of the database, and the function that ends both.
func (s *DB) readTx(ctx context.Context) (*sql.Conn, func(), error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	// A deferred transaction reads one snapshot without blocking writers
	// (BeginTx would take the write lock: see _txlock in Open).
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		conn.Close()
		return nil, nil, err
	}
	return conn, func() {
		conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		conn.Close()
	}, nil
}

// readSnapshot reads the version and the layers in one read transaction.
func (s *DB) readSnapshot(ctx context.Context) (*snapshot, error) {
	conn, end, err := s.readTx(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	snap := &snapshot{db: s, byID: map[string]layerEntry{}}
	if err := conn.QueryRowContext(ctx, "SELECT (SELECT value FROM meta WHERE key = 'version'), (SELECT value FROM meta WHERE key = 'layers')").Scan(&snap.version, &snap.layers); err != nil {
		return nil, err
	}
	if err := snap.readLayers(ctx, conn); err != nil {
		return nil, err
	}
	return snap, nil
}

// readLayers reads the layers table into snap.
func (snap *snapshot) readLayers(ctx context.Context, conn *sql.Conn) error {
	rows, err := conn.QueryContext(ctx, "SELECT "+layerColumns+", generation FROM layers ORDER BY ord, id")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var gen int64
		num, l, err := scanLayer(rows, &gen)
		if err != nil {
			return err
		}
		snap.byID[l.ID] = layerEntry{ref: layerRef{num: num, gen: gen}, i: len(snap.list)}
		snap.list = append(snap.list, l)
	}
	return rows.Err()
}

// Version returns the data version the snapshot reads.
func (snap *snapshot) Version() int64 { return snap.version }

// Layers returns every layer by order, then id.
func (snap *snapshot) Layers() []geo.Layer { return slices.Clone(snap.list) }

// Layer returns one layer, or an error wrapping geo.ErrNotFound.
func (snap *snapshot) Layer(id string) (geo.Layer, error) {
	e, err := snap.entry(id)
	if err != nil {
		return geo.Layer{}, err
	}
	return snap.list[e.i], nil
}

// entry returns layer id's place in the snapshot, or an error wrapping
// geo.ErrNotFound.
func (snap *snapshot) entry(id string) (layerEntry, error) {
	e, ok := snap.byID[id]
	if !ok {
		return e, geo.NotFoundf("layer %q does not exist", id)
	}
	return e, nil
}

// current is the SQL condition, on table alias f, for the rows of the
// snapshot's version; its two arguments are the version twice.
const current = "f.rec_from <= ? AND f.rec_to > ?"

// Extent computes the layer's extent from its rows; the result is kept
// for the snapshot's version.
func (snap *snapshot) Extent(ctx context.Context, layer string) (geo.Extent, error) {
	e, err := snap.entry(layer)
	if err != nil {
		return geo.Extent{}, err
	}
	s := snap.db
	key := extentKey{snap.version, layer}
	s.mu.Lock()
	ext, ok := s.extents[key]
	s.mu.Unlock()
	if ok {
		return ext, nil
	}
	var (
		n                      int
		minx, miny, maxx, maxy sql.NullFloat64
		from, to               sql.NullInt64
	)
	err = s.db.QueryRowContext(ctx, `
		SELECT count(*), min(minx), min(miny), max(maxx), max(maxy), min(valid_from), max(valid_to)
		FROM features f INDEXED BY features_bounds WHERE f.layer_num = ? AND `+current,
		e.ref.num, snap.version, snap.version).Scan(&n, &minx, &miny, &maxx, &maxy, &from, &to)
	if err != nil {
		return geo.Extent{}, err
	}
	ext = geo.Extent{Empty: n == 0}
	if n > 0 {
		ext.BBox = orb.Bound{Min: orb.Point{minx.Float64, miny.Float64}, Max: orb.Point{maxx.Float64, maxy.Float64}}
		ext.Time = geo.Interval{Start: from.Int64, End: to.Int64}
	}
	s.mu.Lock()
	for k := range s.extents {
		if k.version != snap.version {
			delete(s.extents, k) // keep one version's
		}
	}
	s.extents[key] = ext
	s.mu.Unlock()
	return ext, nil
}

// Feature returns the snapshot's version of one feature, or an error
// wrapping geo.ErrNotFound. It shares nothing with other results.
func (snap *snapshot) Feature(ctx context.Context, layer, id string) (*geo.Feature, error) {
	e, err := snap.entry(layer)
	if err != nil {
		return nil, err
	}
	s := snap.db
	var (
		feat              = geo.Feature{Layer: layer}
		geom, props, srcs []byte
		seq               int64
	)
	err = s.db.QueryRowContext(ctx, `
		SELECT seq, id, name, kind, geom, valid_from, valid_to, precision_m, properties, sources, ver
		FROM features f WHERE f.layer_num = ? AND f.id = ? AND `+current, e.ref.num, id, snap.version, snap.version).
		Scan(&seq, &feat.ID, &feat.Name, &feat.Kind, &geom, &feat.Valid.Start, &feat.Valid.End, &feat.PrecisionM, &props, &srcs, &feat.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, geo.NotFoundf("feature %q does not exist in layer %q", id, layer)
	}
	if err != nil {
		return nil, err
	}
	if err := s.decodeFeature(&feat, seq, geom, props, srcs); err != nil {
		return nil, err
	}
	if feat.Version < 1 {
		return nil, damaged(layer, id, seq, fmt.Errorf("version number %d", feat.Version))
	}
	return &feat, nil
}

// decodeFeature sets the geometry, properties and sources of feat from
// the stored values of row seq, and checks the whole row (checkRow).
func (s *DB) decodeFeature(feat *geo.Feature, seq int64, geom, props, srcs []byte) error {
	var err error
	if feat.Geometry, err = wkb.Unmarshal(geom); err != nil {
		return damaged(feat.Layer, feat.ID, seq, err)
	}
	feat.Properties = props
	if feat.Sources, err = s.sources.appendTo(nil, srcs); err != nil {
		return damaged(feat.Layer, feat.ID, seq, err)
	}
	if err := checkRow(feat, true); err != nil {
		return damaged(feat.Layer, feat.ID, seq, err)
	}
	return nil
}

// Search streams the features matching f in import order and counts them,
// from the layer's in-memory index when it is built for the snapshot's
// generation of the layer, else from a scan of features_bounds.
func (snap *snapshot) Search(ctx context.Context, f geo.Filter, fn func(*geo.Feature) error) (int, error) {
	if fn != nil {
		if n, ok, err := snap.searchShapes(ctx, f, fn); ok || err != nil {
			return n, err
		}
	}
	return snap.searchRows(ctx, f, fn)
}

// searchRows is Search reading the features from their rows.
func (snap *snapshot) searchRows(ctx context.Context, f geo.Filter, fn func(*geo.Feature) error) (int, error) {
	e, err := snap.entry(f.Layer)
	if err != nil {
		return 0, err
	}
	s := snap.db
	if fn == nil {
		f.Offset = math.MaxInt // count only
	}
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	sc.partial = sc.partial[:0]
	var n int
	li, ov, err := snap.indexed(ctx, e.ref)
	if err != nil {
		return 0, err
	}
	// Every match is read anyway (tiles read so): test the geometry of
	// the partial candidates as their rows come, not before.
	readAll := f.BBox != nil && f.Limit <= 0 && f.Offset <= 0 && fn != nil
	switch {
	case li != nil && !ov.empty():
		if n, err = s.merged(ctx, li, ov, f, sc, !readAll); err != nil {
			return 0, err
		}
		got, err := s.fetch(ctx, f, sc, fn)
		sc.partial = sc.partial[:0]
		if err != nil {
			return 0, err
		}
		if readAll {
			n = got
		}
		return n, ctx.Err()
	case li != nil && readAll && !li.ix.Points():
		q := spacetime.FilterQuery(f)
		var partial int
		sc.ranks, partial = li.ix.Search(&q, sc.ranks[:0])
		slices.SortFunc(sc.ranks, func(a, b uint32) int { return int(a&^spacetime.Partial) - int(b&^spacetime.Partial) })
		sc.seqs = sc.seqs[:0]
		for _, r := range sc.ranks {
			sc.seqs = append(sc.seqs, li.ix.Row(r&^spacetime.Partial))
			if partial > 0 {
				sc.partial = append(sc.partial, r&spacetime.Partial != 0)
			}
		}
		if partial == 0 {
			sc.partial = nil
		}
		n, err = s.fetch(ctx, f, sc, fn)
		sc.partial = sc.partial[:0]
		if err != nil {
			return 0, err
		}
		return n, ctx.Err()
	case li != nil:
		q := spacetime.FilterQuery(f)
		sc.seqs, n, err = li.ix.Page(&q, f.Offset, f.Limit, &sc.ranks, sc.seqs, s.exact(ctx, f.BBox, li.ix))
	default:
		sc.seqs, n, err = snap.scanPage(ctx, e.ref.num, f, sc.seqs[:0])
	}
	if err != nil {
		return 0, err
	}
	sc.partial = nil
	if _, err := s.fetch(ctx, f, sc, fn); err != nil {
		return 0, err
	}
	return n, ctx.Err()
}

// scan calls fn, in import order, with the seq, bounds and valid time of
// every row of the snapshot's version of layer num whose bounds and
// valid time match f, from the covering index features_bounds, and
// whether the bounds lie inside f's box.
func (snap *snapshot) scan(ctx context.Context, num int64, f geo.Filter, fn func(seq int64, valid geo.Interval, inside bool) error) error {
	src := "features f INDEXED BY features_bounds WHERE f.layer_num = ? AND " + current + " AND f.valid_from <= ? AND f.valid_to > ?"
	args := []any{num, snap.version, snap.version, f.Time.End, f.Time.Start}
	q := spacetime.FilterQuery(f) // for Inside: what the index would flag Partial
	box := f.BBox
	if box != nil {
		src += " AND f.miny <= ? AND f.maxy >= ?"
		args = append(args, box.MaxLat, box.MinLat)
		if box.CrossesAntimeridian() {
			src += " AND (f.maxx >= ? OR f.minx <= ?)"
			args = append(args, box.MinLon, box.MaxLon)
		} else {
			src += " AND f.minx <= ? AND f.maxx >= ?"
			args = append(args, box.MaxLon, box.MinLon)
		}
	}
	rows, err := snap.db.db.QueryContext(ctx, "SELECT f.seq, f.minx, f.miny, f.maxx, f.maxy, f.valid_from, f.valid_to FROM "+src+" ORDER BY f.pos", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		seq                    int64
		minX, minY, maxX, maxY float64
		iv                     geo.Interval
	)
	for rows.Next() {
		if err := rows.Scan(&seq, &minX, &minY, &maxX, &maxY, &iv.Start, &iv.End); err != nil {
			return err
		}
		if err := fn(seq, iv, q.Inside(minX, minY, maxX, maxY)); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanPage finds the matches of f without the in-memory index: it
// appends the seqs of the page to seqs and counts every match.
func (snap *snapshot) scanPage(ctx context.Context, num int64, f geo.Filter, seqs []int64) ([]int64, int, error) {
	var cands []int64 // every candidate; partial ones negated
	err := snap.scan(ctx, num, f, func(seq int64, _ geo.Interval, in bool) error {
		if !in {
			seq = -seq
		}
		cands = append(cands, seq)
		return nil
	})
	if err != nil {
		return seqs, 0, err
	}
	if f.BBox != nil {
		if cands, err = snap.db.exactSeqs(ctx, f.BBox, cands); err != nil {
			return seqs, 0, err
		}
	}
	offset := min(max(f.Offset, 0), len(cands))
	end := len(cands)
	if f.Limit > 0 {
		end = min(end, offset+f.Limit)
	}
	return append(seqs, cands[offset:end]...), len(cands), nil
}

// indexed returns the layer's index and its overlay at the snapshot's
// version, or nils when the layer is to be scanned.
func (snap *snapshot) indexed(ctx context.Context, ref layerRef) (*layerIndex, *overlay, error) {
	li := snap.db.index(ref, snap.version)
	if li == nil {
		return nil, nil, nil
	}
	ov, err := snap.db.overlayOf(ctx, li, snap.version)
	switch {
	case errors.Is(err, errOverlay):
		return nil, nil, nil // the scan answers it
	case err != nil:
		return nil, nil, err
	}
	return li, ov, nil
}

// Days counts the matching features by day: from the index's valid times
// when it is built, else from a scan.
func (snap *snapshot) Days(ctx context.Context, f geo.Filter) (geo.DayCounts, error) {
	e, err := snap.entry(f.Layer)
	if err != nil {
		return geo.DayCounts{}, err
	}
	var ivs []geo.Interval // of the partial candidates, decided after
	var seqs []int64
	li, ov, werr := snap.indexed(ctx, e.ref)
	if werr != nil {
		return geo.DayCounts{}, werr
	}
	c := geo.CountDays(func(yield func(geo.Interval) bool) {
		if li != nil {
			q := spacetime.FilterQuery(f)
			seen := 0
			werr = li.ix.Leaves(&q, func(p int, partial bool) error {
				if seen++; seen%4096 == 0 {
					if err := ctx.Err(); err != nil {
						return err
					}
				}
				if ov.isClosed(li.ix.Rank(p)) {
					return nil
				}
				var iv geo.Interval
				iv.Start, iv.End = li.ix.Time(p)
				if partial {
					ivs, seqs = append(ivs, iv), append(seqs, -li.ix.Row(li.ix.Rank(p)))
					return nil
				}
				yield(iv)
				return nil
			})
			ov.matches(&f, &q, func(r *overlayRow, in bool) {
				if !in {
					ivs, seqs = append(ivs, r.valid), append(seqs, -r.seq)
				} else {
					yield(r.valid)
				}
			})
		} else {
			werr = snap.scan(ctx, e.ref.num, f, func(seq int64, iv geo.Interval, in bool) error {
				if !in {
					ivs, seqs = append(ivs, iv), append(seqs, -seq)
					return nil
				}
				yield(iv)
				return nil
			})
		}
		if werr != nil || len(seqs) == 0 {
			return
		}
		// The partial candidates, in the order found: keep the intervals
		// of those whose geometry meets the box.
		var kept []int64
		if kept, werr = snap.db.exactSeqs(ctx, f.BBox, slices.Clone(seqs)); werr != nil {
			return
		}
		ok := map[int64]bool{}
		for _, q := range kept {
			ok[q] = true
		}
		for i, q := range seqs {
			if ok[-q] {
				yield(ivs[i])
			}
		}
	})
	if werr != nil {
		return geo.DayCounts{}, werr
	}
	return c, ctx.Err()
}
