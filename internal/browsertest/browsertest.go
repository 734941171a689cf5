// Package browsertest runs the front end's browser tests (node --test
// over web/test, driving Chromium with playwright-core) against real
// strata servers, for the Go tests of web/ and web/postgres. It is used
// by tests only.
package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"strata/data/tilefile/tilefiletest"
)

// Flows names the browser tests of user flows (test/NAME.test.mjs), run
// apart from the others (web/flows), and Reading the test that the map
// reads well on a desktop and a phone (web/reading): each package has go
// test's ten minutes, which the five together came within two of (482 s)
// while the other packages ran beside them.
var (
	Flows   = []string{"present", "find", "edit", "pages"}
	Reading = []string{"readable"}
)

// Tests returns the paths, relative to the web directory web, of the
// browser tests test/NAME.test.mjs of names; a missing one fails t.
func Tests(t *testing.T, web string, names ...string) []string {
	t.Helper()
	var tests []string
	for _, name := range names {
		f := filepath.Join("test", name+".test.mjs")
		if !exists(filepath.Join(web, f)) {
			t.Fatalf("%s is missing", f)
		}
		tests = append(tests, f)
	}
	return tests
}

// Env is a built strata binary and the servers the tests share.
type Env struct {
	web, node, bin, tmp string
	// env is what node gets besides the server's address.
	env []string
}

// OnSQLite runs the browser tests test/NAME.test.mjs of names, from the
// web directory web, against a server on a fresh SQLite file.
func OnSQLite(t *testing.T, web string, names ...string) {
	t.Helper()
	env := Setup(t, web, false)
	env.Run(t, filepath.Join(t.TempDir(), "strata.db"), Tests(t, web, names...)...)
}

// Setup builds the strata binary for the browser tests run from the web
// directory web (relative to the test's package). Without node,
// /usr/bin/chromium or web/node_modules/playwright-core it skips the
// test, except under CI=true, where it fails: CI installs them. With
// bench, it also serves the 200,000-point layer for test/tiles.test.mjs
// and a user's basemap for test/userbasemap.test.mjs, both from SQLite.
func Setup(t *testing.T, web string, bench bool) *Env {
	t.Helper()
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
	case !exists(filepath.Join(web, "node_modules", "playwright-core")):
		missing = "web/node_modules/playwright-core (run npm ci in web/)"
	}
	if missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser tests need %s", missing)
		}
		t.Skipf("browser tests need %s", missing)
	}
	e := &Env{web: web, node: node, tmp: t.TempDir()}
	e.bin = filepath.Join(e.tmp, "strata")
	build := exec.Command("go", "build", "-o", e.bin, ".")
	build.Dir = filepath.Join(web, "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if bench {
		// The 200,000-point layer, served from SQLite only: importing it
		// into PostgreSQL too would add a minute and test no more of the
		// map.
		benchStop, benchURL := e.serveBench(t, filepath.Join(e.tmp, "bench.db"))
		t.Cleanup(benchStop)
		// A server with a user's basemap (-basemap), a small PMTiles
		// file made here.
		userStop, user := e.Serve(t, filepath.Join(e.tmp, "userbasemap.db"), "-basemap", tilefiletest.File(t))
		t.Cleanup(userStop)
		e.env = append(e.env, "STRATA_BENCH_URL="+benchURL, "STRATA_BENCH=required",
			"STRATA_USER_BASEMAP_URL="+user, "STRATA_USER_BASEMAP=required")
	}
	return e
}

// Run seeds db (a SQLite path or a postgres:// URL) with the embedded
// dataset, imports the "xss" test layer into it with `strata import`,
// serves it, and runs node --test over tests (paths relative to the web
// directory) against it.
func (e *Env) Run(t *testing.T, db string, tests ...string) {
	t.Helper()
	// serve seeds a new database; the xss layer is imported after that,
	// so the first server only seeds.
	stop, _ := e.Serve(t, db)
	stop()
	imp := exec.Command(e.bin, "import", "-db", db, "-layer", "xss", "-title", "XSS test", "-kind", "point", "-q", filepath.Join(e.web, "test", "testdata", "xss.geojson"))
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("strata import: %v\n%s", err, out)
	}
	stop, base := e.Serve(t, db)
	defer stop()

	run := exec.Command(e.node, append([]string{"--test"}, tests...)...)
	run.Dir = e.web
	run.Env = append(os.Environ(), "STRATA_URL="+base, "STRATA_XSS=required",
		// For test/present.test.mjs, which runs `strata export-briefing`.
		"STRATA_BIN="+e.bin, "STRATA_DB="+db)
	run.Env = append(run.Env, e.env...)
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
func (e *Env) serveBench(t *testing.T, db string) (stop func(), base string) {
	t.Helper()
	stop, _ = e.Serve(t, db)
	stop()
	dir := filepath.Join(e.tmp, "bench")
	gen := exec.Command("go", "run", "./cmd/strata-gen", "-points", "200000", "-polygons", "0", "-lines", "0", dir)
	gen.Dir = filepath.Join(e.web, "..")
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("strata-gen: %v\n%s", err, out)
	}
	start := time.Now()
	imp := exec.Command(e.bin, "import", "-db", db, "-layer", "bench_points", "-title", "Synthetic points", "-kind", "point",
		"-source", "Synthetic benchmark data", "-precision-m", "0", "-q", filepath.Join(dir, "points.geojson"))
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("strata import: %v\n%s", err, out)
	}
	t.Logf("imported 200,000 points in %s", time.Since(start).Round(time.Millisecond))
	return e.Serve(t, db)
}

// Serve starts `strata serve` on db on a free port, with more flags if
// given, and waits until it answers; stop ends it (and logs its output if
// the test failed).
func (e *Env) Serve(t *testing.T, db string, flags ...string) (stop func(), base string) {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var log bytes.Buffer
	srv := exec.CommandContext(ctx, e.bin, append([]string{"serve", "-addr", addr, "-db", db}, flags...)...)
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
