// Command strata-load measures a Strata server, or any HTTP server on this
// machine, under load.
//
// Run a load test: GET each path of PATHSFILE (one per line) appended to
// the base URL, from 16 connections, for a 5 s warm-up and 20 s measured,
// then print req/s, latency percentiles, sizes, errors and non-2xx counts:
//
//	strata-load -url http://127.0.0.1:8080 -paths paths.txt [-c 16] [-d 20s] [-warmup 5s]
//	            [-seed N] [-cancel-fraction F] [-pid PID] [-json]
//
// Measure the limit for the same bytes: record the server's response to
// each path of PATHSFILE once, then serve those bytes from memory on ADDR
// (loopback only) until interrupted, for a load run against ADDR:
//
//	strata-load -url http://127.0.0.1:8080 -paths paths.txt -replay 127.0.0.1:18741
//
// Build the request lists of shared/bench (items of a layer, or tiles,
// each paired in turn with a date), written to stdout:
//
//	strata-load -make-paths items -bench-dir ../shared/bench -layer points > items.txt
//	strata-load -make-paths tiles -bench-dir ../shared/bench > tiles.txt
//
// Add writers to a run (or run them alone, without -paths): each sends
// single-feature writes, one at a time, to layer L with the token of the
// STRATA_TOKEN environment variable (or -token): POSTs of new points
// spread over the layer's extent and PUTs, with If-Match, that move the
// points it created. It reports writes/s, write latency, statuses (2xx,
// 412, others) and the 5xx of reads and writes:
//
//	STRATA_TOKEN=strata_… strata-load -url http://127.0.0.1:8080 -paths items.txt \
//	            -writers 16 -write-rate 500/s -write-layer points
//
// The tool only targets loopback addresses (localhost, 127.0.0.0/8, ::1)
// and refuses any other URL. See package strata/internal/load.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"strata/internal/load"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	var usage usageError
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case errors.As(err, &usage):
		fmt.Fprintln(os.Stderr, "strata-load:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "strata-load:", err)
		os.Exit(1)
	}
}

// usageError is a mistake in the command line.
type usageError struct{ error }

// run parses args and performs the run or builds the paths. An interrupt
// (ctx done) ends a run early; its partial result is still reported.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("strata-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cfg       load.Config
		pathsFile = fs.String("paths", "", "file of request paths, one per line (- for stdin)")
		asJSON    = fs.Bool("json", false, "print the result as JSON instead of a table")
		makePaths = fs.String("make-paths", "", "print the request list `items|tiles` of the shared/bench workload and exit")
		benchDir  = fs.String("bench-dir", "../shared/bench", "directory holding bboxes.txt, tiles.txt and dates.txt, for -make-paths")
		layer     = fs.String("layer", "points", "collection of the items requests, for -make-paths items")
		replay    = fs.String("replay", "", "record the responses to -paths from -url, then serve them from memory on this loopback `HOST:PORT` until interrupted")
	)
	fs.StringVar(&cfg.BaseURL, "url", "http://127.0.0.1:8080", "base URL of the server (loopback only)")
	fs.IntVar(&cfg.Concurrency, "c", load.DefaultConcurrency, "concurrent connections")
	fs.DurationVar(&cfg.Duration, "d", load.DefaultDuration, "measured duration")
	fs.DurationVar(&cfg.Warmup, "warmup", load.DefaultWarmup, "warm-up before measuring (not counted)")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the shuffle of the paths and of the cancellations")
	fs.DurationVar(&cfg.Timeout, "timeout", load.DefaultTimeout, "timeout of one request")
	fs.Int64Var(&cfg.MaxRequests, "max-requests", load.DefaultMaxRequests, "stop after this many requests, warm-up included")
	fs.Float64Var(&cfg.CancelFraction, "cancel-fraction", 0, "fraction of requests (0-1) to cancel mid-flight")
	fs.DurationVar(&cfg.CancelMaxDelay, "cancel-max-delay", load.DefaultCancelMaxDelay, "cancel after a random delay from 0 to this")
	fs.IntVar(&cfg.PID, "pid", 0, "server process id: report its peak RSS and CPU time from /proc")
	fs.BoolVar(&cfg.InsecureSkipVerify, "k", false, "accept any TLS certificate (https on loopback)")
	var (
		wcfg      writeConfig
		writeRate rateFlag
		writeBox  bboxFlag
	)
	fs.IntVar(&wcfg.Writers, "writers", 0, "concurrent writers, each with one write in flight (0: no writes)")
	fs.Var(&writeRate, "write-rate", "writes per second of all writers together, such as 500/s (0: as fast as they can)")
	fs.StringVar(&wcfg.Token, "token", "", "writer's token (better: the STRATA_TOKEN environment variable, which ps does not show)")
	fs.StringVar(&wcfg.Layer, "write-layer", "", "layer of points the writers write (required with -writers)")
	fs.Var(&writeBox, "write-bbox", "`minlon,minlat,maxlon,maxlat` where the writers put points (default: the layer's extent)")
	fs.Float64Var(&wcfg.MoveShare, "write-moves", 0.5, "share of writes (0-1) that move a point the writer created; the rest create points")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: strata-load -url URL -paths FILE [flags]")
		fmt.Fprintln(stderr, "       strata-load -make-paths items|tiles [-bench-dir DIR] [-layer LAYER]")
		fmt.Fprintln(stderr, "       strata-load -url URL -paths FILE -replay HOST:PORT")
		fmt.Fprintln(stderr, "       STRATA_TOKEN=SECRET strata-load -url URL [-paths FILE] -writers N [-write-rate R/s] -write-layer LAYER")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	}

	if *makePaths != "" {
		paths, err := load.MakePaths(*makePaths, *benchDir, *layer)
		if err != nil {
			return err
		}
		_, err = io.WriteString(stdout, strings.Join(paths, "\n")+"\n")
		return err
	}

	if wcfg.Writers < 0 {
		return usageError{errors.New("-writers must be 0 or more")}
	}
	if *pathsFile == "" && wcfg.Writers == 0 {
		return usageError{errors.New("-paths is required (or -make-paths, or -writers)")}
	}
	// Check the target before reading anything else, for a clear error.
	if err := load.CheckLoopback(cfg.BaseURL); err != nil {
		return usageError{err}
	}
	switch {
	case cfg.Concurrency < 1:
		return usageError{errors.New("-c must be at least 1")}
	case cfg.Duration <= 0:
		return usageError{errors.New("-d must be positive")}
	case cfg.Timeout <= 0:
		return usageError{errors.New("-timeout must be positive")}
	case cfg.MaxRequests <= 0:
		return usageError{errors.New("-max-requests must be positive")}
	case cfg.CancelMaxDelay <= 0:
		return usageError{errors.New("-cancel-max-delay must be positive")}
	}
	if wcfg.Writers > 0 {
		if *replay != "" {
			return usageError{errors.New("-replay records reads: it takes no -writers")}
		}
		if wcfg.Token == "" {
			wcfg.Token = os.Getenv("STRATA_TOKEN")
		}
		switch {
		case wcfg.Token == "":
			return usageError{errors.New("-writers needs a token: set STRATA_TOKEN (or -token)")}
		case wcfg.Layer == "":
			return usageError{errors.New("-writers needs -write-layer, a layer of points")}
		case !(wcfg.MoveShare >= 0 && wcfg.MoveShare <= 1):
			return usageError{errors.New("-write-moves must be within 0-1")}
		}
		wcfg.BaseURL, wcfg.Rate, wcfg.BBox = cfg.BaseURL, float64(writeRate), writeBox
		wcfg.Warmup, wcfg.Duration, wcfg.Timeout, wcfg.Seed = cfg.Warmup, cfg.Duration, cfg.Timeout, cfg.Seed
	}
	if *pathsFile == "" {
		wres, err := runWrites(ctx, wcfg)
		if err != nil {
			return err
		}
		return report(stdout, *asJSON, nil, wres)
	}
	var err error
	cfg.Paths, err = load.ReadPathsFile(*pathsFile)
	if err != nil {
		return err
	}
	if *replay != "" {
		return serveReplay(ctx, cfg.BaseURL, cfg.Paths, *replay, stdout)
	}
	if wcfg.Writers > 0 {
		return runMixed(ctx, cfg, wcfg, stdout, *asJSON)
	}
	res, err := load.Run(ctx, cfg)
	if res == nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if werr := enc.Encode(res); werr != nil {
			return werr
		}
	} else if werr := res.WriteText(stdout); werr != nil {
		return werr
	}
	return err
}

// serveReplay records the responses to paths from baseURL and serves them
// from memory on addr until ctx is done.
func serveReplay(ctx context.Context, baseURL string, paths []string, addr string, stdout io.Writer) error {
	if _, _, err := net.SplitHostPort(addr); err != nil || load.CheckLoopback("http://"+addr) != nil {
		return usageError{fmt.Errorf("-replay %q: want a loopback HOST:PORT", addr)}
	}
	rec, err := load.Record(ctx, baseURL, paths)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	n, size := rec.Len()
	fmt.Fprintf(stdout, "replaying %d paths (%.1f MB) from memory on http://%s\n", n, float64(size)/1e6, ln.Addr())
	srv := &http.Server{Handler: rec, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// runMixed runs the readers of cfg and the writers of wcfg together, over
// the same warm-up and measured period, and reports both.
func runMixed(ctx context.Context, cfg load.Config, wcfg writeConfig, stdout io.Writer, asJSON bool) error {
	var (
		wres *writeResult
		werr error
		done = make(chan struct{})
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(done)
		wres, werr = runWrites(ctx, wcfg)
		if werr != nil {
			cancel() // no point reading on without the writes
		}
	}()
	res, err := load.Run(ctx, cfg)
	<-done
	if werr != nil {
		return werr
	}
	if res == nil {
		return err
	}
	if rerr := report(stdout, asJSON, res, wres); rerr != nil {
		return rerr
	}
	return err
}

// report prints the readers' result (nil without readers) and the
// writers', as text or JSON, with the 5xx count of both.
func report(w io.Writer, asJSON bool, res *load.Result, wres *writeResult) error {
	n5xx := status5xx(wres.Status)
	if res != nil {
		n5xx += status5xx(res.Status)
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(mixedResult{Reads: res, Writes: wres, Status5xx: n5xx})
	}
	if res != nil {
		fmt.Fprintln(w, "== reads")
		if err := res.WriteText(w); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "== writes")
	if err := wres.writeText(w); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n5xx responses (reads and writes): %d\n", n5xx)
	return err
}
