package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strata/internal/pgtest"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the strata executable built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "strata-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "strata")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running strata binary.
type server struct {
	url string
	cmd *exec.Cmd
	log *syncBuffer
}

// syncBuffer is a bytes.Buffer that the goroutines copying a process's
// output write while a test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns what was written so far.
func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// startServer runs `strata serve` on a free loopback port with the
// database at db and waits until it answers.
func startServer(t *testing.T, db string, flags ...string) *server {
	t.Helper()
	return startServerCmd(t, db, nil, flags...)
}

// startServerCmd is startServer with more flags, and a function that
// may change the command before it starts.
func startServerCmd(t *testing.T, db string, prepare func(*exec.Cmd), flags ...string) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &server{url: "http://" + addr, log: &syncBuffer{}}
	s.cmd = exec.Command(binary, append([]string{"serve", "-addr", addr, "-db", db}, flags...)...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if prepare != nil {
		prepare(s.cmd)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.stop(t) })
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(s.url + "/conformance"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not start:\n%s", s.log)
	return nil
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop(t *testing.T) {
	if s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("server exited with %v after SIGTERM:\n%s", err, s.log)
		}
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		t.Errorf("server did not stop within 15 s of SIGTERM")
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: status %d", url, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// layerCounts asks the API for every collection's feature count.
func layerCounts(t *testing.T, base string) map[string]int {
	t.Helper()
	var cs struct{ Collections []struct{ ID string } }
	getJSON(t, base+"/collections", &cs)
	counts := map[string]int{}
	for _, c := range cs.Collections {
		var fc struct{ NumberMatched int }
		getJSON(t, base+"/collections/"+c.ID+"/items?limit=1", &fc)
		counts[c.ID] = fc.NumberMatched
	}
	return counts
}

// needTool finds a command-line tool; without it the test skips, except
// under CI where a missing tool is a failure.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed; .ci/run must install it", name)
		}
		t.Skipf("%s is not installed", name)
	}
	return path
}

// TestGDAL reads the running server with GDAL's OAPIF driver: ogrinfo must
// list every layer, and ogr2ogr must copy every feature to a GeoPackage.
func TestGDAL(t *testing.T) {
	ogrinfo := needTool(t, "ogrinfo")
	ogr2ogr := needTool(t, "ogr2ogr")
	forEachEngine(t, func(t *testing.T, db string) { testGDAL(t, ogrinfo, ogr2ogr, db) })
}

// forEachEngine runs test as a subtest on a new database of each engine:
// a SQLite file, and a PostgreSQL database (skipped without one, except
// under CI, see internal/pgtest).
func forEachEngine(t *testing.T, test func(t *testing.T, db string)) {
	t.Run("sqlite", func(t *testing.T) { test(t, filepath.Join(t.TempDir(), "strata.db")) })
	t.Run("postgres", func(t *testing.T) { test(t, pgtest.URL(t)) })
}

func testGDAL(t *testing.T, ogrinfo, ogr2ogr, db string) {
	dir := t.TempDir()
	srv := startServer(t, db)
	want := layerCounts(t, srv.url)
	if len(want) < 6 {
		t.Fatalf("seeded server has %d layers: %v", len(want), want)
	}

	out, err := exec.Command(ogrinfo, "-ro", "-so", "OAPIF:"+srv.url).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\d+: (\S+)`).FindAllStringSubmatch(string(out), -1) {
		listed[m[1]] = true
	}
	for id := range want {
		if !listed[id] {
			t.Errorf("ogrinfo does not list layer %s:\n%s", id, out)
		}
	}

	gpkg := filepath.Join(dir, "out.gpkg")
	if out, err := exec.Command(ogr2ogr, "-f", "GPKG", gpkg, "OAPIF:"+srv.url).CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr: %v\n%s", err, out)
	}
	for id, n := range want {
		out, err := exec.Command(ogrinfo, "-ro", "-so", gpkg, id).CombinedOutput()
		if err != nil {
			t.Errorf("ogrinfo %s %s: %v\n%s", gpkg, id, err, out)
			continue
		}
		m := regexp.MustCompile(`Feature Count: (\d+)`).FindSubmatch(out)
		if m == nil {
			t.Errorf("layer %s: no feature count in\n%s", id, out)
			continue
		}
		if got, _ := strconv.Atoi(string(m[1])); got != n {
			t.Errorf("layer %s: GeoPackage has %d features, server has %d", id, got, n)
		}
	}
	// GDAL reads the time fields as date-times, also valid_to where every
	// feature is still valid (null), from the collection's describedBy
	// schema: QGIS's temporal controller uses them.
	out, err = exec.Command(ogrinfo, "-ro", "-so", gpkg, "lines").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "valid_from: DateTime") || !strings.Contains(string(out), "valid_to: DateTime") {
		t.Errorf("valid_from and valid_to are not read as date-times: %v\n%s", err, out)
	}
}

// runCLI runs one strata command in this process.
func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &o, &e)
	return code, o.String(), e.String()
}

const validFC = `{"type":"FeatureCollection","features":[
 {"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[34.4,31.5]},
  "properties":{"name":"A","kind":"test","valid_from":"2025-10-10","valid_to":null,"precision_m":100,
   "sources":[{"title":"Test","url":"https://example.org"}]}},
 {"type":"Feature","id":"b","geometry":{"type":"Polygon","coordinates":[[[34,31],[34.1,31],[34.1,31.1],[34,31]]]},
  "properties":{"name":"B","precision_m":50,"sources":[{"title":"Test"}]}}]}`

// feature builds a one-feature collection with the given geometry and
// extra properties.
func feature(id, geom, props string) string {
	if id != "" {
		id = `"id":"` + id + `",`
	}
	return `{"type":"FeatureCollection","features":[{"type":"Feature",` + id + `"geometry":` + geom +
		`,"properties":{"precision_m":10,"sources":[{"title":"T"}]` + props + `}}]}`
}

const pt = `{"type":"Point","coordinates":[34,31]}`

// exportAll exports every layer of db, for comparing before and after.
func exportAll(t *testing.T, db string, layers []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range layers {
		code, stdout, stderr := runCLI(t, "", "export", "-db", db, "-layer", l)
		if code != 0 {
			t.Fatalf("export %s: %s", l, stderr)
		}
		out[l] = stdout
	}
	return out
}

func TestImportMalformedChangesNothing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "strata.db")
	if code, _, stderr := runCLI(t, validFC, "import", "-db", db, "-layer", "test", "-title", "Test", "-"); code != 0 {
		t.Fatalf("valid import failed: %s", stderr)
	}
	if code, _, stderr := runCLI(t, validFC, "import", "-db", db, "-layer", "other", "-"); code != 0 {
		t.Fatalf("valid import failed: %s", stderr)
	}
	layers := []string{"test", "other"}
	before := exportAll(t, db, layers)
	if !strings.Contains(before["test"], `"id":"a"`) || !strings.Contains(before["test"], `"id":"b"`) {
		t.Fatalf("export lacks the imported features:\n%s", before["test"])
	}
	huge := feature("h", pt, `,"blob":"`+strings.Repeat("x", 17<<20)+`"`)
	cases := []struct {
		name, body, want string
		args             []string
	}{
		{"bad JSON", `{"type":"FeatureCollection","features":[{]}`, "features[0]", nil},
		{"empty file", ``, "empty", nil},
		{"truncated", validFC[:200], "ends early", nil},
		{"not a collection", `{"type":"Feature","geometry":` + pt + `}`, "FeatureCollection", nil},
		{"array", `[1,2]`, "FeatureCollection", nil},
		{"wrong geometry type", feature("x", `{"type":"Circle","coordinates":[34,31]}`, ""), "features[0]", nil},
		{"unclosed ring", feature("x", `{"type":"Polygon","coordinates":[[[34,31],[35,31],[35,32],[34,32]]]}`, ""), "not closed", nil},
		{"ring of three", feature("x", `{"type":"Polygon","coordinates":[[[34,31],[35,31],[34,31]]]}`, ""), "at least 4", nil},
		{"longitude out of range", feature("x", `{"type":"Point","coordinates":[200,31]}`, ""), "outside", nil},
		{"latitude out of range", feature("x", `{"type":"Point","coordinates":[34,-95]}`, ""), "outside", nil},
		{"NaN", feature("x", `{"type":"Point","coordinates":[NaN,31]}`, ""), "features[0]", nil},
		{"overflowing number", feature("x", `{"type":"Point","coordinates":[1e999,31]}`, ""), "features[0]", nil},
		{"empty line", feature("x", `{"type":"LineString","coordinates":[]}`, ""), "at least 2", nil},
		{"no geometry", feature("x", `null`, ""), "geometry is missing", nil},
		{"missing id", feature("", pt, ""), "id is missing", nil},
		{"bad id", feature("a b", pt, ""), "id", nil},
		{"duplicate ids in file", strings.Replace(validFC, `"id":"b"`, `"id":"a"`, 1), "repeats features[0]", []string{"-layer", "fresh"}},
		{"id already stored", feature("a", pt, ""), "already exists", nil},
		{"bad date", feature("x", pt, `,"valid_from":"2025-02-30"`), "valid_from", nil},
		{"not a date", feature("x", pt, `,"valid_to":"soon"`), "valid_to", nil},
		{"valid_to before valid_from", feature("x", pt, `,"valid_from":"2025-10-10","valid_to":"2025-10-01"`), "not after", nil},
		{"negative precision", strings.Replace(feature("x", pt, ""), `"precision_m":10`, `"precision_m":-5`, 1), "precision_m", nil},
		{"no sources", strings.Replace(feature("x", pt, ""), `,"sources":[{"title":"T"}]`, ``, 1), "sources", nil},
		{"properties not an object", `{"type":"FeatureCollection","features":[{"type":"Feature","id":"x","geometry":` + pt + `,"properties":[1]}]}`, "properties", nil},
		{"trailing data", validFC + `{}`, "after the FeatureCollection", []string{"-layer", "fresh"}},
		{"huge feature", huge, "larger than", nil},
		{"file over -max-mb", strings.Replace(validFC, `"features":[`, `"features":[`+strings.Repeat(" ", 2<<20), 1), "the document is larger than 1048576 bytes", []string{"-max-mb", "1"}},
		{"huge foreign member", strings.Replace(validFC, `"features":[`, `"blob":"`+strings.Repeat("x", 3<<20)+`","features":[`, 1), `member "blob" is larger than 1048576 bytes`, nil},
		{"bad second feature into a new layer", strings.Replace(validFC, `[34.1,31.1],[34,31]`, `[34.1,31.1],[34,31.5]`, 1), "features[1]", []string{"-layer", "brand-new"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := []string{"import", "-db", db, "-layer", "test"}
			args = append(args, c.args...)
			args = append(args, "-")
			code, _, stderr := runCLI(t, c.body, args...)
			if code != 1 {
				t.Fatalf("exit code %d, want 1; stderr: %s", code, stderr)
			}
			if !strings.Contains(stderr, c.want) || !strings.Contains(stderr, "nothing imported") {
				t.Errorf("stderr %q does not say %q", truncate(stderr), c.want)
			}
			if after := exportAll(t, db, layers); after["test"] != before["test"] || after["other"] != before["other"] {
				t.Errorf("a failed import changed the stored data")
			}
			for _, l := range []string{"fresh", "brand-new"} {
				if code, _, _ := runCLI(t, "", "export", "-db", db, "-layer", l); code == 0 {
					t.Errorf("failed import left layer %s behind", l)
				}
			}
		})
	}
}

func truncate(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

func TestImportExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db1, db2 := filepath.Join(dir, "1.db"), filepath.Join(dir, "2.db")
	file := filepath.Join(dir, "in.geojson")
	os.WriteFile(file, []byte(validFC), 0o644)
	if code, _, stderr := runCLI(t, "", "import", "-db", db1, "-layer", "x", file); code != 0 {
		t.Fatal(stderr)
	}
	_, exported, _ := runCLI(t, "", "export", "-db", db1, "-layer", "x")
	if code, _, stderr := runCLI(t, exported, "import", "-db", db2, "-layer", "x", "-"); code != 0 {
		t.Fatalf("re-import of an export failed: %s", stderr)
	}
	_, again, _ := runCLI(t, "", "export", "-db", db2, "-layer", "x")
	if again != exported {
		t.Errorf("export -> import -> export differs:\n%s\n%s", exported, again)
	}
	// -replace swaps the layer's content; defaults fill missing sources and precision.
	bare := `{"type":"FeatureCollection","features":[{"type":"Feature","id":"n","geometry":` + pt + `,"properties":{"name":"N"}}]}`
	if code, _, stderr := runCLI(t, bare, "import", "-db", db1, "-layer", "x", "-replace", "-source", "Bench", "-precision-m", "0", "-"); code != 0 {
		t.Fatal(stderr)
	}
	_, replaced, _ := runCLI(t, "", "export", "-db", db1, "-layer", "x")
	if strings.Contains(replaced, `"id":"a"`) || !strings.Contains(replaced, `"sources":[{"title":"Bench"}]`) {
		t.Errorf("after -replace with defaults: %s", replaced)
	}
}

func TestCLIUsage(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"import", "-db", "x.db", "-"}, 2, "-layer is required"},
		{[]string{"import", "-db", "x.db", "-layer", "a"}, 2, "one FILE"},
		{[]string{"import", "-layer", "bad id", "-"}, 2, "layer id"},
		{[]string{"import", "-nosuchflag"}, 2, "nosuchflag"},
		{[]string{"export", "-db", "/nonexistent/x.db", "-layer", "a"}, 1, "nonexistent"},
		{[]string{"serve", "extra"}, 2, "unexpected argument"},
		{[]string{"serve", "-log-format", "xml"}, 2, `log format "xml"`},
		{[]string{"serve", "-stall-timeout", "0"}, 2, "-stall-timeout"},
		{[]string{"serve", "-frame-ancestors", "'unsafe-inline'"}, 2, "-frame-ancestors"},
		{[]string{"serve", "-frame-ancestors", "'none' https://a.example"}, 2, "-frame-ancestors"},
		{[]string{"help"}, 0, ""},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", c.args...)
			if code != c.code || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d (want %d), stderr %q (want %q), stdout %.80q", code, c.code, stderr, c.want, stdout)
			}
		})
	}
}

// TestUsageIsComplete checks that the usage text names every command,
// every flag each command defines (as its -h lists them) and every
// environment variable a flag falls back to.
func TestUsageIsComplete(t *testing.T) {
	code, out, _ := runCLI(t, "", "help")
	if code != 0 || out != usage {
		t.Fatalf("help: exit %d, output %.80q", code, out)
	}
	if code, out, _ := runCLI(t, "", "-h"); code != 0 || out != usage {
		t.Errorf("-h: exit %d, output %.80q; want the usage", code, out)
	}
	// Each command's lines: "  strata CMD ..." and the indented lines
	// that continue it.
	lines := map[string]string{}
	cmd := ""
	for _, l := range strings.Split(usage, "\n") {
		switch {
		case strings.HasPrefix(l, "  strata "):
			f := strings.Fields(l)
			cmd = f[1]
			if cmd == "[serve]" {
				cmd = "serve"
			}
			if cmd == "token" {
				cmd += " " + f[2]
			}
			lines[cmd] = l
		case cmd != "" && strings.HasPrefix(l, "    "):
			lines[cmd] += l
		default:
			cmd = ""
		}
	}
	flagRE := regexp.MustCompile(`(?m)^  (-[a-z-]+)`)
	envRE := regexp.MustCompile(`\(env (STRATA_[A-Z_]+)\)`)
	for _, cmd := range []string{"serve", "import", "export", "import-briefing", "export-briefing",
		"token create", "token list", "token revoke", "revert"} {
		t.Run(cmd, func(t *testing.T) {
			code, _, help := runCLI(t, "", append(strings.Fields(cmd), "-h")...)
			flags := flagRE.FindAllStringSubmatch(help, -1)
			if code != 0 || len(flags) == 0 {
				t.Fatalf("%s -h: exit %d, %q", cmd, code, help)
			}
			line, ok := lines[cmd]
			if !ok {
				t.Fatalf("the usage has no line for %s", cmd)
			}
			for _, f := range flags {
				if !regexp.MustCompile(`\[?` + f[1] + `\b`).MatchString(line) {
					t.Errorf("the usage of %s omits %s", cmd, f[1])
				}
			}
			for _, e := range envRE.FindAllStringSubmatch(help, -1) {
				if !regexp.MustCompile(`(?m)^  ` + e[1] + ` `).MatchString(usage) {
					t.Errorf("the usage's environment omits %s (%s)", e[1], cmd)
				}
			}
		})
	}
}

// TestCLIBadEnvironment checks that a malformed environment variable is a
// usage error naming it.
// TestServeOperability runs the real server with JSON logs and a frame
// policy: it answers /healthz, /readyz and /metrics, logs each request as
// a JSON line without the token it was given, and sends the policy.
func TestServeOperability(t *testing.T) {
	t.Setenv("STRATA_FRAME_ANCESTORS", "'self' https://news.example.org")
	s := startServer(t, filepath.Join(t.TempDir(), "ops.db"), "-log-format", "json", "-prewarm=false")
	// /readyz is 503 until the layers' indexes are built (its first call
	// starts the builds), then 200.
	notReady := 0
	for deadline := time.Now().Add(15 * time.Second); ; {
		res, err := http.Get(s.url + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == 200 {
			break
		}
		if res.StatusCode != 503 || time.Now().After(deadline) {
			t.Fatalf("/readyz: status %d after %d answers of 503", res.StatusCode, notReady)
		}
		notReady++
		time.Sleep(20 * time.Millisecond)
	}
	if notReady == 0 {
		t.Error("/readyz was ready before any index was built")
	}
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/collections?token=s3cret"} {
		res, err := http.Get(s.url + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		want := 200
		if strings.Contains(p, "token") {
			want = 400
		}
		if res.StatusCode != want {
			t.Errorf("%s: status %d, want %d", p, res.StatusCode, want)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self' https://news.example.org") || res.Header.Get("X-Frame-Options") != "" {
			t.Errorf("%s: CSP %q, X-Frame-Options %q", p, csp, res.Header.Get("X-Frame-Options"))
		}
	}
	s.stop(t)
	logs := s.log.String()
	if strings.Contains(logs, "s3cret") {
		t.Errorf("the token reached the log:\n%s", logs)
	}
	requests := 0
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var l struct{ Msg, Route string }
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("log line is not JSON: %s", line)
		}
		if l.Msg == "request" && l.Route != "" {
			requests++
		}
	}
	if requests < 4 {
		t.Errorf("%d request lines logged, want at least 4:\n%s", requests, logs)
	}
}

// TestSeedingNeverOverwrites starts the server on a database that already
// holds data: the seed must not be applied. On an empty one it is, once.
func TestCLIBadEnvironment(t *testing.T) {
	for _, tc := range []struct{ name, value string }{
		{"STRATA_MAX_QUERIES", "lots"},
		{"STRATA_PREWARM", "maybe"},
		{"STRATA_ACCESS_LOG", "loud"},
		{"STRATA_STALL_TIMEOUT", "10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(tc.name, tc.value)
			code, _, stderr := runCLI(t, "", "serve", "-db", filepath.Join(t.TempDir(), "x.db"))
			if want := fmt.Sprintf("%s=%q", tc.name, tc.value); code != 2 || !strings.Contains(stderr, want) {
				t.Errorf("exit %d, stderr %q: want 2 naming %s", code, stderr, want)
			}
		})
	}
}

// TestSeedingNeverOverwrites starts the server on a database that already
// holds data: the seed must not be applied. On an empty one it is, once.
func TestSeedingNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	own := filepath.Join(dir, "own.db")
	if code, _, stderr := runCLI(t, validFC, "import", "-db", own, "-layer", "mine", "-"); code != 0 {
		t.Fatal(stderr)
	}
	srv := startServer(t, own)
	if got := layerCounts(t, srv.url); len(got) != 1 || got["mine"] != 2 {
		t.Errorf("a database with data was seeded anyway: %v", got)
	}
	srv.stop(t)

	fresh := filepath.Join(dir, "fresh.db")
	srv = startServer(t, fresh)
	first := layerCounts(t, srv.url)
	srv.stop(t)
	if !strings.Contains(srv.log.String(), "seeded") {
		t.Errorf("first start did not report seeding:\n%s", srv.log)
	}
	srv = startServer(t, fresh)
	second := layerCounts(t, srv.url)
	if fmt.Sprint(first) != fmt.Sprint(second) || strings.Contains(srv.log.String(), "seeded") {
		t.Errorf("second start re-seeded: %v then %v\n%s", first, second, srv.log)
	}
}

func TestImportBriefing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "strata.db")
	if code, _, stderr := runCLI(t, validFC, "import", "-db", db, "-layer", "places", "-"); code != 0 {
		t.Fatal(stderr)
	}
	step := func(id, layers, date, highlight string) string {
		return `{"id":"` + id + `","title":"T","date":"` + date + `","view":{"bounds":[34,31,35,32]},"layers":[` + layers + `],"highlight":[` + highlight + `],"caption":"C","sources":[{"title":"S"}]}`
	}
	briefing := func(steps ...string) string {
		return `{"id":"brief","title":"Brief","steps":[` + strings.Join(steps, ",") + `]}`
	}
	cases := []struct {
		name, body, want string
	}{
		{"unknown layer", briefing(step("one", `"places"`, "2025-10-10", ""), step("two", `"places","nowhere"`, "2025-10-11", "")), `step 2 ("two") layers: layer "nowhere" does not exist`},
		{"unknown feature", briefing(step("one", `"places"`, "2025-10-10", `"places/zzz"`)), `step 1 ("one") highlight: feature "places/zzz" does not exist`},
		{"bad date", briefing(step("one", `"places"`, "2025-10-10", ""), step("two", `"places"`, "2025-10-40", "")), `step 2 ("two") date`},
		{"bad view", strings.Replace(briefing(step("one", `"places"`, "2025-10-10", "")), `[34,31,35,32]`, `[35,31,34,32]`, 1), `step 1 ("one") view`},
		{"misspelt field", strings.Replace(briefing(step("one", `"places"`, "2025-10-10", "")), `"caption"`, `"captoin"`, 1), "captoin"},
		{"not JSON", `{"id":`, "not valid JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, c.body, "import-briefing", "-db", db, "-")
			if code != 1 || !strings.Contains(stderr, c.want) || !strings.Contains(stderr, "nothing imported") {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr, c.want)
			}
		})
	}
	ok := briefing(step("one", `"places"`, "2025-10-10", `"places/a"`))
	if code, _, stderr := runCLI(t, ok, "import-briefing", "-db", db, "-"); code != 0 {
		t.Fatalf("valid briefing rejected: %s", stderr)
	}
	// The same id again: refused without -replace, replaced with it.
	other := strings.Replace(ok, `"title":"Brief"`, `"title":"Second"`, 1)
	code, _, stderr := runCLI(t, other, "import-briefing", "-db", db, "-")
	if want := `briefing "brief" already exists; give -replace`; code != 1 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "nothing imported") {
		t.Errorf("second import of the same id: exit %d, stderr %q; want 1 and %q", code, stderr, want)
	}
	titles := func() string {
		srv := startServer(t, db)
		defer srv.stop(t)
		var list struct{ Briefings []struct{ ID, Title string } }
		getJSON(t, srv.url+"/briefings", &list)
		return fmt.Sprint(list.Briefings)
	}
	if got := titles(); got != "[{brief Brief}]" {
		t.Errorf("briefings after imports = %s (failed imports must store nothing)", got)
	}
	if code, _, stderr := runCLI(t, other, "import-briefing", "-db", db, "-replace", "-"); code != 0 {
		t.Fatalf("-replace refused: %s", stderr)
	}
	if got := titles(); got != "[{brief Second}]" {
		t.Errorf("briefings after -replace = %s", got)
	}
}

// TestGDALReadsTiles downloads vector tiles and opens them with GDAL's MVT
// driver: the layers are listed, and the yellow line is in the tile on its
// first day and not the day before.
func TestGDALReadsTiles(t *testing.T) {
	ogrinfo := needTool(t, "ogrinfo")
	forEachEngine(t, func(t *testing.T, db string) { testGDALReadsTiles(t, ogrinfo, db) })
}

func testGDALReadsTiles(t *testing.T, ogrinfo, db string) {
	dir := t.TempDir()
	srv := startServer(t, db)
	fetch := func(date string) string {
		res, err := http.Get(srv.url + "/tiles/WebMercatorQuad/6/26/38?datetime=" + date)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
			t.Fatalf("tile: status %d, type %q", res.StatusCode, res.Header.Get("Content-Type"))
		}
		path := filepath.Join(dir, "tile-"+date+".mvt")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.ReadFrom(res.Body); err != nil {
			t.Fatal(err)
		}
		return path
	}
	after, before := fetch("2025-10-10"), fetch("2025-10-09")
	out, err := exec.Command(ogrinfo, "-ro", "-al", "-q", after).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo %s: %v\n%s", after, err, out)
	}
	for _, want := range []string{"OGRFeature(lines)", "id (String) = yellow_line_2025_10_10", "OGRFeature(towns)", "OGRFeature(borders)"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("GDAL's reading of the 2025-10-10 tile lacks %q", want)
		}
	}
	out, err = exec.Command(ogrinfo, "-ro", "-al", "-q", before).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo %s: %v\n%s", before, err, out)
	}
	if strings.Contains(string(out), "yellow_line_2025_10_10") {
		t.Errorf("the 2025-10-09 tile holds the yellow line")
	}
	if !strings.Contains(string(out), "OGRFeature(towns)") {
		t.Errorf("the 2025-10-09 tile lost the towns:\n%.500s", out)
	}
}

func TestAvailableMemory(t *testing.T) {
	if _, err := os.Stat("/proc/meminfo"); err != nil {
		t.Skip("no /proc/meminfo")
	}
	// The machine running the tests has at least some free memory and
	// less than an exabyte.
	if m := availableMemory(); m <= 0 || m > 1<<60 {
		t.Errorf("availableMemory() = %d", m)
	}
}

func TestPrewarmSwitch(t *testing.T) {
	for _, tc := range []struct {
		env  string
		want bool
	}{{"", true}, {"false", false}} {
		t.Run("STRATA_PREWARM="+tc.env, func(t *testing.T) {
			t.Setenv("STRATA_PREWARM", tc.env)
			s := startServer(t, filepath.Join(t.TempDir(), "strata.db"))
			time.Sleep(200 * time.Millisecond) // the read of a small file ends well within it
			s.stop(t)
			if got := strings.Contains(s.log.String(), "prewarmed the database file"); got != tc.want {
				t.Errorf("prewarmed %v, want %v; log:\n%s", got, tc.want, s.log)
			}
		})
	}
}

func TestMemAvailable(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"MemTotal:       24576000 kB\nMemFree:         1000 kB\nMemAvailable:   20480000 kB\nBuffers: 1 kB\n", 20480000 << 10},
		{"MemAvailable: 0 kB", 0},
		{"MemTotal: 100 kB\n", 0},
		{"MemAvailable: lots kB\n", 0},
		{"MemAvailable: 100 MB\n", 0},
		{"MemAvailable: -5 kB\n", 0},
		{"MemAvailable: 9223372036854775807 kB\n", 0},
		{"", 0},
	} {
		if got := memAvailable(tc.in); got != tc.want {
			t.Errorf("memAvailable(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func FuzzMemAvailable(f *testing.F) {
	f.Add("MemAvailable:   20480000 kB\n")
	f.Add("MemAvailable: -1 kB")
	f.Fuzz(func(t *testing.T, s string) {
		if n := memAvailable(s); n < 0 || n%1024 != 0 {
			t.Errorf("memAvailable(%q) = %d: negative or not whole KiB", s, n)
		}
	})
}

// TestReadOnlyStorage serves and exports a database that must not or
// cannot be written: with -read-only, and in a folder of mode 0555.
func TestReadOnlyStorage(t *testing.T) {
	// A database of one layer, alone in its folder: the import's last
	// connection folded the WAL into the file and removed -wal and -shm.
	newDB := func(t *testing.T) (dir, db, exported string, file []byte) {
		dir = t.TempDir()
		db = filepath.Join(dir, "strata.db")
		if code, _, stderr := runCLI(t, validFC, "import", "-db", db, "-layer", "test", "-"); code != 0 {
			t.Fatal(stderr)
		}
		exported = exportAll(t, db, []string{"test"})["test"]
		file, err := os.ReadFile(db)
		if err != nil {
			t.Fatal(err)
		}
		return dir, db, exported, file
	}

	t.Run("flag", func(t *testing.T) {
		dir, db, _, file := newDB(t)
		srv := startServerCmd(t, db, nil, "-read-only")
		if got := layerCounts(t, srv.url); len(got) != 1 || got["test"] != 2 {
			t.Errorf("read-only server serves %v", got)
		}
		srv.stop(t)
		if !strings.Contains(srv.log.String(), "opened the database read-only") || !strings.Contains(srv.log.String(), "reason=-read-only") {
			t.Errorf("the log does not say the database is read-only:\n%s", srv.log)
		}
		if after, _ := os.ReadFile(db); !bytes.Equal(after, file) {
			t.Errorf("serving read-only changed the database file")
		}
		code, _, stderr := runCLI(t, "", "serve", "-read-only", "-db", filepath.Join(dir, "missing.db"))
		if code != 1 || !strings.Contains(stderr, "no such file") {
			t.Errorf("-read-only on a missing file: exit %d, %q", code, stderr)
		}
	})

	t.Run("folder 0555", func(t *testing.T) {
		dir, db, before, file := newDB(t)
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Fatalf("files beside the database before the test: %v", entries)
		}
		// Root ignores permissions: run the binary as nobody instead.
		asNobody := func(cmd *exec.Cmd) {}
		if os.Getuid() == 0 {
			asNobody = func(cmd *exec.Cmd) {
				cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			}
			for _, d := range []string{filepath.Dir(binary), filepath.Dir(dir), dir} {
				if err := os.Chmod(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			probe := exec.Command(binary, "help")
			asNobody(probe)
			if out, err := probe.CombinedOutput(); err != nil {
				t.Skipf("running as root, and cannot run the binary as nobody (uid 65534) to test permissions: %v %s", err, out)
			}
		}
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })

		export := exec.Command(binary, "export", "-db", db, "-layer", "test")
		asNobody(export)
		var stdout, stderr bytes.Buffer
		export.Stdout, export.Stderr = &stdout, &stderr
		if err := export.Run(); err != nil || stdout.String() != before {
			t.Errorf("export from a read-only folder: %v, %s; exported the same: %v", err, stderr.String(), stdout.String() == before)
		}
		srv := startServerCmd(t, db, asNobody)
		if got := layerCounts(t, srv.url); len(got) != 1 || got["test"] != 2 {
			t.Errorf("server on a read-only folder serves %v", got)
		}
		srv.stop(t)
		if !strings.Contains(srv.log.String(), "opened the database read-only") {
			t.Errorf("the log does not say the database is read-only:\n%s", srv.log)
		}
		if after, _ := os.ReadFile(db); !bytes.Equal(after, file) {
			t.Errorf("serving from a read-only folder changed the database file")
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("files beside the database: %v", entries)
		}

		// A -wal file that may hold transactions cannot be read without
		// writing a -shm beside it: a clear error, not a stale read.
		os.Chmod(dir, 0o755)
		if err := os.WriteFile(db+"-wal", []byte("not empty"), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chmod(dir, 0o555)
		export = exec.Command(binary, "export", "-db", db, "-layer", "test")
		asNobody(export)
		out, err := export.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "strata.db-wal holds transactions not yet in the database file") {
			t.Errorf("export beside a -wal file from a read-only folder: %v, %s", err, out)
		}
	})
}

// TestImportHostileFiles imports files crafted to break the importer:
// each must be refused with an error naming the feature at fault, and the
// stored data must not change (the exports before and after are the same
// bytes). The mixed layer "test" takes any geometry, the layer "towns"
// only points.
func TestImportHostileFiles(t *testing.T) {
	db := filepath.Join(t.TempDir(), "strata.db")
	if code, _, stderr := runCLI(t, validFC, "import", "-db", db, "-layer", "test", "-"); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := runCLI(t, feature("t1", pt, ""), "import", "-db", db, "-layer", "towns", "-kind", "point", "-"); code != 0 {
		t.Fatal(stderr)
	}
	layers := []string{"test", "towns"}
	before := exportAll(t, db, layers)
	geom := func(typ, coords string) string { return `{"type":"` + typ + `","coordinates":` + coords + `}` }
	nest := func(n int, inner string) string {
		return strings.Repeat(`{"type":"GeometryCollection","geometries":[`, n) + inner + strings.Repeat(`]}`, n)
	}
	square := `[[34,31],[35,31],[35,32],[34,31]]`
	good := `{"type":"Feature","id":"ok","geometry":` + pt + `,"properties":{"precision_m":1,"sources":[{"title":"T"}]}}`
	// bad replaces the first occurrence of old in a one-feature file.
	bad := func(old, new string) string { return strings.Replace(feature("x", pt, ""), old, new, 1) }
	cases := []struct {
		name, layer, body, want string
	}{
		// Positions must be [longitude, latitude].
		{"point of one number", "test", feature("x", geom("Point", `[34.4]`), ""), `features[0] (id "x"): geometry: Point: position [34.4] has 1 number`},
		{"empty point", "test", feature("x", geom("Point", `[]`), ""), "position [] has 0 numbers"},
		{"point with z", "test", feature("x", geom("Point", `[34,31,12]`), ""), "position [34,31,12] has 3 numbers"},
		{"point with z and m", "test", feature("x", geom("Point", `[34,31,12,5]`), ""), "has 4 numbers"},
		{"line of one-number positions", "test", feature("x", geom("LineString", `[[34],[35]]`), ""), "position [34] has 1 number"},
		{"polygon of one-number positions", "test", feature("x", geom("Polygon", `[[[34],[35],[36],[34]]]`), ""), "position [34] has 1 number"},
		{"multipoint with a short position", "test", feature("x", geom("MultiPoint", `[[34,31],[1]]`), ""), "position [1] has 1 number"},
		{"multiline with z", "test", feature("x", geom("MultiLineString", `[[[34,31,0],[35,32,0]]]`), ""), "has 3 numbers"},
		{"multipolygon with a short position", "test", feature("x", geom("MultiPolygon", `[[[[34,31],[35,31],[35],[34,31]]]]`), ""), "position [35] has 1 number"},
		{"collection holding a short point", "test", feature("x", nest(1, geom("Point", `[1]`)), ""), "geometries[0]: Point: position [1]"},
		{"string coordinate", "test", feature("x", geom("Point", `["34",31]`), ""), "not a finite number"},
		{"null coordinate", "test", feature("x", geom("Point", `[null,31]`), ""), "not a finite number"},
		{"boolean coordinate", "test", feature("x", geom("Point", `[true,31]`), ""), "not a finite number"},
		{"point nested as a line", "test", feature("x", geom("Point", `[[34,31],[35,32]]`), ""), "holds an array or object where a number belongs"},
		{"line of numbers", "test", feature("x", geom("LineString", `[34,31]`), ""), "position 34 is not an array"},
		{"polygon coordinates an object", "test", feature("x", geom("Polygon", `{"ring":1}`), ""), "not nested"},
		{"no coordinates", "test", feature("x", `{"type":"Point"}`, ""), `Point has no "coordinates"`},
		{"null coordinates", "test", feature("x", geom("Point", `null`), ""), `Point has no "coordinates"`},
		{"unknown geometry type", "test", feature("x", geom("Circle", `[34,31]`), ""), `geometry type "Circle"`},
		{"lower-case geometry type", "test", feature("x", geom("point", `[34,31]`), ""), `geometry type "point"`},
		{"geometry without a type", "test", feature("x", `{"coordinates":[34,31]}`, ""), `geometry has no "type"`},
		{"geometry as WKT", "test", feature("x", `"POINT(34 31)"`, ""), "not a GeoJSON geometry object"},
		{"geometry an array", "test", feature("x", `[34,31]`, ""), "not a GeoJSON geometry object"},
		{"collection without geometries", "test", feature("x", `{"type":"GeometryCollection"}`, ""), `no "geometries"`},
		{"collections 9 deep", "test", feature("x", nest(9, pt), ""), "nest more than 8 deep"},
		{"collections 4,990 deep", "test", feature("x", nest(4990, pt), ""), "geometry nests arrays and objects more than 64 deep"},
		{"coordinates 100 arrays deep", "test", feature("x", geom("Point", strings.Repeat("[", 100)+strings.Repeat("]", 100)), ""), "more than 64 deep"},
		// Coordinates finite and in range.
		{"longitude just over 180", "test", feature("x", geom("Point", `[180.0000001,31]`), ""), "outside"},
		{"latitude under -90", "test", feature("x", geom("Point", `[34,-90.5]`), ""), "outside"},
		{"1e308", "test", feature("x", geom("Point", `[1e308,31]`), ""), "outside"},
		{"overflowing number", "test", feature("x", geom("Point", `[1e999,31]`), ""), "not a finite number"},
		{"NaN", "test", feature("x", geom("Point", `[NaN,31]`), ""), "features[0]: bad JSON"},
		{"Infinity", "test", feature("x", geom("Point", `[34,Infinity]`), ""), "features[0]: bad JSON"},
		{"hexadecimal number", "test", feature("x", geom("Point", `[0x22,31]`), ""), "features[0]: bad JSON"},
		// Geometry structure.
		{"line of one position", "test", feature("x", geom("LineString", `[[34,31]]`), ""), "LineString has 1 positions"},
		{"open ring", "test", feature("x", geom("Polygon", `[[[34,31],[35,31],[35,32],[34,32]]]`), ""), "not closed"},
		{"ring of three", "test", feature("x", geom("Polygon", `[[[34,31],[35,31],[34,31]]]`), ""), "at least 4"},
		{"polygon without rings", "test", feature("x", geom("Polygon", `[]`), ""), "Polygon has no rings"},
		{"empty multipolygon", "test", feature("x", geom("MultiPolygon", `[]`), ""), "MultiPolygon has no polygons"},
		{"empty multipoint", "test", feature("x", geom("MultiPoint", `[]`), ""), "MultiPoint has no points"},
		{"empty collection", "test", feature("x", nest(1, ""), ""), "GeometryCollection has no geometries"},
		{"bad hole", "test", feature("x", geom("Polygon", `[`+square+`,[[34.1,31.1]]]`), ""), "Polygon ring 1"},
		// The layer's kind.
		{"polygon into a point layer", "towns", feature("x", geom("Polygon", `[`+square+`]`), ""), `features[0] (id "x"): a Polygon cannot go in a point layer`},
		{"line into a point layer", "towns", feature("x", geom("LineString", `[[34,31],[35,32]]`), ""), "a LineString cannot go in a point layer"},
		{"collection into a point layer", "towns", feature("x", nest(1, pt), ""), "a GeometryCollection cannot go in a point layer"},
		{"multipolygon into a point layer", "towns", feature("x", geom("MultiPolygon", `[[`+square+`]]`), ""), "a MultiPolygon cannot go in a point layer"},
		// Text must be valid UTF-8, and the error names the field.
		{"bad UTF-8 in a property", "test", feature("x", pt, ",\"note\":\"caf\xe9\""), `features[0] (id "x"): properties.note is not valid UTF-8`},
		{"bad UTF-8 in the name", "test", feature("x", pt, ",\"name\":\"\xff\""), "name is not valid UTF-8"},
		{"bad UTF-8 in the kind", "test", feature("x", pt, ",\"kind\":\"\xc3\""), "kind is not valid UTF-8"},
		{"bad UTF-8 in a source", "test", bad(`"title":"T"`, "\"title\":\"T\xfe\""), "sources is not valid UTF-8"},
		{"bad UTF-8 in a property name", "test", feature("x", pt, ",\"n\xffme\":1"), "a property name is not valid UTF-8"},
		{"bad UTF-8 in the id", "test", bad(`"id":"x"`, "\"id\":\"x\xff\""), "features[0]: id is not valid UTF-8"},
		{"bad UTF-8 in valid_from", "test", feature("x", pt, ",\"valid_from\":\"2025\xff\""), "valid_from is not valid UTF-8"},
		{"overlong UTF-8", "test", feature("x", pt, ",\"note\":\"\xc0\xaf\""), "properties.note is not valid UTF-8"},
		{"UTF-8 encoded surrogate", "test", feature("x", pt, ",\"note\":\"\xed\xa0\x80\""), "properties.note is not valid UTF-8"},
		// Properties and times.
		{"properties 100 deep", "test", feature("x", pt, `,"deep":`+strings.Repeat("[", 100)+strings.Repeat("]", 100)), "properties nest arrays and objects more than 64 deep"},
		{"offset +24:00", "test", feature("x", pt, `,"valid_from":"2025-10-10T12:00:00+24:00"`), "valid_from"},
		{"comma before the fraction", "test", feature("x", pt, `,"valid_to":"2025-10-10T12:00:00,5Z"`), "valid_to"},
		{"leap second at half past noon", "test", feature("x", pt, `,"valid_from":"2016-12-31T12:30:60Z"`), "valid_from"},
		{"five-digit year", "test", feature("x", pt, `,"valid_from":"10000-01-01"`), "valid_from"},
		{"overflowing precision", "test", bad(`"precision_m":10`, `"precision_m":1e999`), "precision_m"},
		{"precision too large", "test", bad(`"precision_m":10`, `"precision_m":1e8`), "precision_m"},
		{"empty sources", "test", bad(`[{"title":"T"}]`, `[]`), "sources must list at least one source"},
		{"source without a title", "test", bad(`{"title":"T"}`, `{"url":"https://e.org"}`), "sources[0] has no title"},
		{"id of 129 characters", "test", bad(`"id":"x"`, `"id":"`+strings.Repeat("a", 129)+`"`), "features[0]: id"},
		{"id with a slash", "test", bad(`"id":"x"`, `"id":"a/b"`), `features[0]: id "a/b"`},
		// A bad feature after a good one is named by its own index.
		{"z in the second feature", "test", strings.Replace(feature("x", geom("Point", `[34,31,1]`), ""), `"features":[`, `"features":[`+good+`,`, 1), `features[1] (id "x"): geometry: Point: position [34,31,1] has 3 numbers`},
	}
	if len(cases) < 50 {
		t.Fatalf("%d hostile files, want at least 50", len(cases))
	}
	stored, err := os.ReadFile(db) // the imports' last close left no -wal
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Each case on its own copy, so that one accepted file cannot
			// hide what the next does.
			db := filepath.Join(t.TempDir(), "strata.db")
			if err := os.WriteFile(db, stored, 0o644); err != nil {
				t.Fatal(err)
			}
			code, _, stderr := runCLI(t, c.body, "import", "-db", db, "-layer", c.layer, "-")
			if code != 1 || !strings.Contains(stderr, "nothing imported") || !strings.Contains(stderr, "features[") || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want 1, naming the feature, with %q", code, truncate(stderr), c.want)
			}
			if after := exportAll(t, db, layers); after["test"] != before["test"] || after["towns"] != before["towns"] {
				t.Errorf("a refused import changed the stored data")
			}
		})
	}
}
