package sqlite

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"

	"strata/geo"
)

// lightOf returns what a light Search gives of f.
func lightOf(f *geo.Feature) geo.Feature {
	return geo.Feature{Layer: f.Layer, ID: f.ID, Name: f.Name, Kind: f.Kind, Valid: f.Valid, PrecisionM: f.PrecisionM, Geometry: f.Geometry}
}

// shapesOf returns the features searchShapes gives for f, and whether it
// answered.
func shapesOf(t *testing.T, sn *snapshot, f geo.Filter) ([]geo.Feature, int, bool) {
	t.Helper()
	var out []geo.Feature
	n, ok, err := sn.searchShapes(context.Background(), f, func(ft *geo.Feature) error {
		out = append(out, lightOf(ft))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, n, ok
}

// searchShapes answers light searches of a layer of lines from memory as
// Search answers them from rows: the same features, in the same order,
// with the same attributes and geometry; it declines while the index has
// recent writes to merge, and for a layer too large to keep.
func TestSearchShapes(t *testing.T) {
	ctx := context.Background()
	db := openMode(t, filepath.Join(t.TempDir(), "test.db"), syncIndex)
	rnd := rand.New(rand.NewPCG(3, 4))
	fs := randomFeatures(rnd, 2000, "a")
	for i, f := range fs {
		f.Name = []string{"", "Line", "Area"}[i%3]
		f.Kind = []string{"", "road"}[i%2]
		f.PrecisionM = float64(i % 7)
	}
	l := geo.Layer{ID: "r", Title: "R", Kind: geo.KindMixed}
	if _, err := db.Import(ctx, geo.ChangeNote{Author: "test"}, l, geo.Append, seqOf(fs)); err != nil {
		t.Fatal(err)
	}
	sn, err := db.snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		f := randomFilter(rnd, "r")
		f.Limit, f.Offset, f.Light = 0, 0, true
		var want []geo.Feature
		wn, err := sn.searchRows(ctx, f, func(ft *geo.Feature) error {
			want = append(want, lightOf(ft))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, n, ok := shapesOf(t, sn, f)
		if !ok {
			t.Fatalf("query %d: searchShapes declined a layer with its index built", i)
		}
		if n != wn || !reflect.DeepEqual(got, want) {
			t.Fatalf("query %d %+v (bbox %+v): searchShapes gives %d features (%d), Search %d (%d)\n%v\n%v", i, f, f.BBox, len(got), n, len(want), wn, got, want)
		}
	}
	if _, _, ok := shapesOf(t, sn, geo.Filter{Layer: "r", Time: geo.Always, Light: true, Limit: 10}); ok {
		t.Error("searchShapes answered a query with a limit")
	}

	// After a write, the index's overlay is not empty: Search answers.
	e := &editor{rnd: rnd, layer: "r", current: []string{"a1", "a2"}}
	e.commit(t, db)
	sn2, err := db.snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := shapesOf(t, sn2, geo.Filter{Layer: "r", Time: geo.Always, Light: true}); ok {
		t.Error("searchShapes answered with writes not yet in the index")
	}

	// A layer too large to keep is never kept.
	old := maxShapeBytes
	maxShapeBytes = 1000
	defer func() { maxShapeBytes = old }()
	if _, err := db.Import(ctx, geo.ChangeNote{Author: "test"}, geo.Layer{ID: "big", Title: "Big", Kind: geo.KindMixed}, geo.Append, seqOf(randomFeatures(rnd, 300, "b"))); err != nil {
		t.Fatal(err)
	}
	sn3, err := db.snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, _, ok := shapesOf(t, sn3, geo.Filter{Layer: "big", Time: geo.Always, Light: true}); ok {
			t.Error("searchShapes answered for a layer larger than maxShapeBytes")
		}
	}
	if li := indexOf(t, db, "big"); li == nil || li.shapeState.Load() != shapesNever {
		t.Error("a layer too large is not marked as never kept")
	}
}
