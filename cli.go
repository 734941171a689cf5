package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"time"

	"strata/geo"
	"strata/geo/geojson"
)

// importCmd runs `strata import`: a GeoJSON FeatureCollection into a layer,
// validated and stored in one transaction.
func importCmd(ctx context.Context, args []string, stdin io.Reader, stderr io.Writer) error {
	fs := newFlags("import", stderr)
	dbPath := fs.String("db", env("STRATA_DB", "strata.db"), "SQLite database file or postgres:// URL (env STRATA_DB)")
	layerID := fs.String("layer", "", "layer `ID` to import into; created if missing")
	title := fs.String("title", "", "title of a new layer (default: its id)")
	kind := fs.String("kind", "mixed", "geometry kind of a new layer: point, line, polygon or mixed")
	replace := fs.Bool("replace", false, "replace the layer's features instead of adding to them")
	source := fs.String("source", "", "source `TITLE` cited by features that list no sources")
	precision := fs.Float64("precision-m", -1, "precision in metres for features that state none (default: required per feature)")
	maxMB := fs.Int64("max-mb", geojson.DefaultMaxBytes>>20, "largest file to read, in MiB")
	author := fs.String("author", "import", "`NAME` recorded as the author of the changeset")
	comment := fs.String("comment", "", "comment recorded with the changeset")
	quiet := fs.Bool("q", false, "no progress output")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	note := geo.ChangeNote{Author: *author, Comment: *comment}
	if err := note.Check(); err != nil {
		return usagef("%v", err)
	}
	if *layerID == "" {
		return usagef("-layer is required")
	}
	if fs.NArg() != 1 {
		return usagef("give one FILE to import, or - for standard input")
	}
	in, closeIn, err := openInput(fs.Arg(0), stdin)
	if err != nil {
		return err
	}
	defer closeIn()
	if *maxMB <= 0 {
		return usagef("-max-mb must be positive")
	}
	opt := geojson.Options{MaxBytes: *maxMB << 20}
	if *source != "" {
		opt.Sources = []geo.Source{{Title: *source}}
	}
	if *precision >= 0 {
		opt.PrecisionM = precision
	}
	layer := geo.Layer{ID: *layerID, Title: *title, Kind: geo.GeometryKind(*kind)}
	if layer.Title == "" {
		layer.Title = layer.ID
	}
	if err := layer.Validate(); err != nil {
		return usagef("%v", err)
	}
	db, err := openStore(ctx, *dbPath, true)
	if err != nil {
		return fmt.Errorf("nothing imported: %w", err)
	}
	defer db.Close()
	mode := geo.Append
	if *replace {
		mode = geo.Replace
	}
	// Geometries must fit the layer's kind: the stored one when the layer
	// exists, else the one it is created with.
	opt.Kind = layer.Kind
	snap, err := db.Snapshot(ctx)
	if err != nil {
		return err
	}
	if stored, err := snap.Layer(layer.ID); err == nil {
		opt.Kind = stored.Kind
	} else if !errors.Is(err, geo.ErrNotFound) {
		return err
	}
	seq := geojson.Decode(bufio.NewReaderSize(in, 1<<20), layer.ID, opt)
	if !*quiet {
		seq = progress(seq, stderr, 2*time.Second)
	}
	start := time.Now()
	n, err := db.Import(ctx, note, layer, mode, seq)
	if err != nil {
		var ge *geo.Error
		if errors.As(err, &ge) {
			return fmt.Errorf("nothing imported: %s", ge.Message)
		}
		return fmt.Errorf("nothing imported: %w", err)
	}
	fmt.Fprintf(stderr, "imported %d features into layer %q in %.1fs\n", n, layer.ID, time.Since(start).Seconds())
	return nil
}

// progress passes seq through, printing a line to w at most every period.
func progress(seq iter.Seq2[*geo.Feature, error], w io.Writer, period time.Duration) iter.Seq2[*geo.Feature, error] {
	return func(yield func(*geo.Feature, error) bool) {
		start, last, n := time.Now(), time.Now(), 0
		for f, err := range seq {
			if err == nil {
				n++
				if now := time.Now(); now.Sub(last) >= period {
					last = now
					fmt.Fprintf(w, "read %d features (%.0f/s)\n", n, float64(n)/now.Sub(start).Seconds())
				}
			}
			if !yield(f, err) {
				return
			}
		}
	}
}

// exportCmd runs `strata export`: one layer as a GeoJSON FeatureCollection
// on stdout, in the form import reads.
func exportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export", stderr)
	dbPath := fs.String("db", env("STRATA_DB", "strata.db"), "SQLite database file or postgres:// URL (env STRATA_DB)")
	layerID := fs.String("layer", "", "layer `ID` to export")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *layerID == "" {
		return usagef("-layer is required")
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	// Export only reads: a file that cannot be written is opened read-only.
	db, err := openExisting(ctx, *dbPath, false)
	if err != nil {
		return err
	}
	defer db.Close()
	snap, err := db.Snapshot(ctx)
	if err != nil {
		return err
	}
	if _, err := snap.Layer(*layerID); err != nil {
		return err
	}
	w := bufio.NewWriterSize(stdout, 256<<10)
	b := []byte(`{"type":"FeatureCollection","features":[` + "\n")
	n := 0
	_, err = snap.Search(ctx, geo.Filter{Layer: *layerID, Time: geo.Always}, func(f *geo.Feature) error {
		if n > 0 {
			b = append(b, ",\n"...)
		}
		n++
		b = geojson.AppendFeature(b, f)
		_, err := w.Write(b)
		b = b[:0]
		return err
	})
	if err != nil {
		return err
	}
	w.WriteString("\n]}\n")
	return w.Flush()
}

// importBriefingCmd runs `strata import-briefing`: a briefing JSON file,
// validated against the stored layers and features, stored whole or not
// at all. A stored briefing with the same id is replaced only with
// -replace.
func importBriefingCmd(ctx context.Context, args []string, stdin io.Reader, stderr io.Writer) error {
	fs := newFlags("import-briefing", stderr)
	dbPath := fs.String("db", env("STRATA_DB", "strata.db"), "SQLite database file or postgres:// URL (env STRATA_DB)")
	replace := fs.Bool("replace", false, "replace a stored briefing with the same id")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("give one briefing FILE, or - for standard input")
	}
	in, closeIn, err := openInput(fs.Arg(0), stdin)
	if err != nil {
		return err
	}
	defer closeIn()
	data, err := io.ReadAll(io.LimitReader(in, geo.MaxBriefingBytes+1))
	if err != nil {
		return err
	}
	b, err := geo.ParseBriefing(data)
	if err != nil {
		return fmt.Errorf("nothing imported: %v", err)
	}
	db, err := openStore(ctx, *dbPath, true)
	if err != nil {
		return fmt.Errorf("nothing imported: %w", err)
	}
	defer db.Close()
	snap, err := db.Snapshot(ctx)
	if err != nil {
		return err
	}
	if err := b.CheckReferences(ctx, snap); err != nil {
		return fmt.Errorf("nothing imported: %v", err)
	}
	if !*replace {
		switch _, err := db.Briefing(ctx, b.ID); {
		case err == nil:
			return fmt.Errorf("nothing imported: briefing %q already exists; give -replace to replace it", b.ID)
		case !errors.Is(err, geo.ErrNotFound):
			return err
		}
	}
	if err := db.PutBriefing(ctx, b); err != nil {
		return fmt.Errorf("nothing imported: %v", err)
	}
	fmt.Fprintf(stderr, "imported briefing %q with %d steps\n", b.ID, len(b.Steps))
	return nil
}

// openInput opens the named file, or returns stdin for "-". The caller
// calls close when done.
func openInput(name string, stdin io.Reader) (in io.Reader, close func(), err error) {
	if name == "-" {
		return stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}
