// Package reading runs the browser test that the map reads well, on a
// desktop and a phone, against SQLite (see TestBrowser).
package reading

import (
	"testing"

	"strata/internal/browsertest"
)

// TestBrowser runs the browser tests of browsertest.Reading (names
// without overlaps on the map, the presenter, print and the exported file
// offline; halos; the timeline's window; the phone layout) against a
// server on a fresh SQLite file. It is a package of its own so that it
// has go test's ten minutes.
func TestBrowser(t *testing.T) {
	browsertest.OnSQLite(t, "..", browsertest.Reading...)
}
