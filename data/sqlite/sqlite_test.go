package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/paulmach/orb"

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

// snapOf returns db's current snapshot.
func snapOf(t *testing.T, db *sqlite.DB) geo.Snapshot {
	t.Helper()
	sn, err := db.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return sn
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
	v := snapOf(t, db).Version()
	db.Close()
	db = open(t, path) // migrations must not run twice
	defer db.Close()
	if ls := snapOf(t, db).Layers(); len(ls) != 1 || ls[0].ID != "a" {
		t.Fatalf("after reopen: %v", ls)
	}
	if v2 := snapOf(t, db).Version(); v2 != v {
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

// twoHandles opens two handles on one new file, as a server and an
// importing process would, with layer "a" titled "Before".
func twoHandles(t *testing.T) (server, importer *sqlite.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "strata.db")
	server, importer = open(t, path), open(t, path)
	t.Cleanup(func() { server.Close(); importer.Close() })
	if err := importer.PutLayer(context.Background(), geo.Layer{ID: "a", Title: "Before", Kind: geo.KindPoint}); err != nil {
		t.Fatal(err)
	}
	return server, importer
}

// TestLayersAcrossHandles checks that the layers a handle holds in memory
// follow writes through another handle on the same file, as by another
// process importing while the server runs.
func TestLayersAcrossHandles(t *testing.T) {
	ctx := context.Background()
	server, importer := twoHandles(t)
	if l, err := snapOf(t, server).Layer("a"); err != nil || l.Title != "Before" {
		t.Fatalf("Layer(a) = %+v, %v", l, err)
	}
	if _, err := snapOf(t, server).Layer("b"); !errors.Is(err, geo.ErrNotFound) {
		t.Fatalf("Layer(b) before it exists: %v, want ErrNotFound", err)
	}
	if err := importer.PutLayer(ctx, geo.Layer{ID: "a", Title: "After", Kind: geo.KindPoint}); err != nil {
		t.Fatal(err)
	}
	f := &geo.Feature{ID: "p", Geometry: orb.Point{34.5, 31.5}, Valid: geo.Interval{Start: 0, End: 1}, Sources: []geo.Source{{Title: "test"}}}
	if _, err := importer.Import(ctx, geo.ChangeNote{Author: "test"}, geo.Layer{ID: "b", Title: "B", Kind: geo.KindPoint}, geo.Append, func(yield func(*geo.Feature, error) bool) { yield(f, nil) }); err != nil {
		t.Fatal(err)
	}
	time.Sleep(sqlite.Recheck) // another handle's write is seen within it
	if l, err := snapOf(t, server).Layer("a"); err != nil || l.Title != "After" {
		t.Errorf("Layer(a) after the other handle renamed it = %+v, %v", l, err)
	}
	if ls := snapOf(t, server).Layers(); len(ls) != 2 || ls[1].ID != "b" {
		t.Errorf("Layers after the other handle added b = %+v", ls)
	}
	n, err := snapOf(t, server).Search(ctx, geo.Filter{Layer: "b", Time: geo.Always}, func(*geo.Feature) error { return nil })
	if err != nil || n != 1 {
		t.Errorf("Search(b) counted %d, %v; want 1", n, err)
	}
}

func TestPrewarm(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "strata.db")
	db := open(t, path)
	if err := db.PutLayer(ctx, geo.Layer{ID: "a", Title: "A", Kind: geo.KindPoint}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ctx  func() context.Context
		max  int64
		want int64
		err  error
	}{
		{"whole file", context.Background, 1 << 40, fi.Size(), nil},
		{"file over the limit", context.Background, fi.Size() - 1, 0, nil},
		{"cancelled", func() context.Context {
			c, cancel := context.WithCancel(ctx)
			cancel()
			return c
		}, 1 << 40, 0, context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := db.Prewarm(tc.ctx(), tc.max)
			if n != tc.want || !errors.Is(err, tc.err) {
				t.Errorf("Prewarm = %d, %v; want %d, %v", n, err, tc.want, tc.err)
			}
		})
	}
	db.Close()
	if n, err := db.Prewarm(ctx, 1<<40); n != 0 || !errors.Is(err, context.Canceled) {
		t.Errorf("Prewarm after Close = %d, %v; want 0, context.Canceled", n, err)
	}
}

// TestSnapshotAcrossHandles checks that a snapshot keeps the layers,
// version and features of the moment it was taken while another handle
// on the file writes, and that a new snapshot sees the writes.
func TestSnapshotAcrossHandles(t *testing.T) {
	ctx := context.Background()
	server, importer := twoHandles(t)
	point := func(id string) *geo.Feature {
		return &geo.Feature{ID: id, Geometry: orb.Point{34.5, 31.5}, Valid: geo.Always, Sources: []geo.Source{{Title: "test"}}}
	}
	one := func(f *geo.Feature) func(func(*geo.Feature, error) bool) {
		return func(yield func(*geo.Feature, error) bool) { yield(f, nil) }
	}
	if _, err := importer.Import(ctx, geo.ChangeNote{Author: "test"}, geo.Layer{ID: "a"}, geo.Append, one(point("p1"))); err != nil {
		t.Fatal(err)
	}
	time.Sleep(sqlite.Recheck) // another handle's write is seen within it
	old := snapOf(t, server)
	if err := importer.PutLayer(ctx, geo.Layer{ID: "b", Title: "B", Kind: geo.KindPoint}); err != nil {
		t.Fatal(err)
	}
	if _, err := importer.Import(ctx, geo.ChangeNote{Author: "test"}, geo.Layer{ID: "a"}, geo.Replace, one(point("p2"))); err != nil {
		t.Fatal(err)
	}
	time.Sleep(sqlite.Recheck)
	cur := snapOf(t, server)
	for _, tc := range []struct {
		name   string
		sn     geo.Snapshot
		layers int
		id     string
	}{
		{"old", old, 1, "p1"},
		{"current", cur, 2, "p2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if ls := tc.sn.Layers(); len(ls) != tc.layers {
				t.Errorf("Layers = %+v; want %d", ls, tc.layers)
			}
			var ids []string
			if _, err := tc.sn.Search(ctx, geo.Filter{Layer: "a", Time: geo.Always}, func(f *geo.Feature) error { ids = append(ids, f.ID); return nil }); err != nil {
				t.Fatal(err)
			}
			if len(ids) != 1 || ids[0] != tc.id {
				t.Errorf("features %v, want [%s]", ids, tc.id)
			}
			if _, err := tc.sn.Feature(ctx, "a", tc.id); err != nil {
				t.Errorf("Feature(%s): %v", tc.id, err)
			}
		})
	}
	if old.Version() == cur.Version() {
		t.Errorf("the version did not change: %d", cur.Version())
	}
}

// TestLayersWhileWriting reads layers and counts from several goroutines
// while another handle keeps writing, then checks that the readers end
// on the last write (run with -race for the snapshot's safety).
func TestLayersWhileWriting(t *testing.T) {
	ctx := context.Background()
	server, importer := twoHandles(t)
	const writes = 20
	done := make(chan struct{})
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				sn, err := server.Snapshot(ctx)
				if err != nil {
					errs <- err
					return
				}
				if _, err := sn.Layer("a"); err != nil || len(sn.Layers()) != 1 {
					errs <- fmt.Errorf("Layer(a): %v", err)
					return
				}
			}
		}()
	}
	for i := range writes {
		if err := importer.PutLayer(ctx, geo.Layer{ID: "a", Title: fmt.Sprintf("Title %d", i), Kind: geo.KindPoint}); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(sqlite.Recheck) // another handle's write is seen within it
	if l, err := snapOf(t, server).Layer("a"); err != nil || l.Title != fmt.Sprintf("Title %d", writes-1) {
		t.Errorf("after the writes, Layer(a) = %+v, %v", l, err)
	}
}
