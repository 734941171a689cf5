package main

import (
	"context"
	"fmt"
	"strings"

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
		return nil, fmt.Errorf("database %s: PostgreSQL is not supported yet", redactURL(dsn))
	}
	mode, why := storageMode(dsn, !write)
	if write && mode == sqlite.ReadOnly {
		return nil, fmt.Errorf("database %s is read-only: %s", dsn, why)
	}
	return sqlite.Open(ctx, dsn, mode)
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
