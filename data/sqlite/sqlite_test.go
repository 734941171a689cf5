package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

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
	if l, err := server.Layer(ctx, "a"); err != nil || l.Title != "Before" {
		t.Fatalf("Layer(a) = %+v, %v", l, err)
	}
	if _, err := server.Layer(ctx, "b"); !errors.Is(err, geo.ErrNotFound) {
		t.Fatalf("Layer(b) before it exists: %v, want ErrNotFound", err)
	}
	if err := importer.PutLayer(ctx, geo.Layer{ID: "a", Title: "After", Kind: geo.KindPoint}); err != nil {
		t.Fatal(err)
	}
	f := &geo.Feature{ID: "p", Geometry: orb.Point{34.5, 31.5}, Valid: geo.Interval{Start: 0, End: 1}, Sources: []geo.Source{{Title: "test"}}}
	if _, err := importer.Import(ctx, geo.Layer{ID: "b", Title: "B", Kind: geo.KindPoint}, geo.Append, func(yield func(*geo.Feature, error) bool) { yield(f, nil) }); err != nil {
		t.Fatal(err)
	}
	if l, err := server.Layer(ctx, "a"); err != nil || l.Title != "After" {
		t.Errorf("Layer(a) after the other handle renamed it = %+v, %v", l, err)
	}
	ls, err := server.Layers(ctx)
	if err != nil || len(ls) != 2 || ls[1].ID != "b" {
		t.Errorf("Layers after the other handle added b = %+v, %v", ls, err)
	}
	n, err := server.CountFeatures(ctx, geo.Filter{Layer: "b", Time: geo.Always})
	if err != nil || n != 1 {
		t.Errorf("CountFeatures(b) = %d, %v; want 1", n, err)
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

// TestPin checks that a pinned context sees the layers and version of
// the moment it was pinned, while other contexts see later writes.
func TestPin(t *testing.T) {
	ctx := context.Background()
	server, importer := twoHandles(t)
	pinned, err := server.Pin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v0, _ := server.Version(pinned)
	if err := importer.PutLayer(ctx, geo.Layer{ID: "a", Title: "After", Kind: geo.KindPoint}); err != nil {
		t.Fatal(err)
	}
	if err := importer.PutLayer(ctx, geo.Layer{ID: "b", Title: "B", Kind: geo.KindPoint}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name          string
		ctx           context.Context
		title         string
		layers        int
		sameVersion   bool
		findsNewLayer bool
	}{
		{"pinned", pinned, "Before", 1, true, false},
		{"not pinned", ctx, "After", 2, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if l, err := server.Layer(tc.ctx, "a"); err != nil || l.Title != tc.title {
				t.Errorf("Layer(a) = %+v, %v; want title %q", l, err, tc.title)
			}
			if ls, err := server.Layers(tc.ctx); err != nil || len(ls) != tc.layers {
				t.Errorf("Layers = %+v, %v; want %d", ls, err, tc.layers)
			}
			if v, err := server.Version(tc.ctx); err != nil || (v == v0) != tc.sameVersion {
				t.Errorf("Version = %d, %v; pinned at %d, want the same: %v", v, err, v0, tc.sameVersion)
			}
			_, err := server.CountFeatures(tc.ctx, geo.Filter{Layer: "b", Time: geo.Always})
			if found := err == nil; found != tc.findsNewLayer {
				t.Errorf("CountFeatures(b): %v; want found %v", err, tc.findsNewLayer)
			}
		})
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
				if _, err := server.Layers(ctx); err != nil {
					errs <- err
					return
				}
				pinned, err := server.Pin(ctx)
				if err != nil {
					errs <- err
					return
				}
				if _, err := server.Layer(pinned, "a"); err != nil {
					errs <- err
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
	if l, err := server.Layer(ctx, "a"); err != nil || l.Title != fmt.Sprintf("Title %d", writes-1) {
		t.Errorf("after the writes, Layer(a) = %+v, %v", l, err)
	}
}
