// Package sqlite implements geo.Store on an SQLite database file.
//
// Geometry is stored as WKB. Every row is one version of a feature and is
// never changed once written, but for being closed: a row carries the
// data versions that wrote it and replaced it (rec_from, rec_to; see
// migrations/005_versions.sql), so a Snapshot of version V reads the rows
// current at V however many imports commit while it reads.
//
// Each layer's current features are indexed by place and valid time in
// memory (internal/spacetime, see layerindex.go): a query counts and pages
// its matches there, then reads only the rows of the page, by seq (see
// fetch.go). The index is built in the background when a layer is first
// queried, and again after every import into it, even by another process;
// until it is ready, or for a snapshot older than it, queries scan the
// covering index features_bounds instead. For a layer of points, the
// build then reads the attributes tiles show into memory too, and Points
// answers without reading a row (see points.go). The schema is created and
// migrated from the embedded files in migrations/.
package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
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
	"sync"
	"sync/atomic"

	"github.com/mattn/go-sqlite3"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"strata/geo"
	"strata/internal/spacetime"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a geo.Store backed by one SQLite file. It is safe for concurrent
// use.
type DB struct {
	db   *sql.DB
	path string // the database file

	mu      sync.Mutex
	extents map[extentKey]geo.Extent // for one version at a time

	sources sourceCache
	// writer admits one write at a time to the connection pool: a writer
	// waiting for SQLite's write lock sleeps in its busy handler holding a
	// connection, and many of them would leave none to readers.
	writer chan struct{}
	// enc keeps features' GeoJSON for items pages (see fetchEncoded).
	enc encCache
	// checked holds the rows that passed checkRow in full, checkedLight
	// those that passed the checks of a light read.
	checked, checkedLight rowSet

	// ctx ends background index builds on Close; builds counts them.
	ctx    context.Context
	cancel context.CancelFunc
	builds sync.WaitGroup

	ixMu       sync.Mutex
	indexes    map[int64]*indexSlot                             // by layer number
	indexMode  int                                              // backgroundIndex but in tests
	overlayMax int                                              // 0 but in tests: see overlayLimit
	recentMax  int                                              // 0 but in tests: see recentRows
	rawStmts   map[*sqlite3.SQLiteConn]map[fetchKey]driver.Stmt // see rawStmt

	// versionStmt reads the data version, which nearly every request
	// does: prepared once, not once a request.
	versionStmt *sql.Stmt
	snap        atomic.Pointer[snapshot] // the latest, see Snapshot
	lastCheck   atomic.Pointer[check]    // the last version read, see snapshot
	closed      atomic.Bool              // set by Close: no snapshot is fresh after it
	writes      atomic.Uint64            // write turns ended, see write
}

var _ geo.Store = (*DB)(nil)

// extentKey names a layer's extent at a data version.
type extentKey struct {
	version int64
	layer   string
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
	// Keep each connection's statements prepared: preparing took a third
	// of a single-feature write's time.
	q.Set("_stmt_cache_size", "64")
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
	s := &DB{db: db, path: path, writer: make(chan struct{}, 1), extents: map[extentKey]geo.Extent{}, indexes: map[int64]*indexSlot{}, rawStmts: map[*sqlite3.SQLiteConn]map[fetchKey]driver.Stmt{}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.enc.setLimit(DefaultEncodedCacheBytes)
	if readOnly {
		if names, _ := fs.Glob(migrations, "migrations/*.sql"); current != len(names) {
			db.Close()
			return nil, fmt.Errorf("sqlite: %s: read-only: the schema is at version %d, this program reads version %d; open it once writable to migrate it", path, current, len(names))
		}
	} else if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	if s.versionStmt, err = db.PrepareContext(ctx, "SELECT (SELECT value FROM meta WHERE key = 'version'), (SELECT value FROM meta WHERE key = 'layers')"); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	return s, nil
}

// DefaultEncodedCacheBytes is the default size of the cache of encoded
// features (see SetEncodedCache).
const DefaultEncodedCacheBytes = 64 << 20

// SetEncodedCache sets how many bytes of features' GeoJSON the store keeps
// in memory for items pages (geo.Filter.Encoded): a feature version never
// changes once written, so its encoding is made once and served again
// without reading its row. 0 turns the cache off. Call it before the
// store is used.
func (s *DB) SetEncodedCache(bytes int64) { s.enc.setLimit(bytes) }

// EncodedCacheStats returns the hits and misses of the cache of encoded
// features since Open.
func (s *DB) EncodedCacheStats() (hits, misses int64) {
	return s.enc.hits.Load(), s.enc.misses.Load()
}

// Close stops index builds and closes the database.
func (s *DB) Close() error {
	s.closed.Store(true)
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
	return s.migrateTo(ctx, -1)
}

// migrateTo applies the embedded migrations newer than the database's
// user_version up to number last (all of them when last < 0), each in its
// own transaction. Tests build databases of older schemas with it.
func (s *DB) migrateTo(ctx context.Context, last int) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	if last >= 0 && last < len(names) {
		names = names[:last]
	}
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

// write waits for the turn of one write (see DB.writer), or for ctx to
// end, and returns the function that ends the turn.
func (s *DB) write(ctx context.Context) (func(), error) {
	select {
	case s.writer <- struct{}{}:
		return func() {
			// Whatever the write did, the next Snapshot reads the version.
			s.writes.Add(1)
			<-s.writer
		}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// beginWrite waits for the turn of one write (see DB.writer) and begins
// a write transaction, which takes SQLite's write lock (see _txlock in
// Open). The function it returns rolls back what was not committed and
// ends the turn.
func (s *DB) beginWrite(ctx context.Context) (*sql.Tx, func(), error) {
	done, err := s.write(ctx)
	if err != nil {
		return nil, nil, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		done()
		return nil, nil, err
	}
	return tx, func() { tx.Rollback(); done() }, nil
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
	tx, end, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer end()
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

// Import stores the features of seq in one transaction; see geo.Store.
// Its rows are written at the next data version; Replace closes the
// layer's current rows at that version instead of deleting them, so
// snapshots of earlier versions keep reading them.
//
// Features keep their import order (pos) but are stored (by seq) in
// chunks sorted like the leaves of the in-memory index, by lifetime,
// start and place, so that the rows one query reads share pages.
func (s *DB) Import(ctx context.Context, note geo.ChangeNote, l geo.Layer, mode geo.ImportMode, seq iter.Seq2[*geo.Feature, error]) (int, error) {
	if err := note.Check(); err != nil {
		return 0, err
	}
	done, err := s.write(ctx)
	if err != nil {
		return 0, err
	}
	defer done()
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
	var version int64
	if err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'version'").Scan(&version); err != nil {
		return 0, err
	}
	version++ // this import's
	layer := l.ID
	num, meta, err := s.layer(ctx, tx, layer)
	if errors.Is(err, geo.ErrNotFound) {
		if err := l.Validate(); err != nil {
			return 0, err
		}
		if err := putLayer(ctx, tx, l); err != nil {
			return 0, err
		}
		num, meta, err = s.layer(ctx, tx, layer)
	}
	if err != nil {
		return 0, err
	}
	// The layer's in-memory indexes, here and in other processes, are
	// now out of date.
	if _, err := tx.ExecContext(ctx, "UPDATE layers SET generation = generation + 1 WHERE num = ?", num); err != nil {
		return 0, err
	}
	// An id with history gets the next version number; in a layer that
	// never held a row, every number is 1, and no lookup is needed.
	var hadRows bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM features WHERE layer_num = ?)", num).Scan(&hadRows); err != nil {
		return 0, err
	}
	if mode == geo.Replace {
		if _, err := tx.ExecContext(ctx, "UPDATE features SET rec_to = ? WHERE layer_num = ? AND rec_to = ?", version, num, geo.OpenEnd); err != nil {
			return 0, err
		}
	}
	var pos int64
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(pos), 0) FROM features WHERE layer_num = ?", num).Scan(&pos); err != nil {
		return 0, err
	}
	stmt, err := tx.PrepareContext(ctx, `
		INSERT INTO features (layer_num, pos, id, name, kind, geom, minx, miny, maxx, maxy, valid_from, valid_to, precision_m, properties, sources, rec_from, ver)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	var lastVer *sql.Stmt
	if hadRows {
		if lastVer, err = tx.PrepareContext(ctx, "SELECT coalesce(max(ver), 0) FROM features WHERE layer_num = ? AND id = ?"); err != nil {
			return 0, err
		}
		defer lastVer.Close()
	}
	n := 0
	var (
		lastSources     []geo.Source
		lastSourcesJSON string
		chunk           []importRow
	)
	flush := func() error {
		for _, r := range sortChunk(chunk) {
			ver := 1
			if lastVer != nil {
				if err := lastVer.QueryRowContext(ctx, num, r.id).Scan(&ver); err != nil {
					return err
				}
				ver++
			}
			_, err = stmt.ExecContext(ctx, num, r.pos, r.id, r.name, r.kind, r.geom, r.b.Min[0], r.b.Min[1], r.b.Max[0], r.b.Max[1],
				r.valid.Start, r.valid.End, r.precisionM, r.props, r.sources, version, ver)
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
		if err := geo.CheckImport(&meta, f); err != nil {
			return 0, err
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
	cs := geo.Changeset{ID: version, Author: note.Author, Comment: note.Comment, Layers: []string{layer}}
	if err := importCounts(ctx, tx, num, &cs); err != nil {
		return 0, err
	}
	if err := s.recordChangeset(ctx, tx, &cs); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return n, nil
}

// importCounts sets the counts and bounding box of changeset cs, an
// import into layer num, from the rows it wrote and closed: a written id
// that was closed in it changed, another was created, a closed id not
// written again was deleted.
func importCounts(ctx context.Context, tx *sql.Tx, num int64, cs *geo.Changeset) error {
	var (
		written, closed        int
		minx, miny, maxx, maxy sql.NullFloat64
	)
	err := tx.QueryRowContext(ctx, `
		SELECT count(*) FILTER (WHERE rec_from = ?1), count(*) FILTER (WHERE rec_to = ?1),
			min(minx), min(miny), max(maxx), max(maxy)
		FROM features WHERE layer_num = ?2 AND (rec_from = ?1 OR rec_to = ?1)`, cs.ID, num).
		Scan(&written, &closed, &minx, &miny, &maxx, &maxy)
	if err != nil {
		return err
	}
	if closed > 0 {
		err = tx.QueryRowContext(ctx, `
			SELECT count(*) FROM features f INDEXED BY features_from
			WHERE f.layer_num = ?2 AND f.rec_from = ?1
				AND EXISTS (SELECT 1 FROM features g WHERE g.layer_num = ?2 AND g.id = f.id AND g.rec_to = ?1)`, cs.ID, num).
			Scan(&cs.Changed)
		if err != nil {
			return err
		}
	}
	cs.Created, cs.Deleted = written-cs.Changed, closed-cs.Changed
	setBound(cs, minx, miny, maxx, maxy)
	return nil
}

// setBound sets the bounding box of cs, Empty when the values are NULL.
func setBound(cs *geo.Changeset, minx, miny, maxx, maxy sql.NullFloat64) {
	cs.Empty = !minx.Valid
	if minx.Valid {
		cs.BBox = orb.Bound{Min: orb.Point{minx.Float64, miny.Float64}, Max: orb.Point{maxx.Float64, maxy.Float64}}
	} else {
		cs.BBox = orb.Bound{}
	}
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
	ext := spacetime.Bounds{MinX: math.Inf(1), MinY: math.Inf(1), MaxX: math.Inf(-1), MaxY: math.Inf(-1)}
	for _, r := range rows {
		ext.MinX, ext.MinY = min(ext.MinX, r.b.Min[0]), min(ext.MinY, r.b.Min[1])
		ext.MaxX, ext.MaxY = max(ext.MaxX, r.b.Max[0]), max(ext.MaxY, r.b.Max[1])
	}
	for i := range rows {
		r := &rows[i]
		r.key = spacetime.SortKey(r.b.Min[0], r.b.Min[1], r.b.Max[0], r.b.Max[1], r.valid.Start, r.valid.End, ext)
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

// sourceCache decodes a sources JSON text once: many features cite the
// same sources. What it holds is never handed out, only copied.
type sourceCache struct {
	mu sync.RWMutex
	m  map[string][]geo.Source
}

const maxCachedSources = 4096

// appendTo appends the sources of text to dst[:0].
func (c *sourceCache) appendTo(dst []geo.Source, text []byte) ([]geo.Source, error) {
	c.mu.RLock()
	v, ok := c.m[string(text)]
	c.mu.RUnlock()
	if ok {
		return append(dst[:0], v...), nil
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
	return append(dst[:0], v...), nil
}
