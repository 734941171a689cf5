// Package sqlite implements geo.Store on an SQLite database file.
//
// Geometry is stored as WKB. Each layer's features are indexed by place and
// valid time in memory (see index.go): a query counts and pages its matches
// there, then reads only the rows of the page, by seq. The index is built
// in the background when a layer is first queried, and again after every
// import into it, even by another process; until it is ready, queries scan
// the covering index features_bounds instead. For a layer of Points, the
// build then reads the attributes tiles show (id, name, kind, precision)
// into memory too, and FindPoints answers the tiles' light queries
// without reading a row (see points.go). Page rows are read through the
// driver connection (sql.Conn.Raw). The schema is created and migrated
// from the embedded files in migrations/.
package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mattn/go-sqlite3"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"strata/geo"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a geo.Store backed by one SQLite file. It is safe for concurrent
// use.
type DB struct {
	db   *sql.DB
	path string // the database file

	mu      sync.Mutex
	extents map[string]cachedExtent // by layer id, valid for one version

	sources sourceCache

	// ctx ends background index builds on Close; builds counts them.
	ctx    context.Context
	cancel context.CancelFunc
	builds sync.WaitGroup

	ixMu      sync.Mutex
	indexes   map[int64]*indexSlot                             // by layer number
	indexMode int                                              // backgroundIndex but in tests
	rawStmts  map[*sqlite3.SQLiteConn]map[fetchKey]driver.Stmt // see rawStmt

	// versionStmt reads the data version, which nearly every request
	// does: prepared once, not once a request.
	versionStmt *sql.Stmt
	snap        atomic.Pointer[layerSnapshot] // see layers
}

var _ geo.Store = (*DB)(nil)

type cachedExtent struct {
	version int64
	extent  geo.Extent
}

// cacheSize is each connection's page cache, in KiB when negative.
const cacheSize = "-2048"

// OpenMode says how Open opens a database file.
type OpenMode int

const (
	// ReadWrite opens the file for reading and writing, creating it if
	// missing and migrating its schema: the default.
	ReadWrite OpenMode = iota
	// ReadOnly never writes the file: SQLite opens it with mode=ro, its
	// schema must be up to date and every write fails. Where SQLite cannot
	// read it so (a WAL database in a folder that cannot be written) and no
	// journal is pending, it is opened immutable (see Open).
	ReadOnly
)

// Open opens the database file at path, by default (ReadWrite) creating it
// if missing and bringing its schema up to date.
//
// ReadOnly opens an existing file with SQLite's mode=ro. A database in WAL
// mode needs its -shm file to be read, and SQLite creates it beside the
// database; in a folder that cannot be written (a read-only mount, a
// folder of mode 0555) it cannot, and reading fails (SQLITE_CANTOPEN, or
// SQLITE_READONLY_CANTINIT).
// Then the file is opened immutable=1 if no -wal or -journal file lies
// beside it: the database file holds every committed transaction, and no
// writer can change it without creating one of those files in that
// folder, which it cannot either. With a -wal or -journal file the file
// cannot be read without writing, and Open says so.
func Open(ctx context.Context, path string, mode ...OpenMode) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	readOnly := len(mode) > 0 && mode[len(mode)-1] == ReadOnly
	q := url.Values{}
	if readOnly {
		// mode=ro does not create a missing file: say so plainly.
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		q.Set("mode", "ro")
		// No journal mode: setting it is a write. Transactions begin
		// deferred, as reads do.
		q.Set("_txlock", "deferred")
	} else {
		// WAL lets readers go on while one writer commits, which a server
		// that imports while serving needs.
		q.Set("_journal_mode", "WAL")
		// Take the write lock when a transaction begins rather than on its
		// first write, so two writers cannot deadlock upgrading read locks.
		q.Set("_txlock", "immediate")
	}
	// NORMAL is durable in WAL mode except for the last commits on power
	// loss, never corrupting; FULL would fsync on every commit.
	q.Set("_synchronous", "NORMAL")
	// Wait up to 10 s for a lock held by another connection or process
	// (such as `strata import` beside a running server) instead of failing
	// at once with SQLITE_BUSY.
	q.Set("_busy_timeout", "10000")
	// Enforce REFERENCES clauses: a feature cannot outlive its layer.
	q.Set("_foreign_keys", "on")
	// A 2 MiB page cache per connection (negative = KiB) holds the upper
	// B-tree levels; the operating system's file cache holds the rest.
	// Every connection has its own, so this bounds the server's memory:
	// 4 MiB gave no more requests a second at 200,000 or 1,000,000 points
	// and 8 MiB more peak RSS at 1,000,000 (BENCHMARKS.md).
	q.Set("_cache_size", cacheSize)
	// database/sql never uses a connection from two goroutines at once,
	// so SQLite's own per-connection mutex (taken on every API call,
	// several times a row) is not needed: open in multi-thread mode.
	// sqlite3_interrupt, which cancels a query from another goroutine,
	// stays safe without it.
	q.Set("_mutex", "no")
	dsn := func() string { return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode() }
	db, err := sql.Open("sqlite3", dsn())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// The schema version: read-only, it must be current, as migrating
	// would write.
	var current int
	err = db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current)
	var se sqlite3.Error
	if readOnly && errors.As(err, &se) && (se.Code == sqlite3.ErrCantOpen || se.Code == sqlite3.ErrReadonly) {
		db.Close()
		for _, j := range []string{"-wal", "-journal"} {
			if fi, err := os.Stat(path + j); err == nil && fi.Size() > 0 {
				return nil, fmt.Errorf("sqlite: %s: read-only: %s%s holds transactions not yet in the database file, and SQLite cannot read them without writing beside it: open the database once where its folder can be written", path, filepath.Base(path), j)
			}
		}
		q.Set("immutable", "1")
		if db, err = sql.Open("sqlite3", dsn()); err != nil {
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		err = db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	// Readers run in parallel under WAL; two per core keep the cores busy
	// (a query holds its connection only while SQLite reads a batch of
	// rows), and the cap bounds memory (each connection has its own page
	// cache): at 1,000,000 points, 8 connections' caches took the peak RSS
	// of the items load from 144 to 164 MiB for no more requests a second.
	db.SetMaxOpenConns(2 * runtime.GOMAXPROCS(0))
	db.SetMaxIdleConns(2 * runtime.GOMAXPROCS(0))
	s := &DB{db: db, path: path, extents: map[string]cachedExtent{}, indexes: map[int64]*indexSlot{}, rawStmts: map[*sqlite3.SQLiteConn]map[fetchKey]driver.Stmt{}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if readOnly {
		if names, _ := fs.Glob(migrations, "migrations/*.sql"); current != len(names) {
			db.Close()
			return nil, fmt.Errorf("sqlite: %s: read-only: the schema is at version %d, this program reads version %d; open it once writable to migrate it", path, current, len(names))
		}
	} else if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	if s.versionStmt, err = db.PrepareContext(ctx, "SELECT value FROM meta WHERE key = 'version'"); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	return s, nil
}

// Close stops index builds and closes the database.
func (s *DB) Close() error {
	s.cancel()
	s.builds.Wait()
	s.ixMu.Lock()
	for _, m := range s.rawStmts {
		for _, st := range m {
			st.Close()
		}
	}
	s.ixMu.Unlock()
	s.versionStmt.Close()
	return s.db.Close()
}

// migrate applies the embedded migrations newer than the database's
// user_version, each in its own transaction.
func (s *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	var current int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > len(names) {
		return fmt.Errorf("schema version %d is newer than this program knows (%d)", current, len(names))
	}
	for i := current; i < len(names); i++ {
		body, err := migrations.ReadFile(names[i])
		if err != nil {
			return err
		}
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", names[i], err)
		}
		// PRAGMA takes no bound parameters; i+1 is our own integer.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// Version returns the data version, which every write increments: the
// one read by Pin under a pinned context.
func (s *DB) Version(ctx context.Context) (int64, error) {
	if snap := s.pinned(ctx); snap != nil {
		return snap.version, nil
	}
	var v int64
	err := s.versionStmt.QueryRowContext(ctx).Scan(&v)
	return v, err
}

func bumpVersion(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, "UPDATE meta SET value = value + 1 WHERE key = 'version'")
	return err
}

const layerColumns = "num, id, title, description, geometry_kind, grp, style, attribution, licence, ord"

// scanLayer scans the layerColumns of a row, then the row's further
// columns into extra.
func scanLayer(sc interface{ Scan(...any) error }, extra ...any) (int64, geo.Layer, error) {
	var (
		num   int64
		l     geo.Layer
		kind  string
		style string
	)
	dest := append([]any{&num, &l.ID, &l.Title, &l.Description, &kind, &l.Group, &style, &l.Attribution, &l.Licence, &l.Order}, extra...)
	err := sc.Scan(dest...)
	if err != nil {
		return 0, l, err
	}
	l.Kind = geo.GeometryKind(kind)
	if err := json.Unmarshal([]byte(style), &l.Style); err != nil {
		return 0, l, fmt.Errorf("layer %s: bad style: %w", l.ID, err)
	}
	return num, l, nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *DB) layer(ctx context.Context, q queryer, id string) (int64, geo.Layer, error) {
	num, l, err := scanLayer(q.QueryRowContext(ctx, "SELECT "+layerColumns+" FROM layers WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, l, geo.NotFoundf("layer %q does not exist", id)
	}
	return num, l, err
}

// PutLayer creates a layer or updates its metadata.
func (s *DB) PutLayer(ctx context.Context, l geo.Layer) error {
	if err := l.Validate(); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := putLayer(ctx, tx, l); err != nil {
		return err
	}
	if err := bumpVersion(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// putLayer inserts or updates a layer's row.
func putLayer(ctx context.Context, tx *sql.Tx, l geo.Layer) error {
	style, err := json.Marshal(l.Style)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO layers (id, title, description, geometry_kind, grp, style, attribution, licence, ord)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			title = excluded.title, description = excluded.description,
			geometry_kind = excluded.geometry_kind, grp = excluded.grp,
			style = excluded.style, attribution = excluded.attribution,
			licence = excluded.licence, ord = excluded.ord`,
		l.ID, l.Title, l.Description, string(l.Kind), l.Group, string(style), l.Attribution, l.Licence, l.Order)
	return err
}

// Extent computes the layer's extent from its features; the result is
// cached until the data changes.
func (s *DB) Extent(ctx context.Context, layer string) (geo.Extent, error) {
	version, err := s.Version(ctx)
	if err != nil {
		return geo.Extent{}, err
	}
	s.mu.Lock()
	c, ok := s.extents[layer]
	s.mu.Unlock()
	if ok && c.version == version {
		return c.extent, nil
	}
	ref, err := s.layerRef(ctx, layer)
	if err != nil {
		return geo.Extent{}, err
	}
	num := ref.num
	var (
		n                      int
		minx, miny, maxx, maxy sql.NullFloat64
		from, to               sql.NullInt64
	)
	err = s.db.QueryRowContext(ctx, `
		SELECT count(*), min(minx), min(miny), max(maxx), max(maxy), min(valid_from), max(valid_to)
		FROM features WHERE layer_num = ?`, num).Scan(&n, &minx, &miny, &maxx, &maxy, &from, &to)
	if err != nil {
		return geo.Extent{}, err
	}
	e := geo.Extent{Empty: n == 0}
	if n > 0 {
		e.BBox = orb.Bound{Min: orb.Point{minx.Float64, miny.Float64}, Max: orb.Point{maxx.Float64, maxy.Float64}}
		e.Time = geo.Interval{Start: from.Int64, End: to.Int64}
	}
	s.mu.Lock()
	s.extents[layer] = cachedExtent{version: version, extent: e}
	s.mu.Unlock()
	return e, nil
}

// from returns the FROM and WHERE clauses, with their arguments, that
// select a layer's features matching f (as table alias f) without the
// in-memory index: a scan of the layer's entries in features_bounds, in
// import order, testing each exactly before reading its row.
func from(num int64, f geo.Filter) (string, []any) {
	if f.BBox == nil && f.Time == geo.Always {
		return "features f INDEXED BY features_bounds WHERE f.layer_num = ?", []any{num}
	}
	var b strings.Builder
	b.WriteString("features f INDEXED BY features_bounds WHERE f.layer_num = ? AND f.valid_from <= ? AND f.valid_to > ?")
	args := []any{num, f.Time.End, f.Time.Start}
	if box := f.BBox; box != nil {
		b.WriteString(" AND f.miny <= ? AND f.maxy >= ?")
		args = append(args, box.MaxLat, box.MinLat)
		if box.CrossesAntimeridian() {
			b.WriteString(" AND (f.maxx >= ? OR f.minx <= ?)")
			args = append(args, box.MinLon, box.MaxLon)
		} else {
			b.WriteString(" AND f.minx <= ? AND f.maxx >= ?")
			args = append(args, box.MaxLon, box.MinLon)
		}
	}
	return b.String(), args
}

// FindFeatures streams the features matching f in import order.
func (s *DB) FindFeatures(ctx context.Context, f geo.Filter, fn func(*geo.Feature) error) error {
	ref, err := s.layerRef(ctx, f.Layer)
	if err != nil {
		return err
	}
	if ix := s.index(ref); ix != nil {
		q := newQuery(f)
		sc := scratchPool.Get().(*scratch)
		defer scratchPool.Put(sc)
		sc.seqs, _ = ix.page(&q, f.Offset, f.Limit, &sc.ranks, sc.seqs)
		return s.fetch(ctx, f, sc, fn)
	}
	src, args := from(ref.num, f)
	limit := int64(f.Limit)
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	args = append(args, limit, max(f.Offset, 0))
	rows, err := s.db.QueryContext(ctx, "SELECT "+featureColumns(f.Light, "f.")+" FROM "+src+" ORDER BY f.pos LIMIT ? OFFSET ?", args...)
	if err != nil {
		return err
	}
	return s.scanFeatures(ctx, rows, f, fn)
}

// FindFeaturesCount streams the features matching f as FindFeatures does
// and returns the number of features matching f regardless of its Limit
// and Offset, as CountFeatures does, from one search: the items handler
// reports that number after the page. Errors: geo.ErrNotFound for an
// unknown layer.
func (s *DB) FindFeaturesCount(ctx context.Context, f geo.Filter, fn func(*geo.Feature) error) (int, error) {
	ref, err := s.layerRef(ctx, f.Layer)
	if err != nil {
		return 0, err
	}
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	var n int
	if ix := s.index(ref); ix != nil {
		q := newQuery(f)
		sc.seqs, n = ix.page(&q, f.Offset, f.Limit, &sc.ranks, sc.seqs)
	} else if sc.seqs, n, err = s.scanPage(ctx, ref.num, f, sc.seqs[:0]); err != nil {
		return 0, err
	}
	if err := s.fetch(ctx, f, sc, fn); err != nil {
		return 0, err
	}
	return n, ctx.Err()
}

// scanPage finds the matches of f without the in-memory index, in one
// scan of the covering index features_bounds: it appends the seqs of the
// page to seqs and counts every match.
func (s *DB) scanPage(ctx context.Context, num int64, f geo.Filter, seqs []int64) ([]int64, int, error) {
	src, args := from(num, f)
	rows, err := s.db.QueryContext(ctx, "SELECT f.seq FROM "+src+" ORDER BY f.pos", args...)
	if err != nil {
		return seqs, 0, err
	}
	defer rows.Close()
	offset := max(f.Offset, 0)
	n := 0
	var seq int64
	for rows.Next() {
		if n >= offset && (f.Limit <= 0 || n < offset+f.Limit) {
			if err := rows.Scan(&seq); err != nil {
				return seqs, 0, err
			}
			seqs = append(seqs, seq)
		}
		n++
	}
	return seqs, n, rows.Err()
}

// featureColumns lists the columns scanFeatures reads, prefixed.
func featureColumns(light bool, p string) string {
	if light {
		return p + "seq, " + p + "id, " + p + "name, " + p + "kind, " + p + "geom, " + p + "valid_from, " + p + "valid_to, " + p + "precision_m, '', ''"
	}
	return p + "seq, " + p + "id, " + p + "name, " + p + "kind, " + p + "geom, " + p + "valid_from, " + p + "valid_to, " + p + "precision_m, " + p + "properties, " + p + "sources"
}

// scanFeatures calls fn for each row of rows and closes rows. It stops
// with ctx's error as soon as ctx is done.
func (s *DB) scanFeatures(ctx context.Context, rows *sql.Rows, f geo.Filter, fn func(*geo.Feature) error) error {
	defer rows.Close()
	feat := geo.Feature{Layer: f.Layer}
	var (
		seq                  int64
		geom, props, sources sql.RawBytes
		err                  error
	)
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := rows.Scan(&seq, &feat.ID, &feat.Name, &feat.Kind, &geom, &feat.Valid.Start, &feat.Valid.End, &feat.PrecisionM, &props, &sources); err != nil {
			return err
		}
		if feat.Geometry, err = unmarshalWKB(geom); err != nil {
			return fmt.Errorf("feature %s/%s: bad WKB: %w", f.Layer, feat.ID, err)
		}
		feat.Properties = json.RawMessage(props)
		if !f.Light {
			if feat.Sources, err = s.sources.get(sources); err != nil {
				return fmt.Errorf("feature %s/%s: %w", f.Layer, feat.ID, err)
			}
		}
		if err := fn(&feat); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return ctx.Err()
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

// CountFeatures counts the features matching f.
func (s *DB) CountFeatures(ctx context.Context, f geo.Filter) (int, error) {
	ref, err := s.layerRef(ctx, f.Layer)
	if err != nil {
		return 0, err
	}
	if ix := s.index(ref); ix != nil {
		q := newQuery(f)
		_, n := ix.search(&q, nil, false)
		return n, nil
	}
	src, args := from(ref.num, f)
	var n int
	err = s.db.QueryRowContext(ctx, "SELECT count(*) FROM "+src, args...).Scan(&n)
	return n, err
}

// FindFeatureByID returns one feature, or an error wrapping
// geo.ErrNotFound.
func (s *DB) FindFeatureByID(ctx context.Context, layer, id string) (*geo.Feature, error) {
	ref, err := s.layerRef(ctx, layer)
	if err != nil {
		return nil, err
	}
	num := ref.num
	var (
		feat              = geo.Feature{Layer: layer}
		geom, props, srcs []byte
	)
	err = s.db.QueryRowContext(ctx, `
		SELECT id, name, kind, geom, valid_from, valid_to, precision_m, properties, sources
		FROM features WHERE layer_num = ? AND id = ?`, num, id).
		Scan(&feat.ID, &feat.Name, &feat.Kind, &geom, &feat.Valid.Start, &feat.Valid.End, &feat.PrecisionM, &props, &srcs)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, geo.NotFoundf("feature %q does not exist in layer %q", id, layer)
	}
	if err != nil {
		return nil, err
	}
	if feat.Geometry, err = wkb.Unmarshal(geom); err != nil {
		return nil, fmt.Errorf("feature %s/%s: bad WKB: %w", layer, id, err)
	}
	feat.Properties = props
	if feat.Sources, err = s.sources.get(srcs); err != nil {
		return nil, err
	}
	return &feat, nil
}

// Import stores the features of seq in one transaction; see geo.Store.
//
// Features keep their import order (pos) but are stored (by seq) in
// chunks sorted like the leaves of the in-memory index, by lifetime,
// start and place, so that the rows one query reads share pages.
func (s *DB) Import(ctx context.Context, l geo.Layer, mode geo.ImportMode, seq iter.Seq2[*geo.Feature, error]) (int, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	// A 64 MiB page cache for this connection while it imports, then back
	// to the default (see Open).
	if _, err := conn.ExecContext(ctx, "PRAGMA cache_size = -65536"); err != nil {
		return 0, err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA cache_size = "+cacheSize)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	layer := l.ID
	num, _, err := s.layer(ctx, tx, layer)
	if errors.Is(err, geo.ErrNotFound) {
		if err := l.Validate(); err != nil {
			return 0, err
		}
		if err := putLayer(ctx, tx, l); err != nil {
			return 0, err
		}
		num, _, err = s.layer(ctx, tx, layer)
	}
	if err != nil {
		return 0, err
	}
	// The layer's in-memory indexes, here and in other processes, are
	// now out of date.
	if _, err := tx.ExecContext(ctx, "UPDATE layers SET generation = generation + 1 WHERE num = ?", num); err != nil {
		return 0, err
	}
	if mode == geo.Replace {
		if _, err := tx.ExecContext(ctx, "DELETE FROM features WHERE layer_num = ?", num); err != nil {
			return 0, err
		}
	}
	var pos int64
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(pos), 0) FROM features WHERE layer_num = ?", num).Scan(&pos); err != nil {
		return 0, err
	}
	stmt, err := tx.PrepareContext(ctx, `
		INSERT INTO features (layer_num, pos, id, name, kind, geom, minx, miny, maxx, maxy, valid_from, valid_to, precision_m, properties, sources)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	n := 0
	var (
		lastSources     []geo.Source
		lastSourcesJSON string
		chunk           []importRow
	)
	flush := func() error {
		for _, r := range sortChunk(chunk) {
			_, err = stmt.ExecContext(ctx, num, r.pos, r.id, r.name, r.kind, r.geom, r.b.Min[0], r.b.Min[1], r.b.Max[0], r.b.Max[1],
				r.valid.Start, r.valid.End, r.precisionM, r.props, r.sources)
			if err != nil {
				var se sqlite3.Error
				if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique {
					return geo.Conflictf("feature id %q already exists in layer %q", r.id, layer)
				}
				return err
			}
		}
		chunk = chunk[:0]
		return nil
	}
	for f, err := range seq {
		if err != nil {
			return 0, err
		}
		if err := f.Validate(); err != nil {
			return 0, geo.Invalidf("features", "feature %q: %v", f.ID, err)
		}
		if f.Valid.End <= f.Valid.Start {
			return 0, geo.Invalidf("features", "feature %q: valid_to is not after valid_from", f.ID)
		}
		geom, err := wkb.Marshal(f.Geometry)
		if err != nil {
			return 0, geo.Invalidf("features", "feature %q: geometry: %v", f.ID, err)
		}
		props := string(f.Properties)
		if props == "" {
			props = "{}"
		}
		if !sameSources(f.Sources, lastSources) {
			b, err := json.Marshal(f.Sources)
			if err != nil {
				return 0, err
			}
			lastSources, lastSourcesJSON = f.Sources, string(b)
		}
		pos++
		chunk = append(chunk, importRow{
			pos: pos, id: f.ID, name: f.Name, kind: f.Kind, geom: geom, b: f.Geometry.Bound(),
			valid: f.Valid, precisionM: f.PrecisionM, props: props, sources: lastSourcesJSON,
		})
		if len(chunk) == importChunk {
			if err := flush(); err != nil {
				return 0, err
			}
		}
		n++
	}
	if err := flush(); err != nil {
		return 0, err
	}
	if err := bumpVersion(ctx, tx); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return n, nil
}

// importChunk is the number of features an import sorts together before
// storing them: more clusters rows better, at 200-300 bytes a feature of
// the importer's memory.
const importChunk = 1 << 17

// importRow is a feature ready to store.
type importRow struct {
	key            uint64 // see sortKey
	pos            int64
	id, name, kind string
	geom           []byte
	b              orb.Bound
	valid          geo.Interval
	precisionM     float64
	props, sources string
}

// sortChunk orders rows as the leaves of an index over them would be.
func sortChunk(rows []importRow) []importRow {
	ext := node{minX: math.Inf(1), minY: math.Inf(1), maxX: math.Inf(-1), maxY: math.Inf(-1)}
	for _, r := range rows {
		ext.minX, ext.minY = min(ext.minX, r.b.Min[0]), min(ext.minY, r.b.Min[1])
		ext.maxX, ext.maxY = max(ext.maxX, r.b.Max[0]), max(ext.maxY, r.b.Max[1])
	}
	for i := range rows {
		r := &rows[i]
		r.key = sortKey(r.b.Min[0], r.b.Min[1], r.b.Max[0], r.b.Max[1], r.valid.Start, r.valid.End, &ext)
	}
	slices.SortFunc(rows, func(a, b importRow) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.pos, b.pos)
	})
	return rows
}

// sameSources reports whether a and b are the same slice (not merely
// equal), which lets an import of many features citing one shared slice
// encode it once.
func sameSources(a, b []geo.Source) bool {
	return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0]
}

// sourceCache decodes a sources JSON text once and shares the result:
// many features cite the same sources.
type sourceCache struct {
	mu sync.RWMutex
	m  map[string][]geo.Source
}

const maxCachedSources = 4096

func (c *sourceCache) get(text []byte) ([]geo.Source, error) {
	c.mu.RLock()
	v, ok := c.m[string(text)]
	c.mu.RUnlock()
	if ok {
		return v, nil
	}
	if err := json.Unmarshal(text, &v); err != nil {
		return nil, fmt.Errorf("bad sources JSON: %w", err)
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedSources {
		c.m = map[string][]geo.Source{}
	}
	c.m[string(text)] = v
	c.mu.Unlock()
	return v, nil
}
