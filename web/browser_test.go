package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strata/data/tilefile/tilefiletest"
	"strata/internal/pgtest"
	"strconv"
	"testing"
	"time"
)

// TestBrowser builds the real strata binary, imports an extra "xss" layer
// into a fresh database with `strata import`, serves it, and runs the
// browser tests (node --test web/test/, driving Chromium with
// playwright-core) against it. Without node, /usr/bin/chromium or
// web/node_modules/playwright-core it skips, except under CI=true, where
// it fails: CI installs them (`apt-get install chromium`, `npm ci`).
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are slow; not run with -short")
	}
	node, err := exec.LookPath("node")
	missing := ""
	switch {
	case err != nil:
		missing = "node"
	case !exists("/usr/bin/chromium"):
		missing = "/usr/bin/chromium"
	case !exists("node_modules/playwright-core"):
		missing = "web/node_modules/playwright-core (run npm ci in web/)"
	}
	if missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser tests need %s", missing)
		}
		t.Skipf("browser tests need %s", missing)
	}

	tmp := t.TempDir()
	bin := filepath.Join(tmp, "strata")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// The 200,000-point layer for the tiles test, served from SQLite for
	// both runs: importing it into PostgreSQL too would add a minute to
	// every run and test no more of the map.
	benchStop, bench := serveBench(t, bin, tmp, filepath.Join(tmp, "bench.db"))
	defer benchStop()
	// A server with a user's basemap (-basemap), a small PMTiles file made
	// here, for test/userbasemap.test.mjs.
	userStop, user := serve(t, bin, filepath.Join(tmp, "userbasemap.db"), "-basemap", tilefiletest.File(t))
	defer userStop()

	// Every test against a SQLite file; against a PostgreSQL database
	// (skipped without one, except under CI), the tests whose answers come
	// from the engine in ways the API's own tests on both engines do not
	// cover: the map's reading of the layers, editing, the exported
	// briefing (read by the command line) and finding and comparing. The
	// others test the page itself, the same whatever serves the data; all
	// of them twice would not fit in go test's ten minutes on two cores.
	t.Run("sqlite", func(t *testing.T) {
		runBrowser(t, node, bin, filepath.Join(tmp, "strata.db"), bench, user, "test/")
	})
	t.Run("postgres", func(t *testing.T) {
		runBrowser(t, node, bin, pgtest.URL(t), bench, user, engineTests(t)...)
	})
}

// engineTests lists the browser tests run against PostgreSQL too (see
// TestBrowser).
func engineTests(t *testing.T) []string {
	var files []string
	for _, name := range []string{"map", "edit", "present", "find"} {
		f := filepath.Join("test", name+".test.mjs")
		if !exists(f) {
			t.Fatalf("%s is missing", f)
		}
		files = append(files, f)
	}
	return files
}

// runBrowser runs the browser tests against a server on db, and the
// tiles test against the server of the benchmark layer at bench.
func runBrowser(t *testing.T, node, bin, db, bench, user string, tests ...string) {
	// serve seeds a new database with the embedded dataset; the xss layer
	// is imported after that, so the first server only seeds.
	stop, _ := serve(t, bin, db)
	stop()
	imp := exec.Command(bin, "import", "-db", db, "-layer", "xss", "-title", "XSS test", "-kind", "point", "-q", filepath.Join("test", "testdata", "xss.geojson"))
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("strata import: %v\n%s", err, out)
	}
	stop, base := serve(t, bin, db)
	defer stop()

	run := exec.Command(node, append([]string{"--test"}, tests...)...)
	run.Env = append(os.Environ(), "STRATA_URL="+base, "STRATA_XSS=required", "STRATA_BENCH_URL="+bench, "STRATA_BENCH=required",
		"STRATA_USER_BASEMAP_URL="+user, "STRATA_USER_BASEMAP=required",
		// For test/present.test.mjs, which runs `strata export-briefing`.
		"STRATA_BIN="+bin, "STRATA_DB="+db)
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test: %v\n%s", err, out)
	}
	t.Logf("node --test:\n%s", tail(out, 2000))
}

// serveBench serves a second database: the seed plus a 200,000-point
// layer made by cmd/strata-gen and imported with `strata import`, which
// the map draws from vector tiles (test/tiles.test.mjs). It is apart from
// the first so the other tests and their screenshots stay as they were.
func serveBench(t *testing.T, bin, tmp, db string) (stop func(), base string) {
	t.Helper()
	stop, _ = serve(t, bin, db)
	stop()
	dir := filepath.Join(tmp, "bench")
	gen := exec.Command("go", "run", "./cmd/strata-gen", "-points", "200000", "-polygons", "0", "-lines", "0", dir)
	gen.Dir = ".."
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("strata-gen: %v\n%s", err, out)
	}
	start := time.Now()
	imp := exec.Command(bin, "import", "-db", db, "-layer", "bench_points", "-title", "Synthetic points", "-kind", "point",
		"-source", "Synthetic benchmark data", "-precision-m", "0", "-q", filepath.Join(dir, "points.geojson"))
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("strata import: %v\n%s", err, out)
	}
	t.Logf("imported 200,000 points in %s", time.Since(start).Round(time.Millisecond))
	return serve(t, bin, db)
}

// serve starts `strata serve` on a free port, with more flags if given,
// and waits until it answers; stop ends it (and logs its output if the
// test failed).
func serve(t *testing.T, bin, db string, flags ...string) (stop func(), base string) {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var log bytes.Buffer
	srv := exec.CommandContext(ctx, bin, append([]string{"serve", "-addr", addr, "-db", db}, flags...)...)
	srv.Stdout, srv.Stderr = &log, &log
	if err := srv.Start(); err != nil {
		cancel()
		t.Fatalf("strata serve: %v", err)
	}
	stop = func() {
		cancel()
		_ = srv.Wait()
		if t.Failed() {
			t.Logf("server log:\n%s", log.String())
		}
	}
	base = "http://" + addr
	if err := waitFor(base+"/collections", 20*time.Second); err != nil {
		stop()
		t.Fatal(err)
	}
	return stop, base
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// waitFor polls url until it answers 200 or the time is up.
func waitFor(url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("server did not answer %s within %s", url, limit)
}

func tail(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	return b[len(b)-n:]
}
