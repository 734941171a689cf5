package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"time"

	"strata/data/archive"
	"strata/geo"
)

// copyCmd runs `strata copy -from SRC -to DST`: the whole content of one
// store — layers, tokens, briefings, every changeset and feature version,
// the data version — into another, each a SQLite file, a PostgreSQL URL
// or an archive file (.jsonl, see data/archive). It is all or nothing:
// the target must be empty, and is left so (a SQLite file it created is
// removed, an archive file is written aside and moved into place) unless
// the whole copy succeeds.
func copyCmd(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlags("copy", stderr)
	from := fs.String("from", "", "`SOURCE`: a SQLite file, a postgres:// URL or a .jsonl archive file")
	to := fs.String("to", "", "empty `TARGET`: a SQLite file (created when missing), a postgres:// URL or a .jsonl archive file (written new)")
	quiet := fs.Bool("q", false, "no progress output")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected argument %q", fs.Arg(0))
	case *from == "" || *to == "":
		return usagef("give both -from SOURCE and -to TARGET")
	case sameStore(*from, *to):
		return usagef("-from and -to name the same store %s", redactURL(*from))
	}
	start := time.Now()
	src, closeSrc, err := openSource(ctx, *from)
	if err != nil {
		return fmt.Errorf("nothing copied: %w", err)
	}
	defer closeSrc()
	var c copyCount
	seq := c.counted(src)
	if !*quiet {
		seq = c.progress(seq, stderr, time.Second)
	}
	if isArchive(*to) {
		err = writeArchive(*to, seq)
	} else {
		err = restoreInto(ctx, *to, seq)
	}
	if err != nil {
		var ge *geo.Error
		if errors.As(err, &ge) {
			return fmt.Errorf("nothing copied to %s: %s", redactURL(*to), ge.Message)
		}
		return fmt.Errorf("nothing copied to %s: %w", redactURL(*to), err)
	}
	fmt.Fprintf(stderr, "copied %s to %s: %d layers, %d tokens, %d briefings, %d changesets, %d feature versions, data version %d, in %.1fs\n",
		redactURL(*from), redactURL(*to), c.layers, c.tokens, c.briefings, c.changesets, c.rows, c.version, time.Since(start).Seconds())
	return nil
}

// isArchive reports whether a -from or -to value names an archive file.
func isArchive(name string) bool {
	return !isPostgres(name) && strings.EqualFold(filepath.Ext(name), ".jsonl")
}

// sameStore reports whether from and to name one store: the same URL, or
// one file.
func sameStore(from, to string) bool {
	if from == to {
		return true
	}
	if isPostgres(from) || isPostgres(to) {
		return false
	}
	a, err1 := os.Stat(from)
	b, err2 := os.Stat(to)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}

// openSource returns the archive of the store or file name as a sequence
// of records, and the function that closes what it opened.
func openSource(ctx context.Context, name string) (iter.Seq2[geo.Record, error], func(), error) {
	if !isPostgres(name) {
		if _, err := os.Stat(name); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, nil, fmt.Errorf("%s does not exist", name)
			}
			return nil, nil, err
		}
	}
	if isArchive(name) {
		f, err := os.Open(name)
		if err != nil {
			return nil, nil, err
		}
		return archive.Decode(f), func() { f.Close() }, nil
	}
	s, err := openStore(ctx, name, false)
	if err != nil {
		return nil, nil, err
	}
	return exported(ctx, s), func() { s.Close() }, nil
}

// errStopExport ends an Export whose records are no longer wanted.
var errStopExport = errors.New("export stopped")

// exported returns the records of s's Export as a sequence: Export runs
// as the sequence is read, in the reader's goroutine.
func exported(ctx context.Context, s geo.Store) iter.Seq2[geo.Record, error] {
	return func(yield func(geo.Record, error) bool) {
		err := s.Export(ctx, func(r geo.Record) error {
			if !yield(r, nil) {
				return errStopExport
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStopExport) {
			yield(geo.Record{}, fmt.Errorf("reading the source: %w", err))
		}
	}
}

// restoreInto restores seq into the store name, which must be empty. A
// SQLite file that did not exist before is removed when the copy fails.
func restoreInto(ctx context.Context, name string, seq iter.Seq2[geo.Record, error]) (err error) {
	created := false
	if !isPostgres(name) {
		_, statErr := os.Stat(name)
		created = errors.Is(statErr, os.ErrNotExist)
	}
	s, err := openStore(ctx, name, true)
	if err != nil {
		if created {
			removeSQLite(name)
		}
		return err
	}
	err = s.Restore(ctx, seq)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil && created {
		removeSQLite(name)
	}
	return err
}

// removeSQLite removes a SQLite file and its journal files.
func removeSQLite(path string) {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + suffix)
	}
}

// writeArchive writes seq, checked as a Restore would check it, to the
// archive file name, which must not exist or be empty: it is written
// aside and moved into place once whole.
func writeArchive(name string, seq iter.Seq2[geo.Record, error]) error {
	if fi, err := os.Stat(name); err == nil && fi.Size() > 0 {
		return geo.Conflictf("%s exists and is not empty: an archive is written only as a new file", name)
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	w := bufio.NewWriterSize(tmp, 1<<20)
	enc := archive.NewEncoder(w)
	for r, err := range geo.CheckedArchive(seq) {
		if err != nil {
			return err
		}
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if fi, err := os.Stat(name); err == nil && fi.Size() > 0 {
		return geo.Conflictf("%s was written by another program meanwhile", name)
	}
	return os.Rename(tmp.Name(), name)
}

// copyCount counts the records of a copy.
type copyCount struct {
	layers, tokens, briefings, changesets, rows int
	version                                     int64
}

// counted passes seq through, counting its records.
func (c *copyCount) counted(seq iter.Seq2[geo.Record, error]) iter.Seq2[geo.Record, error] {
	return func(yield func(geo.Record, error) bool) {
		for r, err := range seq {
			if err == nil {
				switch {
				case r.Layer != nil:
					c.layers++
				case r.Token != nil:
					c.tokens++
				case r.Briefing != nil:
					c.briefings++
				case r.Changeset != nil:
					c.changesets++
				case r.Row != nil:
					c.rows++
				default:
					c.version = r.Version
				}
			}
			if !yield(r, err) {
				return
			}
		}
	}
}

// progress passes seq through, printing the counts so far to w at most
// every period.
func (c *copyCount) progress(seq iter.Seq2[geo.Record, error], w io.Writer, period time.Duration) iter.Seq2[geo.Record, error] {
	return func(yield func(geo.Record, error) bool) {
		start, last := time.Now(), time.Now()
		for r, err := range seq {
			if now := time.Now(); now.Sub(last) >= period {
				last = now
				fmt.Fprintf(w, "copied %d changesets, %d feature versions (%.0f/s)\n", c.changesets, c.rows, float64(c.rows)/now.Sub(start).Seconds())
			}
			if !yield(r, err) {
				return
			}
		}
	}
}
