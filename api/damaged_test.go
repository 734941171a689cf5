package api_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"strata/api"
	"strata/data/seed"
	"strata/data/sqlite"
)

// TestDamagedRows writes rows as another program or a damaged file could
// (a valid time spanning the int64 range, text that is not UTF-8,
// properties that are not JSON, a NaN coordinate) and checks that no
// request crashes the server or sends invalid JSON: the histogram counts
// within its bounded window, a page holding a damaged row is a 500 that
// names nothing internal, and other layers go on serving.
func TestDamagedRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "damaged.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := seed.Apply(ctx, db, db); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		`UPDATE features SET valid_from = -9223372036854775807, valid_to = 9223372036854775806 WHERE id = 'kiryat_gat'`,
		`UPDATE features SET name = CAST(X'FF41' AS TEXT) WHERE id = 'rafah_crossing'`,
		`UPDATE features SET properties = 'not json' WHERE seq = (SELECT f.seq FROM features f JOIN layers l ON l.num = f.layer_num WHERE l.id = 'areas' LIMIT 1)`,
		`UPDATE features SET geom = X'0101000000000000000000F87F0000000000003F40' WHERE seq = (SELECT f.seq FROM features f JOIN layers l ON l.num = f.layer_num WHERE l.id = 'events' LIMIT 1)`,
		`UPDATE meta SET value = value + 1 WHERE key = 'version'`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	srv := httptest.NewServer(api.New(api.Config{Store: db, Logger: slog.New(slog.DiscardHandler)}).Handler())
	t.Cleanup(srv.Close)
	for _, c := range []struct {
		path   string
		status int
	}{
		{"/collections/towns/histogram", 200},
		{"/collections/towns/items", 500},
		{"/collections/towns/items/kiryat_gat", 500},
		{"/collections/crossings/items", 500},
		{"/collections/areas/items", 500},
		{"/collections/events/items", 500},
		{"/collections/lines/items", 200},
		{"/collections/towns/items?bbox=30,30,31,31", 200},
		{"/collections", 200},
	} {
		r := get(t, srv.URL+c.path)
		if r.status != c.status {
			t.Errorf("%s: status %d, want %d: %.200s", c.path, r.status, c.status, r.body)
		}
		if !json.Valid(r.body) {
			t.Errorf("%s: the body is not valid JSON: %.200s", c.path, r.body)
		}
		if c.status == 500 {
			if e := decode[map[string]any](t, r); e["description"] != "internal error" {
				t.Errorf("%s: error body %v names more than an internal error", c.path, e)
			}
		}
	}
	h := decode[struct {
		Features int   `json:"features"`
		Valid    []int `json:"valid"`
	}](t, get(t, srv.URL+"/collections/towns/histogram"))
	if h.Features == 0 || len(h.Valid) > 36600 {
		t.Errorf("histogram of %d features over %d days", h.Features, len(h.Valid))
	}
}
