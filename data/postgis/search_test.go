package postgis

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"strata/geo"
)

// TestSearchInChunks: Search reading three features a statement gives
// what it gives reading them all in one, for pages of every offset and
// limit, with and without filters, from a snapshot older than later
// writes (rows it sees as current are closed since).
func TestSearchInChunks(t *testing.T) {
	s, _ := openTest(t, Options{})
	ctx := context.Background()
	l := geo.Layer{ID: "l", Title: "L", Kind: geo.KindPoint}
	point := func(i int) *geo.Feature {
		iv, _ := geo.ParseValidTime("f", fmt.Sprintf("2025-01-%02d", 1+i%28), "")
		return &geo.Feature{ID: fmt.Sprint("p", i), Name: "P", Kind: "test", Geometry: orb.Point{34 + float64(i%7)/10, 31 + float64(i%5)/10},
			Properties: json.RawMessage(`{"i":` + fmt.Sprint(i) + `}`), Valid: iv, PrecisionM: 10, Sources: []geo.Source{{Title: "Test"}}}
	}
	seq := func(yield func(*geo.Feature, error) bool) {
		for i := range 40 {
			if !yield(point(i), nil) {
				return
			}
		}
	}
	if _, err := s.Import(ctx, geo.ChangeNote{Author: "test"}, l, geo.Append, iter.Seq2[*geo.Feature, error](seq)); err != nil {
		t.Fatal(err)
	}
	snap, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Later writes: replace some, delete others.
	var edits []geo.Edit
	for i := 0; i < 40; i += 3 {
		f := point(i)
		f.Layer = "l"
		f.Geometry = orb.Point{35.5, 32.5}
		edits = append(edits, geo.Edit{Op: geo.OpReplace, Layer: "l", ID: f.ID, Feature: f})
	}
	for i := 1; i < 40; i += 6 {
		edits = append(edits, geo.Edit{Op: geo.OpDelete, Layer: "l", ID: fmt.Sprint("p", i)})
	}
	if _, err := s.Commit(ctx, geo.Commit{Note: geo.ChangeNote{Author: "test"}, Edits: edits}); err != nil {
		t.Fatal(err)
	}
	now, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	search := func(sn geo.Snapshot, f geo.Filter) string {
		var ids []string
		n, err := sn.Search(ctx, f, func(g *geo.Feature) error {
			ids = append(ids, g.ID+string(g.Properties)+string(g.JSON))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(n, ids)
	}
	box := geo.BBox{MinLon: 34, MinLat: 31, MaxLon: 34.35, MaxLat: 31.25}
	jan, _ := geo.ParseDatetime("2025-01-03/2025-01-20")
	old := searchChunk
	defer func() { searchChunk = old }()
	for _, sn := range []geo.Snapshot{snap, now} {
		for _, f := range []geo.Filter{{Time: geo.Always}, {Time: jan}, {BBox: &box, Time: geo.Always}, {BBox: &box, Time: jan, Encoded: true}} {
			for _, page := range [][2]int{{0, 0}, {0, 3}, {0, 4}, {2, 7}, {5, 0}, {30, 20}, {100, 5}} {
				f.Layer, f.Offset, f.Limit = "l", page[0], page[1]
				searchChunk = 1000
				want := search(sn, f)
				searchChunk = 3
				if got := search(sn, f); got != want {
					t.Errorf("version %d, filter %+v: in chunks of 3\n%s\nin one\n%s", sn.Version(), f, got, want)
				}
			}
		}
	}
}

// TestSearchHoldsNoConnectionInCallback: searches whose callbacks wait
// for one another, more of them than the pool has connections, all reach
// their callbacks. A search that held its connection while calling back
// would starve the others: a server's items pages wait in the callback
// for their turn to compute or for a slow client.
func TestSearchHoldsNoConnectionInCallback(t *testing.T) {
	s, _ := openTest(t, Options{MaxConns: 2})
	ctx := context.Background()
	feats := func(yield func(*geo.Feature, error) bool) {
		for i := range 10 {
			f := &geo.Feature{ID: fmt.Sprint("p", i), Name: "P", Kind: "test", Geometry: orb.Point{34 + float64(i)/100, 31.5},
				Properties: json.RawMessage(`{}`), Valid: geo.Always, PrecisionM: 10, Sources: []geo.Source{{Title: "Test"}}}
			if !yield(f, nil) {
				return
			}
		}
	}
	l := geo.Layer{ID: "l", Title: "L", Kind: geo.KindPoint}
	if _, err := s.Import(ctx, geo.ChangeNote{Author: "test"}, l, geo.Append, iter.Seq2[*geo.Feature, error](feats)); err != nil {
		t.Fatal(err)
	}
	snap, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const searches = 6
	var inside sync.WaitGroup
	inside.Add(searches)
	all := make(chan struct{})
	go func() { inside.Wait(); close(all) }()
	errs := make(chan error, searches)
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for range searches {
		go func() {
			first := true
			_, err := snap.Search(cctx, geo.Filter{Layer: "l", Time: geo.Always, Encoded: true}, func(*geo.Feature) error {
				if first {
					first = false
					inside.Done()
					select {
					case <-all:
					case <-cctx.Done():
						return cctx.Err()
					}
				}
				return nil
			})
			errs <- err
		}()
	}
	for range searches {
		if err := <-errs; err != nil {
			t.Fatalf("a search did not reach its callback while others waited in theirs: %v", err)
		}
	}
}
