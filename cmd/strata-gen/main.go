// Command strata-gen writes Strata's synthetic benchmark dataset as three
// GeoJSON files, like shared/bench/gen.py:
//
//	strata-gen [-points N] [-polygons N] [-lines N] [-seed S] OUTDIR
//
// It creates OUTDIR if needed and writes OUTDIR/points.geojson,
// OUTDIR/polygons.geojson and OUTDIR/lines.geojson. The defaults are the
// workload of shared/bench (200,000 points, 2,000 polygons, 500 lines);
// the output is the same for the same sizes and seed. See package
// strata/internal/workload for the distribution.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"strata/internal/workload"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "strata-gen:", err)
		}
		os.Exit(2)
	}
}

// run parses args, writes the files and reports to stdout.
func run(args []string, stdout, stderr io.Writer) error {
	def := workload.Default()
	fs := flag.NewFlagSet("strata-gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: strata-gen [-points N] [-polygons N] [-lines N] [-seed S] OUTDIR")
		fs.PrintDefaults()
	}
	cfg := def
	fs.IntVar(&cfg.Points, "points", def.Points, "number of points")
	fs.IntVar(&cfg.Polygons, "polygons", def.Polygons, "number of polygons")
	fs.IntVar(&cfg.Lines, "lines", def.Lines, "number of lines")
	fs.Uint64Var(&cfg.Seed, "seed", def.Seed, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("want exactly one argument, the output directory")
	}
	if cfg.Points < 0 || cfg.Polygons < 0 || cfg.Lines < 0 {
		return errors.New("feature counts must not be negative")
	}
	dir := fs.Arg(0)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, layer := range workload.Layers {
		if err := writeFile(filepath.Join(dir, layer+".geojson"), cfg, layer); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "wrote %d %d %d to %s (seed %d)\n", cfg.Points, cfg.Polygons, cfg.Lines, dir, cfg.Seed)
	return nil
}

// writeFile writes one layer to path through a temporary file, so that a
// failed run leaves no truncated file behind.
func writeFile(path string, cfg workload.Config, layer string) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := workload.WriteGeoJSON(f, cfg, layer); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
