// Command strata serves dated map layers with their sources over OGC API –
// Features, with an embedded Leaflet map.
//
// Commands:
//
//	strata [serve]          serve the database over HTTP (the default)
//	strata import           add or replace a layer's features from GeoJSON
//	strata export           write a layer as GeoJSON
//	strata import-briefing  store a briefing from JSON
//	strata export-briefing  write a briefing as one offline HTML file
//	strata token            create, list or revoke writers' tokens
//	strata revert           undo a changeset with a new one
//	strata copy             copy a whole store, history included, to
//	                        another (SQLite, PostgreSQL, archive file)
//	strata help             print the usage: every command's flags and
//	                        the environment variables they fall back to
//
// "strata COMMAND -h" describes one command's flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	_ "net/http/pprof" // served only on the -pprof address
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"strata/api"
	"strata/data/baselayers"
	"strata/data/basemap"
	"strata/data/seed"
	"strata/data/sqlite"
	"strata/data/tilefile"
	"strata/geo"
	"strata/static"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes one command line and returns the exit status: 0 for
// success, 1 for a failure, 2 for a usage error.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		cmd, args = "help", nil
	}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, args, stderr)
	case "import":
		err = importCmd(ctx, args, stdin, stderr)
	case "export":
		err = exportCmd(ctx, args, stdout, stderr)
	case "import-briefing":
		err = importBriefingCmd(ctx, args, stdin, stderr)
	case "export-briefing":
		err = exportBriefingCmd(ctx, args, stdout, stderr)
	case "token":
		if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			cmd += " " + args[0]
		}
		err = tokenCmd(ctx, args, stdout, stderr)
	case "revert":
		err = revertCmd(ctx, args, stdout, stderr)
	case "copy":
		err = copyCmd(ctx, args, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "strata: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintf(stderr, "strata %s: %v\n", cmd, err)
		return 2
	}
	fmt.Fprintf(stderr, "strata %s: %v\n", cmd, err)
	return 1
}

const usage = `Strata serves dated map layers with their sources over OGC API - Features.

Usage:
  strata [serve] [-addr HOST:PORT] [-db PATH|URL] [-read-only] [-base-url URL] [-cors ORIGINS]
                 [-tile-cache-mb N] [-page-cache-mb N] [-feature-cache-mb N] [-max-queries N] [-prewarm=false] [-stall-timeout DURATION]
                 [-log-format text|json] [-access-log=BOOL] [-frame-ancestors SOURCES]
                 [-memory-limit-mb N] [-pprof HOST:PORT] [-basemap FILE.pmtiles]
  strata import -db PATH|URL -layer ID [-title TITLE] [-kind point|line|polygon|mixed] [-replace]
                [-source TITLE] [-precision-m M] [-max-mb N] [-author NAME] [-comment TEXT]
                [-q] FILE|-
  strata export -db PATH|URL -layer ID > layer.geojson
  strata import-briefing -db PATH|URL [-replace] FILE|-
  strata export-briefing -db PATH|URL ID > briefing.html
  strata token create -db PATH|URL -name NAME -layers ID,ID|* [-expires DURATION] [-unconditional]
  strata token list -db PATH|URL
  strata token revoke -db PATH|URL NAME
  strata revert -db PATH|URL [-author NAME] [-comment TEXT] ID
  strata copy -from SOURCE -to TARGET [-q]
  strata help

"strata COMMAND -h" describes a command's flags.

Environment (a flag beats it):
  STRATA_ADDR             serve -addr
  STRATA_DB               -db, for every command
  STRATA_READ_ONLY        serve -read-only (true or false)
  STRATA_BASE_URL         serve -base-url
  STRATA_CORS_ORIGINS     serve -cors
  STRATA_MAX_QUERIES      serve -max-queries
  STRATA_PREWARM          serve -prewarm (true or false)
  STRATA_STALL_TIMEOUT    serve -stall-timeout
  STRATA_LOG_FORMAT       serve -log-format
  STRATA_ACCESS_LOG       serve -access-log (true or false)
  STRATA_FRAME_ANCESTORS  serve -frame-ancestors
  STRATA_MEMORY_LIMIT_MB  serve -memory-limit-mb
  STRATA_BASEMAP          serve -basemap

Strata is read-only until a token exists: "token create" prints a new
token's secret once, as the last line of its output; writers send it as
"Authorization: Bearer SECRET". "revert" writes a changeset that undoes
changeset ID, and prints the new changeset's id.

"copy" moves everything a store holds (layers, every feature version and
changeset, tokens, briefings) into an empty one, all or nothing: SOURCE
and TARGET are each a SQLite file, a postgres:// URL or a .jsonl archive
file.

The server answers /healthz (alive), /readyz (the database can be read)
and /metrics (Prometheus).
`

// writeTimeout bounds the whole of one answer, whatever the client's
// speed (api.Config.WriteTimeout and http.Server.WriteTimeout).
const writeTimeout = api.DefaultWriteTimeout

// usageError marks a mistake on the command line.
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// env returns the environment variable's value, or def when it is unset.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// envValue returns the environment variable name read by parse, def
// when it is unset or empty, and a usage error naming it ("is not what")
// when parse fails.
func envValue[T any](name string, def T, parse func(string) (T, error), what string) (T, error) {
	v := env(name, "")
	if v == "" {
		return def, nil
	}
	x, err := parse(v)
	if err != nil {
		var zero T
		return zero, usagef("%s=%q is not %s", name, v, what)
	}
	return x, nil
}

// envInt returns the environment variable's value as an integer, or def
// when it is unset.
func envInt(name string, def int) (int, error) {
	return envValue(name, def, strconv.Atoi, "an integer")
}

// envDuration returns the environment variable's value as a duration
// (time.ParseDuration), or def when it is unset.
func envDuration(name string, def time.Duration) (time.Duration, error) {
	return envValue(name, def, time.ParseDuration, "a duration such as 10s")
}

// envBool returns the environment variable name as a boolean
// (strconv.ParseBool), def when it is unset or empty.
func envBool(name string, def bool) (bool, error) {
	return envValue(name, def, strconv.ParseBool, "true or false")
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	return nil
}

// serve runs the HTTP server until ctx is cancelled, then shuts down
// gracefully.
func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	addr := fs.String("addr", env("STRATA_ADDR", "localhost:8080"), "listen address `HOST:PORT` (env STRATA_ADDR)")
	dbPath := fs.String("db", env("STRATA_DB", "strata.db"), "SQLite database file, created and seeded if missing, or a postgres:// URL (env STRATA_DB)")
	baseURL := fs.String("base-url", env("STRATA_BASE_URL", ""), "public URL of the server for links, when behind a proxy (env STRATA_BASE_URL)")
	cors := fs.String("cors", env("STRATA_CORS_ORIGINS", "*"), "comma-separated origins allowed to read, or * (env STRATA_CORS_ORIGINS)")
	pprofAddr := fs.String("pprof", "", "serve net/http/pprof on this `HOST:PORT` (off by default)")
	tileCache := fs.Int("tile-cache-mb", 64, "memory for cached vector tiles in MiB; 0 turns the cache off")
	pageCache := fs.Int("page-cache-mb", 64, "memory for items pages cached by data version, in MiB; 0 turns the cache off")
	featureCache := fs.Int("feature-cache-mb", sqlite.DefaultEncodedCacheBytes>>20, "memory for features kept encoded as GeoJSON for items pages, in MiB; 0 turns the cache off")
	defMaxQueries, err := envInt("STRATA_MAX_QUERIES", 0)
	if err != nil {
		return err
	}
	maxQueries := fs.Int("max-queries", defMaxQueries, "items pages and tiles computed at once, the rest queued; 0 means one per core, -1 no limit (env STRATA_MAX_QUERIES)")
	defPrewarm, err := envBool("STRATA_PREWARM", true)
	if err != nil {
		return err
	}
	doPrewarm := fs.Bool("prewarm", defPrewarm, "read the database file into the OS file cache at start, if it takes at most half the available memory (env STRATA_PREWARM)")
	defReadOnly, err := envBool("STRATA_READ_ONLY", false)
	if err != nil {
		return err
	}
	readOnly := fs.Bool("read-only", defReadOnly, "open the database read-only and never write it (automatic when the file or its folder cannot be written) (env STRATA_READ_ONLY)")
	logFormat := fs.String("log-format", env("STRATA_LOG_FORMAT", "text"), "log lines as `text` (key=value) or json (env STRATA_LOG_FORMAT)")
	defAccessLog, err := envBool("STRATA_ACCESS_LOG", true)
	if err != nil {
		return err
	}
	accessLog := fs.Bool("access-log", defAccessLog, "log every request: method, URL with secrets redacted, route, status, bytes, time (env STRATA_ACCESS_LOG)")
	frameAncestors := fs.String("frame-ancestors", env("STRATA_FRAME_ANCESTORS", "'self'"), "`SOURCES` allowed to frame the pages, as in CSP frame-ancestors: 'self', 'none' or origins such as https://example.org (env STRATA_FRAME_ANCESTORS)")
	defStall, err := envDuration("STRATA_STALL_TIMEOUT", api.DefaultStallTimeout)
	if err != nil {
		return err
	}
	stall := fs.Duration("stall-timeout", defStall, "drop a client that has read nothing of an answer for this long; a negative value never does (env STRATA_STALL_TIMEOUT)")
	defMem, err := envInt("STRATA_MEMORY_LIMIT_MB", defaultMemoryLimitMB)
	if err != nil {
		return err
	}
	memLimit := fs.Int("memory-limit-mb", defMem, "soft limit of the Go heap in MiB: near it the garbage collector runs more often, so that many slow clients at once do not grow the process; 0 means none, and GOMEMLIMIT, when set, wins (env STRATA_MEMORY_LIMIT_MB)")
	basemapFile := fs.String("basemap", env("STRATA_BASEMAP", ""), "a vector basemap `FILE.pmtiles` (PMTiles version 3 of MVT tiles, for example an extract made with the pmtiles tool) that the map, the presenter and exported briefings draw offline (env STRATA_BASEMAP)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *memLimit < 0 {
		return usagef("-memory-limit-mb must be 0 or more")
	}
	if *memLimit > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(*memLimit) << 20)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *stall == 0 {
		return usagef("-stall-timeout must not be 0; give a duration such as 10s, or -1s for none")
	}
	frames, err := api.ParseFrameAncestors(*frameAncestors)
	if err != nil {
		return usagef("-frame-ancestors: %v", err)
	}
	log, err := newLogger(*logFormat, stderr)
	if err != nil {
		return err
	}
	var userBasemap *tilefile.Archive
	if *basemapFile != "" {
		if userBasemap, err = tilefile.Open(*basemapFile); err != nil {
			return fmt.Errorf("-basemap: %w", err)
		}
		defer userBasemap.Close()
	}

	if *featureCache < 0 {
		return usagef("-feature-cache-mb must be 0 or more")
	}
	if *pageCache < 0 {
		return usagef("-page-cache-mb must be 0 or more")
	}
	st, err := openServed(ctx, *dbPath, *readOnly, int64(*featureCache)<<20, log)
	if err != nil {
		return err
	}
	defer st.store.Close()
	if st.readOnly {
		// Seeding would write; an empty database is served empty.
		log.Info("opened the database read-only: imports and seeding are off", "db", st.name, "reason", st.why)
	} else {
		seeded, err := seed.Apply(ctx, st.store, st.store)
		if err != nil {
			// Another server on the same PostgreSQL database may have
			// seeded it meanwhile: then its layers are there.
			if snap, serr := st.store.Snapshot(ctx); !errors.Is(err, geo.ErrConflict) || serr != nil || len(snap.Layers()) == 0 {
				return fmt.Errorf("seeding %s: %w", st.name, err)
			}
			log.Info("another server seeded the database", "db", st.name)
		} else if seeded {
			log.Info("seeded the database with the embedded dataset", "db", st.name)
		}
	}
	if *doPrewarm && st.prewarm != nil {
		go st.prewarm(ctx, log)
	}

	baseLayers, _, err := baselayers.Open(basemap.FS)
	if err != nil {
		return fmt.Errorf("offline basemap: %w", err)
	}
	srv := api.New(api.Config{
		Store:       st.store,
		Ready:       st.ready,
		Briefings:   st.store,
		Static:      static.FS,
		Basemap:     basemap.FS,
		BaseURL:     *baseURL,
		CORSOrigins: splitList(*cors),
		Version:     version,
		Logger:      log,
		// Tiles are cached by data version, so a change is never served stale.
		TileCacheBytes: int64(*tileCache) << 20,
		PageCacheBytes: int64(*pageCache) << 20,
		BasemapLayers:  baseLayers,
		UserBasemap:    userBasemap,
		MaxQueries:     *maxQueries,
		AccessLog:      *accessLog,
		FrameAncestors: frames,
		StallTimeout:   *stall,
		WriteTimeout:   writeTimeout,
		ReadOnly:       st.readOnly,
	})
	defer srv.Close() // ends open change streams
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler: srv.Handler(),
		// Slow or stalled clients must not hold connections forever.
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// Long enough for a 10,000-feature page to a slow client; a client
		// that stops reading is dropped sooner (-stall-timeout).
		WriteTimeout: writeTimeout,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if *pprofAddr != "" {
		go func() {
			// http.DefaultServeMux holds only the pprof handlers.
			log.Info("pprof listening", "addr", *pprofAddr)
			if err := http.ListenAndServe(*pprofAddr, http.DefaultServeMux); err != nil {
				log.Error("pprof", "err", err)
			}
		}()
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("serving", "url", "http://"+ln.Addr().String(), "db", st.name)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Close() // change streams never end by themselves: end them first
	if err := hs.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// defaultMemoryLimitMB is the default -memory-limit-mb. With it, 600
// clients that each asked for a 10,000-feature page and read nothing kept
// the server at 227 MB (352 MB without a limit), while the index of a
// million points lives outside the Go heap and does not count
// (BENCHMARKS.md).
const defaultMemoryLimitMB = 200

// newLogger returns the server's logger writing to w in format "text"
// (slog's key=value lines) or "json" (one JSON object a line).
func newLogger(format string, w io.Writer) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, usagef("log format %q is neither text nor json (-log-format, STRATA_LOG_FORMAT)", format)
}

// prewarm reads the database file into the operating system's file cache
// (see sqlite.DB.Prewarm) if it takes at most half the memory available.
func prewarm(ctx context.Context, db *sqlite.DB, log *slog.Logger) {
	start := time.Now()
	n, err := db.Prewarm(ctx, availableMemory()/2)
	switch {
	case err != nil && ctx.Err() == nil:
		log.Warn("prewarming the database file", "err", err)
	case n > 0:
		log.Info("prewarmed the database file", "bytes", n, "took", time.Since(start).Round(time.Millisecond))
	}
}

// availableMemory returns the memory available to start new work, from
// MemAvailable in /proc/meminfo (Linux), or 0 where it is not known.
func availableMemory() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	return memAvailable(string(b))
}

// memAvailable returns the bytes of the "MemAvailable: N kB" line of a
// /proc/meminfo text, or 0 when there is none or it is malformed.
func memAvailable(meminfo string) int64 {
	for _, line := range strings.Split(meminfo, "\n") {
		rest, ok := strings.CutPrefix(line, "MemAvailable:")
		if !ok {
			continue
		}
		num, ok := strings.CutSuffix(strings.TrimSpace(rest), " kB")
		kib, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
		if !ok || err != nil || kib < 0 || kib > math.MaxInt64>>10 {
			return 0
		}
		return kib << 10
	}
	return 0
}

// storageMode says how to open the database file at path: read-only when
// asked, or when the file exists and it or its folder cannot be written
// (a read-only mount, a file or folder without write permission); why
// says which. A missing file is opened read-write, to be created.
func storageMode(path string, readOnly bool) (mode sqlite.OpenMode, why string) {
	if readOnly {
		return sqlite.ReadOnly, "-read-only"
	}
	if _, err := os.Stat(path); err != nil {
		return sqlite.ReadWrite, ""
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return sqlite.ReadOnly, "the file cannot be written"
	}
	f.Close()
	// SQLite writes its journal (-wal, -shm) beside the file: probe the
	// folder with a file of our own.
	probe, err := os.CreateTemp(filepath.Dir(path), ".strata-probe-*")
	if err != nil {
		return sqlite.ReadOnly, "its folder cannot be written"
	}
	probe.Close()
	os.Remove(probe.Name())
	return sqlite.ReadWrite, ""
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
