// Package postgis implements geo.Store on PostgreSQL 15 or later with
// PostGIS 3, through pgx (github.com/jackc/pgx/v5).
//
// Every row of the features table is one version of a feature, never
// changed once written but for being closed (see migrations/001_init.sql),
// as in the SQLite store: a Snapshot is a data version V and reads the rows
// current at V, so every query of one snapshot agrees with every other
// without holding a transaction open. Queries run in PostgreSQL: the place
// filter is a GiST index search and the exact test ST_Intersects, done by
// PostGIS; time, version and stable order are bigint columns with btree
// indexes. Geometry is stored as geometry(Geometry, 4326), written from WKB
// and read back with ST_AsBinary, so coordinates round-trip exactly.
//
// # Connecting
//
// Open takes a PostgreSQL URL (postgres://user:password@host:5432/db?...)
// or key=value connection string, as pgx reads it:
//
//   - TLS: sslmode=verify-full with sslrootcert=/path/ca.pem (and sslcert,
//     sslkey for client certificates) in the URL. Without sslmode, pgx tries
//     TLS and falls back to plain text (prefer): name verify-full on any
//     network you do not control.
//   - Pool size: Options.MaxConns, or pool_max_conns=N in the URL (Options
//     wins when set). The default is 4 connections a core, at least 8.
//     Each replica holds its pool and one more connection for LISTEN.
//   - Statement timeout: Options.StatementTimeout, or
//     options=-c%20statement_timeout%3D5s in the URL. A statement cut off by
//     it is an error wrapping geo.ErrUnavailable (503): the database is too
//     slow for now.
//   - Behind PgBouncer in transaction mode, add
//     default_query_exec_mode=exec to the URL (no prepared statements), and
//     note that LISTEN needs a session: point replicas at PostgreSQL itself,
//     or accept that they then read the version on every request.
//
// # Rights
//
// Open creates the schema (migrations/*.sql, embedded, recorded in the
// table schema_migrations, applied in one transaction under an advisory
// lock, so that replicas may start together) when it is missing or older
// than the program. The role it connects as needs:
//
//   - CONNECT on the database, and USAGE on the schema of its search_path;
//   - for migrations: CREATE on that schema; and the postgis extension,
//     which Open creates only if it is missing: where the role may not
//     create extensions, an administrator runs CREATE EXTENSION postgis once;
//   - with a schema migrated beforehand by a more privileged role, no
//     CREATE at all: SELECT, INSERT and UPDATE on the tables meta, layers,
//     features, changesets, tokens and briefings, SELECT on
//     schema_migrations, and USAGE on the sequences of layers and features.
//     Strata never deletes a row.
//
// # Replicas
//
// Several processes may serve one database. Writes are serialised by a lock
// on the meta row, so data versions and record times strictly increase
// whoever writes; each write transaction sends a NOTIFY on the channel
// strata_version, which every Store hears on a connection of its own
// (reconnecting with backoff) and keeps as the current version: Snapshot
// then costs no round trip. While that connection is down, or with
// Options.ReadVersion, Snapshot reads the version from the database every
// time. A lost or unreachable database gives errors wrapping
// geo.ErrUnavailable; Ready reports whether the database answers.
//
// # Backups
//
// The data lives in PostgreSQL, and so do its backups: pg_dump, base backups
// with WAL archiving, or replication, as for any other database. `strata
// copy` (Export and Restore) moves a whole store, history included, between
// engines.
package postgis

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"strata/geo"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options tunes a Store; the zero value is a good default.
type Options struct {
	// MaxConns caps the connection pool (0: pool_max_conns from the URL,
	// else 4 a core and at least 8).
	MaxConns int32
	// StatementTimeout cuts off any statement that runs longer (0: the
	// URL's or the server's statement_timeout).
	StatementTimeout time.Duration
	// ReadVersion makes every Snapshot read the data version from the
	// database instead of the version the LISTEN connection keeps: a write
	// committed by another process is then seen by the very next Snapshot,
	// at the cost of a round trip each. Without it, such a write is seen
	// once PostgreSQL has delivered its notification, normally well under
	// a millisecond after its commit.
	ReadVersion bool
}

// Store is a geo.Store on a PostgreSQL database. It is safe for
// concurrent use.
type Store struct {
	pool *pgxpool.Pool
	opts Options

	// version is the latest data version the listener heard of (or this
	// process wrote); listening says whether it may be trusted.
	version   atomic.Int64
	listening atomic.Bool
	snap      atomic.Pointer[snapshot] // the latest, see Snapshot

	mu      sync.Mutex
	extents map[extentKey]geo.Extent // of one version at a time

	sources sourceCache
	// checked holds the rows whose stored values passed the checks,
	// encChecked those whose stored GeoJSON did.
	checked, encChecked rowSet

	cancel context.CancelFunc
	done   chan struct{} // closed when the listener has stopped
}

var (
	_ geo.Store         = (*Store)(nil)
	_ geo.BriefingStore = (*Store)(nil)
	_ geo.Archiver      = (*Store)(nil)
)

// openEnd is the rec_to of a current row.
const openEnd = geo.OpenEnd

// channel is the NOTIFY channel of data versions.
const channel = "strata_version"

// migrationLock is the advisory lock key that serialises migrations.
const migrationLock = 0x5354524d49 // "STRMI"

// Open connects to the database url names, creates or migrates its schema
// (see the package documentation for the rights this needs) and starts
// listening for the writes of other processes.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgis: bad connection string: %v", redact(err))
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	} else if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = int32(max(8, 4*runtime.GOMAXPROCS(0)))
	}
	if opts.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10)
	}
	// Queries are short: JIT compilation, which the planner chooses for
	// the high costs PostGIS gives its functions, took longer than
	// whole queries.
	if _, ok := cfg.ConnConfig.RuntimeParams["jit"]; !ok {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgis: %w", unavailable(ctx, err))
	}
	s := &Store{pool: pool, opts: opts, extents: map[extentKey]geo.Extent{}, done: make(chan struct{})}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgis: %w", s.wrap(ctx, err))
	}
	lctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go s.listen(lctx)
	return s, nil
}

// Close stops the listener and closes the pool.
func (s *Store) Close() error {
	s.cancel()
	<-s.done
	s.pool.Close()
	return nil
}

// Ready returns nil when the database answers a ping, else an error
// wrapping geo.ErrUnavailable: for /readyz.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgis: %w", s.wrap(ctx, err))
	}
	return nil
}

// Listening reports whether the LISTEN connection is up, so that Snapshot
// trusts the version it keeps.
func (s *Store) Listening() bool { return s.listening.Load() }

// migrate brings the schema up to date: nothing to write (and no right
// needed beyond reading schema_migrations) when it is.
func (s *Store) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	applied, err := s.applied(ctx, s.pool)
	if err != nil {
		return err
	}
	if applied == len(names) {
		return nil
	}
	if applied > len(names) {
		return fmt.Errorf("the schema is at version %d, newer than this program knows (%d)", applied, len(names))
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationLock)); err != nil {
			return err
		}
		if err := ensurePostGIS(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer PRIMARY KEY,
			applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("creating schema_migrations (does the role have CREATE on the schema?): %w", err)
		}
		// Another process may have migrated while this one waited.
		applied, err := s.applied(ctx, tx)
		if err != nil {
			return err
		}
		for i := applied; i < len(names); i++ {
			body, err := migrations.ReadFile(names[i])
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", names[i], err)
			}
			if step := afterMigration[names[i]]; step != nil {
				if err := step(s, ctx, tx); err != nil {
					return fmt.Errorf("migration %s: %w", names[i], err)
				}
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version) VALUES ($1)", i+1); err != nil {
				return err
			}
		}
		return nil
	})
}

// querier is a pool, a connection or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// applied returns the number of migrations applied, 0 when there is no
// schema_migrations table.
func (s *Store) applied(ctx context.Context, q querier) (int, error) {
	var exists bool
	if err := q.QueryRow(ctx, "SELECT to_regclass('schema_migrations') IS NOT NULL").Scan(&exists); err != nil {
		return 0, fmt.Errorf("reading the schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var n int
	if err := q.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		return 0, fmt.Errorf("reading the schema version: %w", err)
	}
	return n, nil
}

// ensurePostGIS creates the postgis extension if it is missing, and says
// what to do when the role may not.
func ensurePostGIS(ctx context.Context, tx pgx.Tx) error {
	var have bool
	if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis')").Scan(&have); err != nil {
		return err
	}
	if have {
		return nil
	}
	if _, err := tx.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS postgis"); err != nil {
		return fmt.Errorf("the postgis extension is not installed in this database, and creating it failed (an administrator can run CREATE EXTENSION postgis once): %w", err)
	}
	return nil
}

// listen keeps a connection listening on the channel of data versions
// and s.version fresh, reconnecting with backoff, until ctx ends. While it
// is not connected s.listening is false and Snapshot reads the version.
func (s *Store) listen(ctx context.Context) {
	defer close(s.done)
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		if s.listenOnce(ctx) {
			backoff = 50 * time.Millisecond
		}
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// pingEvery is how long the listener waits for a notification before it
// checks that its connection still answers.
const pingEvery = 30 * time.Second

// listenOnce connects, listens and follows notifications until the
// connection fails or ctx ends. It reports whether it got as far as
// listening.
func (s *Store) listenOnce(ctx context.Context) bool {
	s.listening.Store(false)
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return false
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
		return false
	}
	// After LISTEN, so that no write falls between the two.
	var v int64
	if err := conn.QueryRow(ctx, "SELECT version FROM meta").Scan(&v); err != nil {
		return false
	}
	s.seen(v)
	s.listening.Store(true)
	defer s.listening.Store(false)
	for {
		wctx, cancel := context.WithTimeout(ctx, pingEvery)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			if v, perr := strconv.ParseInt(n.Payload, 10, 64); perr == nil {
				s.seen(v)
			}
			continue
		case ctx.Err() != nil:
			return true
		case pgconn.Timeout(err) && !conn.IsClosed():
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err = conn.Ping(pctx)
			cancel()
			if err == nil {
				continue
			}
		}
		return true
	}
}

// seen records that the data is at version v or later.
func (s *Store) seen(v int64) {
	for {
		cur := s.version.Load()
		if v <= cur || s.version.CompareAndSwap(cur, v) {
			return
		}
	}
}

// wrap returns err, wrapped with geo.ErrUnavailable when it says the
// database cannot be reached (and ctx, the caller's, has not ended).
func (s *Store) wrap(ctx context.Context, err error) error {
	return unavailable(ctx, err)
}

func unavailable(ctx context.Context, err error) error {
	if err == nil || ctx.Err() != nil || errors.Is(err, geo.ErrUnavailable) {
		return err
	}
	if lost(err) {
		return fmt.Errorf("%w: %w", geo.ErrUnavailable, err)
	}
	return err
}

// lost reports whether err comes of a database that cannot be reached or
// cannot serve for now, rather than of the request.
func lost(err error) bool {
	var (
		ce *pgconn.ConnectError
		pe *pgconn.PgError
		ne net.Error
	)
	switch {
	case errors.As(err, &ce), pgconn.SafeToRetry(err), pgconn.Timeout(err), errors.As(err, &ne),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return true
	case errors.As(err, &pe):
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			strings.HasPrefix(pe.Code, "57P"),      // shutdown, cannot connect now
			pe.Code == "57014",                     // statement timeout
			pe.Code == "53300",                     // too many connections
			pe.Code == "53100", pe.Code == "53200": // disk full, out of memory
			return true
		}
	}
	return strings.Contains(err.Error(), "conn closed")
}

// redact hides a password that a connection string parse error repeats.
func redact(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "password="); i >= 0 {
		j := strings.IndexAny(msg[i:], " &")
		if j < 0 {
			j = len(msg) - i
		}
		msg = msg[:i] + "password=xxxxx" + msg[i+j:]
	}
	return msg
}
