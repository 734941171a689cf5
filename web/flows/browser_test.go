// Package flows runs the browser tests of user flows against SQLite (see
// TestBrowser).
package flows

import (
	"testing"

	"strata/internal/browsertest"
)

// TestBrowser runs the browser tests of browsertest.Flows (presenting,
// finding, editing, browsing the API) against a server
// on a fresh SQLite file. web/ runs the others; this is a package of its
// own so that each has go test's ten minutes.
func TestBrowser(t *testing.T) {
	browsertest.OnSQLite(t, "..", browsertest.Flows...)
}
