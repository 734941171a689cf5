package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"strata/data/postgis"
	"strata/data/sqlite"
	"strata/geo"
)

// isPostgres reports whether a -db value names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a SQLite file.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// openStore opens the store a -db value names, for the commands other than
// serve: a SQLite file (created when missing and write is set), or a
// PostgreSQL database. With write set, a SQLite file that cannot be
// written is an error naming why.
func openStore(ctx context.Context, dsn string, write bool) (geo.Store, error) {
	if isPostgres(dsn) {
		return postgis.Open(ctx, dsn, postgis.Options{})
	}
	// A file that cannot be written is opened read-only, for reading.
	mode, why := storageMode(dsn, false)
	if write && mode == sqlite.ReadOnly {
		return nil, fmt.Errorf("database %s is read-only: %s", dsn, why)
	}
	return sqlite.Open(ctx, dsn, mode)
}

// served is the store that serve opened, with what the server needs to
// know of its engine.
type served struct {
	store geo.Store
	// name is the -db value with any password hidden, for logs.
	name string
	// ready is /readyz's check: the database answers and, for SQLite,
	// the in-memory indexes are built.
	ready func(context.Context) error
	// readOnly says the store is never written; why says why.
	readOnly bool
	why      string
	// prewarm, when not nil, reads the database file into the operating
	// system's file cache.
	prewarm func(context.Context, *slog.Logger)
}

// openServed opens the store for serve: a PostgreSQL database, or a SQLite
// file with encodedCache bytes of encoded features.
func openServed(ctx context.Context, dsn string, readOnly bool, encodedCache int64, log *slog.Logger) (*served, error) {
	if isPostgres(dsn) {
		pg, err := postgis.Open(ctx, dsn, postgis.Options{})
		if err != nil {
			return nil, err
		}
		st := &served{store: pg, name: redactURL(dsn), ready: pg.Ready, readOnly: readOnly}
		if readOnly {
			st.why = "-read-only"
		}
		return st, nil
	}
	mode, why := storageMode(dsn, readOnly)
	db, err := sqlite.Open(ctx, dsn, mode)
	if err != nil {
		return nil, err
	}
	db.SetEncodedCache(encodedCache)
	return &served{
		store: db, name: dsn, ready: db.IndexesReady,
		readOnly: mode == sqlite.ReadOnly, why: why,
		prewarm: func(ctx context.Context, log *slog.Logger) { prewarm(ctx, db, log) },
	}, nil
}

// redactURL hides the password of a database URL, for messages and logs.
func redactURL(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		rest := dsn[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if colon := strings.Index(rest[:at], ":"); colon >= 0 {
				return dsn[:i+3] + rest[:colon] + ":xxxxx" + rest[at:]
			}
		}
	}
	return dsn
}
