package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"strata/geo"
)

// revertAttempts bounds the tries of a revert that a concurrent write
// made stale: each try reads the current state again, so a write that
// truly conflicts is then reported as such.
const revertAttempts = 3

// revertCmd runs `strata revert ID`: a new changeset that undoes changeset
// ID (geo.RevertCommit), printed as its id alone on stdout.
func revertCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("revert", stderr)
	dbPath := fs.String("db", env("STRATA_DB", "strata.db"), "SQLite database file or postgres:// URL (env STRATA_DB)")
	author := fs.String("author", "revert", "`NAME` recorded as the author of the new changeset")
	comment := fs.String("comment", "", `comment recorded with the new changeset (default "revert of changeset ID")`)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("give the ID of one changeset to revert")
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return usagef("changeset id %q is not a positive integer", fs.Arg(0))
	}
	note := geo.ChangeNote{Author: *author, Comment: *comment}
	if err := note.Check(); err != nil {
		return usagef("%v", err)
	}
	db, err := openExisting(ctx, *dbPath, true)
	if err != nil {
		return fmt.Errorf("nothing reverted: %w", err)
	}
	defer db.Close()
	var cs geo.Changeset
	for try := 1; ; try++ {
		snap, err := db.Snapshot(ctx)
		if err != nil {
			return err
		}
		c, err := geo.RevertCommit(ctx, snap, id, note)
		if err != nil {
			return fmt.Errorf("nothing reverted: %w", err)
		}
		cs, err = db.Commit(ctx, c)
		if err == nil {
			break
		}
		if !errors.Is(err, geo.ErrPrecondition) || try == revertAttempts {
			return fmt.Errorf("nothing reverted: %w", err)
		}
		// Another write came between the snapshot and the commit: read again.
	}
	fmt.Fprintf(stderr, "reverted changeset %d as changeset %d: %d created, %d changed, %d deleted\n",
		id, cs.ID, cs.Created, cs.Changed, cs.Deleted)
	_, err = fmt.Fprintln(stdout, cs.ID)
	return err
}
