package web_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"strata/internal/browsertest"
)

// TestBrowser builds the real strata binary and runs the browser tests of
// the map and its sources (node --test, driving Chromium with
// playwright-core) against a server on a fresh SQLite file, with the
// 200,000-point layer and a user's basemap served beside it
// (internal/browsertest): every file of test/ but the user flows, which
// web/flows runs, and the map's reading, which web/reading runs.
// web/postgres runs those whose answers come from the engine against
// PostgreSQL. They are four packages because go test gives each ten
// minutes, which all of them in one overran on two cores.
func TestBrowser(t *testing.T) {
	env := browsertest.Setup(t, ".", true)
	files, err := filepath.Glob(filepath.Join("test", "*.test.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	var tests []string
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".test.mjs")
		if !slices.Contains(browsertest.Flows, name) && !slices.Contains(browsertest.Reading, name) {
			tests = append(tests, f)
		}
	}
	if len(tests) < 5 {
		t.Fatalf("only %v to run", tests)
	}
	env.Run(t, filepath.Join(t.TempDir(), "strata.db"), tests...)
}
