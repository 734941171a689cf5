package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"strata/data/storetest"
	"strata/geo"
)

func openMode(t *testing.T, path string, mode int) *DB {
	t.Helper()
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.indexMode = mode
	t.Cleanup(func() { db.Close() })
	return db
}

// The contract holds whether queries use the in-memory index or SQL.
func TestContractIndexModes(t *testing.T) {
	for name, mode := range map[string]int{"index": syncIndex, "sql": noIndex} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) geo.Store {
				return openMode(t, filepath.Join(t.TempDir(), "test.db"), mode)
			})
		})
	}
}

func seqOf(fs []*geo.Feature) iter.Seq2[*geo.Feature, error] {
	return func(yield func(*geo.Feature, error) bool) {
		for _, f := range fs {
			if !yield(f, nil) {
				return
			}
		}
	}
}

// randomFeatures are points, lines and boxes on a coarse grid (so that
// bounds often equal query edges) with valid times that are open, short,
// long or sub-day.
func randomFeatures(rnd *rand.Rand, n int, prefix string) []*geo.Feature {
	src := []geo.Source{{Title: "test"}}
	coord := func() (float64, float64) {
		return float64(rnd.IntN(41)-20) / 4, float64(rnd.IntN(41)-20) / 4
	}
	var fs []*geo.Feature
	for i := range n {
		x, y := coord()
		var g orb.Geometry = orb.Point{x, y}
		switch rnd.IntN(4) {
		case 0:
			x2, y2 := coord()
			g = orb.LineString{{x, y}, {x2, y2}}
		case 1:
			g = orb.Point{170 + x, y} // near the antimeridian
		case 2:
			g = orb.Point{-180 + (x+5)/2, y} // just east of it
		}
		iv := geo.Always
		switch rnd.IntN(5) {
		case 0:
		case 1:
			iv.Start = int64(rnd.IntN(100)) * geo.DayMillis
		case 2:
			iv.End = int64(rnd.IntN(100)) * geo.DayMillis
		default:
			iv.Start = int64(rnd.IntN(100))*geo.DayMillis + int64(rnd.IntN(3))*3600_000
			iv.End = iv.Start + int64(1+rnd.IntN(40*24))*3600_000
		}
		fs = append(fs, &geo.Feature{ID: fmt.Sprintf("%s%d", prefix, i), Geometry: g, Valid: iv, Sources: src, Properties: json.RawMessage(`{}`)})
	}
	return fs
}

func randomFilter(rnd *rand.Rand, layer string) geo.Filter {
	f := geo.Filter{Layer: layer, Time: geo.Always}
	if rnd.IntN(4) > 0 {
		x0, y0 := float64(rnd.IntN(41)-20)/4, float64(rnd.IntN(41)-20)/4
		b := geo.BBox{MinLon: x0, MinLat: y0, MaxLon: x0 + float64(rnd.IntN(20))/4, MaxLat: y0 + float64(rnd.IntN(20))/4}
		if rnd.IntN(5) == 0 {
			b.MinLon, b.MaxLon = 170+x0, -179+x0 // across the antimeridian
		}
		f.BBox = &b
	}
	switch rnd.IntN(6) {
	case 0:
	case 1:
		d := int64(rnd.IntN(100)) * geo.DayMillis
		f.Time = geo.Interval{Start: d, End: d + geo.DayMillis - 1}
	case 4:
		f.Time = geo.Interval{Start: geo.OpenStart, End: int64(rnd.IntN(100)) * geo.DayMillis}
	case 5:
		f.Time = geo.Interval{Start: int64(rnd.IntN(100))*geo.DayMillis + int64(rnd.IntN(3))*3600_000, End: geo.OpenEnd}
	case 2:
		d := int64(rnd.IntN(100))*geo.DayMillis + int64(rnd.IntN(24))*3600_000
		f.Time = geo.Interval{Start: d, End: d}
	default:
		d := int64(rnd.IntN(100)) * geo.DayMillis
		f.Time = geo.Interval{Start: d, End: d + int64(rnd.IntN(30))*geo.DayMillis}
	}
	if rnd.IntN(2) == 0 {
		f.Limit, f.Offset = 1+rnd.IntN(50), rnd.IntN(100)
	}
	return f
}

// search returns the ids Search finds for f and the count it gives.
func search(t *testing.T, s geo.Store, f geo.Filter) ([]string, int) {
	t.Helper()
	sn, err := s.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	n, err := sn.Search(context.Background(), f, func(ft *geo.Feature) error {
		out = append(out, ft.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, n
}

func findIDs(t *testing.T, s geo.Store, f geo.Filter) []string {
	t.Helper()
	ids, _ := search(t, s, f)
	return ids
}

// indexOf returns the layer's index, if it is built.
func indexOf(t *testing.T, db *DB, layer string) *layerIndex {
	t.Helper()
	snap, err := db.snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e, err := snap.entry(layer)
	if err != nil {
		t.Fatal(err)
	}
	return db.index(e.ref, snap.version)
}

// The index answers exactly as the SQL filter does: same matches, same
// count, same order and pages.
// The valid times are kept as day numbers when all are whole days, else
// in milliseconds: both are checked.
func TestIndexMatchesSQL(t *testing.T) {
	for _, days := range []bool{false, true} {
		t.Run(fmt.Sprintf("whole days %v", days), func(t *testing.T) { testIndexMatchesSQL(t, days) })
	}
}

// wholeDays moves every bound of fs to the midnight before it, keeping
// each interval at least a day long.
func wholeDays(fs []*geo.Feature) []*geo.Feature {
	for _, f := range fs {
		if f.Valid.Start != geo.OpenStart {
			f.Valid.Start -= f.Valid.Start % geo.DayMillis
		}
		if f.Valid.End != geo.OpenEnd {
			f.Valid.End -= f.Valid.End % geo.DayMillis
			if f.Valid.End <= f.Valid.Start {
				f.Valid.End = f.Valid.Start + geo.DayMillis
			}
		}
	}
	return fs
}

func testIndexMatchesSQL(t *testing.T, days bool) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")
	withIndex, withSQL := openMode(t, path, syncIndex), openMode(t, path, noIndex)
	rnd := rand.New(rand.NewPCG(1, 2))
	l := geo.Layer{ID: "r", Title: "R", Kind: geo.KindMixed}
	features := func(n int, prefix string) iter.Seq2[*geo.Feature, error] {
		fs := randomFeatures(rnd, n, prefix)
		if days {
			fs = wholeDays(fs)
		}
		return seqOf(fs)
	}
	if _, err := withIndex.Import(ctx, geo.ChangeNote{Author: "test"}, l, geo.Append, features(3000, "a")); err != nil {
		t.Fatal(err)
	}
	check := func(round int) {
		if ix := indexOf(t, withIndex, "r"); ix == nil {
			t.Fatalf("round %d: no index", round)
		}
		for i := range 120 {
			f := randomFilter(rnd, "r")
			a, n1 := search(t, withIndex, f)
			b, n2 := search(t, withSQL, f)
			if !reflect.DeepEqual(a, b) || n1 != n2 {
				t.Fatalf("round %d query %d %+v (bbox %+v): index gives %d features of %d, SQL %d of %d\nindex %v\nSQL   %v", round, i, f, f.BBox, len(a), n1, len(b), n2, a, b)
			}
			var days []geo.DayCounts
			for _, db := range []*DB{withIndex, withSQL} {
				sn, _ := db.Snapshot(ctx)
				d, err := sn.Days(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				days = append(days, d)
			}
			if !reflect.DeepEqual(days[0], days[1]) || days[0].Features != n1 {
				t.Fatalf("query %d %+v: Days counts %d features by index, %d by SQL; want %d", i, f, days[0].Features, days[1].Features, n1)
			}
		}
	}
	check(1)
	// An import through another handle (as by another process) is seen.
	if _, err := withSQL.Import(ctx, geo.ChangeNote{Author: "test"}, l, geo.Append, features(500, "b")); err != nil {
		t.Fatal(err)
	}
	check(2)
	if _, err := withSQL.Import(ctx, geo.ChangeNote{Author: "test"}, l, geo.Replace, features(700, "c")); err != nil {
		t.Fatal(err)
	}
	check(3)
}

// Queries made while the index builds in the background, and after, agree.
func TestBackgroundIndex(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")
	db := openMode(t, path, backgroundIndex)
	rnd := rand.New(rand.NewPCG(3, 4))
	if _, err := db.Import(ctx, geo.ChangeNote{Author: "test"}, geo.Layer{ID: "r", Title: "R", Kind: geo.KindMixed}, geo.Append, seqOf(randomFeatures(rnd, 2000, "a"))); err != nil {
		t.Fatal(err)
	}
	f := randomFilter(rnd, "r")
	want := findIDs(t, openMode(t, path, noIndex), f)
	for range 50 {
		if got := findIDs(t, db, f); !reflect.DeepEqual(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	db.builds.Wait()
	if indexOf(t, db, "r") == nil {
		t.Error("no index after the background build")
	}
	if got := findIDs(t, db, f); !reflect.DeepEqual(got, want) {
		t.Fatalf("with the index: got %v, want %v", got, want)
	}
}

// Many queries cancelled mid-stream, from 16 goroutines at once, leave the
// store serving: every other query completes, and no connection stays
// busy.
func TestCancelledUnderLoad(t *testing.T) {
	ctx := context.Background()
	db := openMode(t, filepath.Join(t.TempDir(), "test.db"), syncIndex)
	rnd := rand.New(rand.NewPCG(9, 10))
	if _, err := db.Import(ctx, geo.ChangeNote{Author: "test"}, geo.Layer{ID: "r", Title: "R", Kind: geo.KindMixed}, geo.Append, seqOf(randomFeatures(rnd, 3000, "a"))); err != nil {
		t.Fatal(err)
	}
	all := geo.Filter{Layer: "r", Time: geo.Always}
	_, want := search(t, db, all)
	var wg sync.WaitGroup
	errs := make(chan error, 16*30)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				qctx, cancel := context.WithCancel(ctx)
				cancelAt := -1
				if (g+i)%3 == 0 {
					cancelAt = 1 + (g*30+i)%700 // a third, at varied points
				}
				n := 0
				sn, err := db.Snapshot(ctx)
				if err != nil {
					cancel()
					errs <- err
					return
				}
				_, err = sn.Search(qctx, all, func(*geo.Feature) error {
					n++
					if n == cancelAt {
						cancel()
					}
					return nil
				})
				cancel()
				switch {
				case cancelAt > 0 && err == nil:
					errs <- fmt.Errorf("query cancelled after %d features did not fail", cancelAt)
				case cancelAt < 0 && (err != nil || n != want):
					errs <- fmt.Errorf("uncancelled query: %d features, %v; want %d", n, err, want)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := findIDs(t, db, all); len(got) != want {
		t.Errorf("after the cancellations: %d features, want %d", len(got), want)
	}
	if st := db.db.Stats(); st.InUse != 0 {
		t.Errorf("%d connections still in use", st.InUse)
	}
}

// TestIndexesReady: not ready while a layer's index is missing (the call
// starts its build), ready once it is built.
func TestIndexesReady(t *testing.T) {
	ctx := context.Background()
	db := openMode(t, filepath.Join(t.TempDir(), "test.db"), backgroundIndex)
	rnd := rand.New(rand.NewPCG(13, 14))
	if _, err := db.Import(ctx, geo.ChangeNote{Author: "test"}, geo.Layer{ID: "r", Title: "R", Kind: geo.KindMixed}, geo.Append, seqOf(randomFeatures(rnd, 500, "a"))); err != nil {
		t.Fatal(err)
	}
	if err := db.IndexesReady(ctx); err == nil {
		t.Fatal("ready before any index was built")
	}
	if err := db.WaitIndex(ctx, "r"); err != nil {
		t.Fatal(err)
	}
	if err := db.IndexesReady(ctx); err != nil {
		t.Errorf("not ready once built: %v", err)
	}
}
