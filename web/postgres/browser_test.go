// Package postgres runs the browser tests whose answers come from the
// storage engine against a PostgreSQL database (see TestBrowser).
package postgres

import (
	"testing"

	"strata/internal/browsertest"
	"strata/internal/pgtest"
)

// TestBrowser runs, against a server on a fresh PostgreSQL database
// (skipped without one, except under CI), the browser tests whose answers
// come from the engine in ways the API's own tests on both engines do not
// cover: the map's reading of the layers, editing, the exported briefing
// (read by the command line) and finding and comparing. The others test
// the page itself, the same whatever serves the data; web/ runs them all
// against SQLite.
func TestBrowser(t *testing.T) {
	env := browsertest.Setup(t, "..", false)
	env.Run(t, pgtest.URL(t), browsertest.Tests(t, "..", "map", "edit", "present", "find")...)
}
