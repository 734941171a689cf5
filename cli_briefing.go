package main

import (
	"bufio"
	"context"
	"io"

	"strata/data/basemap"
	"strata/internal/bundle"
	"strata/static"
)

// exportBriefingCmd runs `strata export-briefing`: one briefing as a
// self-contained HTML file on stdout that presents it from file:// with
// the network off (see package bundle).
func exportBriefingCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export-briefing", stderr)
	dbPath := fs.String("db", env("STRATA_DB", "strata.db"), "SQLite database file or postgres:// URL (env STRATA_DB)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("give one briefing ID")
	}
	// Only reads: a file that cannot be written is opened read-only.
	db, err := openExisting(ctx, *dbPath, false)
	if err != nil {
		return err
	}
	defer db.Close()
	snap, err := db.Snapshot(ctx)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(stdout, 256<<10)
	if err := bundle.Write(ctx, w, bundle.SnapshotSource(snap, db, static.FS, basemap.FS), fs.Arg(0)); err != nil {
		return err
	}
	return w.Flush()
}
