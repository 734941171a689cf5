package api_test

import (
	"context"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"strata/api"
	"strata/data/sqlite"
	"strata/geo"
)

// countingStore is the SQLite store counting the snapshots taken of it.
type countingStore struct {
	*sqlite.DB
	snapshots atomic.Int64
}

func (s *countingStore) Snapshot(ctx context.Context) (geo.Snapshot, error) {
	s.snapshots.Add(1)
	return s.DB.Snapshot(ctx)
}

// TestRequestsReadOneSnapshot checks that each request for data takes one
// snapshot of the store, so that all it reads (layers, version, pages,
// counts, tiles) is of one version of the data.
func TestRequestsReadOneSnapshot(t *testing.T) {
	store := &countingStore{DB: seededDB(t)}
	srv := httptest.NewServer(api.New(api.Config{Store: store}).Handler())
	t.Cleanup(srv.Close)
	for _, path := range []string{
		"/collections",
		"/collections/towns",
		"/collections/towns/items?bbox=33,29,36,33&datetime=2025-10-15",
		"/collections/towns/items/kiryat_gat",
		"/collections/towns/histogram",
		"/tiles/WebMercatorQuad/9/304/209?datetime=2025-10-15",
		"/collections/towns/tiles/WebMercatorQuad",
	} {
		t.Run(path, func(t *testing.T) {
			before := store.snapshots.Load()
			if res := get(t, srv.URL+path); res.status != 200 {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			if got := store.snapshots.Load() - before; got != 1 {
				t.Errorf("%d snapshots, want 1", got)
			}
		})
	}
}
