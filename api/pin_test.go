package api_test

import (
	"context"
	"sync/atomic"
	"testing"

	"net/http/httptest"

	"strata/api"
	"strata/data/sqlite"
	"strata/geo"
)

// pinCheckStore is the SQLite store counting the calls to Pin and the
// calls that read layers or the version under a context Pin did not
// return.
type pinCheckStore struct {
	*sqlite.DB
	pins, unpinned atomic.Int64
}

type pinMark struct{}

func (s *pinCheckStore) Pin(ctx context.Context) (context.Context, error) {
	s.pins.Add(1)
	ctx, err := s.DB.Pin(ctx)
	return context.WithValue(ctx, pinMark{}, true), err
}

func (s *pinCheckStore) check(ctx context.Context) {
	if ctx.Value(pinMark{}) == nil {
		s.unpinned.Add(1)
	}
}

func (s *pinCheckStore) Version(ctx context.Context) (int64, error) {
	s.check(ctx)
	return s.DB.Version(ctx)
}

func (s *pinCheckStore) Layers(ctx context.Context) ([]geo.Layer, error) {
	s.check(ctx)
	return s.DB.Layers(ctx)
}

func (s *pinCheckStore) Layer(ctx context.Context, id string) (geo.Layer, error) {
	s.check(ctx)
	return s.DB.Layer(ctx, id)
}

func (s *pinCheckStore) FindFeatures(ctx context.Context, f geo.Filter, fn func(*geo.Feature) error) error {
	s.check(ctx)
	return s.DB.FindFeatures(ctx, f, fn)
}

func (s *pinCheckStore) FindFeaturesCount(ctx context.Context, f geo.Filter, fn func(*geo.Feature) error) (int, error) {
	s.check(ctx)
	return s.DB.FindFeaturesCount(ctx, f, fn)
}

func (s *pinCheckStore) FindPoints(ctx context.Context, f geo.Filter, fn func(lon, lat float64, rank uint32, i int) error) (func(int, *geo.Feature), bool, error) {
	s.check(ctx)
	return s.DB.FindPoints(ctx, f, fn)
}

func (s *pinCheckStore) Extent(ctx context.Context, layer string) (geo.Extent, error) {
	s.check(ctx)
	return s.DB.Extent(ctx, layer)
}

// TestRequestsArePinned checks that each request for data pins the store
// once and reads layers and the version only under that pin.
func TestRequestsArePinned(t *testing.T) {
	store := &pinCheckStore{DB: seededDB(t)}
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
			pins, unpinned := store.pins.Load(), store.unpinned.Load()
			if res := get(t, srv.URL+path); res.status != 200 {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			if got := store.pins.Load() - pins; got != 1 {
				t.Errorf("%d pins, want 1", got)
			}
			if got := store.unpinned.Load() - unpinned; got != 0 {
				t.Errorf("%d reads of layers or the version outside the pin", got)
			}
		})
	}
}
