package sqlite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"strata/data/memory"
	"strata/data/sqlite"
	"strata/geo"
)

// records yields recs.
func records(recs []geo.Record) func(func(geo.Record, error) bool) {
	return func(yield func(geo.Record, error) bool) {
		for _, r := range recs {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// A Restore through one handle is seen at once through another handle on
// the file, which held a snapshot of the empty database, even when the
// restored data version is the one it held; and after reopening.
func TestRestoreSeenByOtherHandles(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "strata.db")
	writer, reader := open(t, path), open(t, path)
	defer reader.Close()
	before := snapOf(t, reader)
	// An archive of one layer and no changeset, at the version the empty
	// database has.
	l := geo.Layer{ID: "only", Title: "Only", Kind: geo.KindPoint}
	recs := []geo.Record{{Layer: &l}, {Version: before.Version()}}
	if err := writer.Restore(ctx, records(recs)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(sqlite.Recheck) // another handle's write is seen within it
	for name, db := range map[string]*sqlite.DB{"writer": writer, "reader": reader} {
		if sn := snapOf(t, db); sn.Version() != before.Version() || len(sn.Layers()) != 1 || sn.Layers()[0].ID != "only" {
			t.Errorf("%s after Restore: version %d, layers %v; want version %d and layer only", name, sn.Version(), sn.Layers(), before.Version())
		}
	}
	if len(before.Layers()) != 0 {
		t.Errorf("the snapshot held before Restore changed: %v", before.Layers())
	}
	writer.Close()

	// A store with features, restored, then reopened.
	src := memory.New()
	if _, err := src.Import(ctx, geo.ChangeNote{Author: "t"}, geo.Layer{ID: "p", Title: "P", Kind: geo.KindPoint}, geo.Append,
		points(50)); err != nil {
		t.Fatal(err)
	}
	var want []geo.Record
	if err := src.Export(ctx, func(r geo.Record) error { want = append(want, r); return nil }); err != nil {
		t.Fatal(err)
	}
	path2 := filepath.Join(t.TempDir(), "strata.db")
	db := open(t, path2)
	if err := db.Restore(ctx, records(want)); err != nil {
		t.Fatal(err)
	}
	wantIDs := searchIDs(t, db)
	db.Close()
	db = open(t, path2)
	defer db.Close()
	if got := searchIDs(t, db); !slices.Equal(got, wantIDs) || len(got) != 50 {
		t.Errorf("after reopening: %d features %v, want %v", len(got), got, wantIDs)
	}
}

// points yields n points, ids p0 to p(n-1), in a scattered order.
func points(n int) func(func(*geo.Feature, error) bool) {
	return func(yield func(*geo.Feature, error) bool) {
		for i := range n {
			k := i * 7 % n
			f := &geo.Feature{ID: fmt.Sprintf("p%d", k), Geometry: orb.Point{float64(k%10) / 10, float64(k/10) / 10},
				Properties: json.RawMessage(`{}`), Valid: geo.Always, Sources: []geo.Source{{Title: "t"}}}
			if !yield(f, nil) {
				return
			}
		}
	}
}

func searchIDs(t *testing.T, db *sqlite.DB) []string {
	t.Helper()
	var ids []string
	_, err := snapOf(t, db).Search(context.Background(), geo.Filter{Layer: "p", Time: geo.Always}, func(f *geo.Feature) error {
		ids = append(ids, f.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}
