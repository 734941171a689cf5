package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"strata/data/sqlite"
	"strata/data/storetest"
	"strata/geo"
)

func open(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) geo.Store {
		return open(t, filepath.Join(t.TempDir(), "test.db"))
	})
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "strata.db")
	db := open(t, path)
	if err := db.PutLayer(ctx, geo.Layer{ID: "a", Title: "A", Kind: geo.KindPoint}); err != nil {
		t.Fatal(err)
	}
	v, _ := db.Version(ctx)
	db.Close()
	db = open(t, path) // migrations must not run twice
	defer db.Close()
	ls, err := db.Layers(ctx)
	if err != nil || len(ls) != 1 || ls[0].ID != "a" {
		t.Fatalf("after reopen: %v, %v", ls, err)
	}
	if v2, _ := db.Version(ctx); v2 != v {
		t.Errorf("version %d after reopen, was %d", v2, v)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := sqlite.Open(context.Background(), ""); err == nil {
		t.Error("empty path: no error")
	}
	if _, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "no", "such", "dir", "x.db")); err == nil {
		t.Error("path in a missing directory: no error")
	}
}

func TestBriefingContract(t *testing.T) {
	storetest.RunBriefings(t, func(t *testing.T) interface {
		geo.Store
		geo.BriefingStore
	} {
		return open(t, filepath.Join(t.TempDir(), "briefings.db"))
	})
}
