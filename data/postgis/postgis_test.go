package postgis

import (
	"context"
	"testing"

	"strata/data/storetest"
	"strata/geo"
	"strata/internal/pgtest"
)

// openTest opens a store on a fresh database, closed when t ends.
func openTest(t testing.TB, opts Options) (*Store, string) {
	t.Helper()
	url := pgtest.URL(t)
	s, err := Open(context.Background(), url, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, url
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) geo.Store {
		s, _ := openTest(t, Options{})
		return s
	})
}

func TestBriefings(t *testing.T) {
	storetest.RunBriefings(t, func(t *testing.T) interface {
		geo.Store
		geo.BriefingStore
	} {
		s, _ := openTest(t, Options{})
		return s
	})
}
