package memory_test

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"testing"

	"github.com/paulmach/orb"

	"strata/data/memory"
	"strata/geo"
)

// benchLayer returns a store whose layer "b" holds n points.
func benchLayer(b *testing.B, n int) *memory.Store {
	b.Helper()
	s := memory.New()
	seq := func(yield func(*geo.Feature, error) bool) {
		for i := range n {
			if !yield(benchFeature(fmt.Sprint("f", i), i, 0), nil) {
				return
			}
		}
	}
	if _, err := s.Import(context.Background(), geo.ChangeNote{Author: "bench"}, geo.Layer{ID: "b", Title: "Bench", Kind: geo.KindPoint}, geo.Append, iter.Seq2[*geo.Feature, error](seq)); err != nil {
		b.Fatal(err)
	}
	return s
}

func benchFeature(id string, i, rev int) *geo.Feature {
	return &geo.Feature{ID: id, Layer: "b", Geometry: orb.Point{34 + float64(i%100)/100, 31 + float64(i/100%100)/100},
		Properties: json.RawMessage(fmt.Sprintf(`{"rev":%d}`, rev)), Valid: geo.Always, PrecisionM: 10,
		Sources: []geo.Source{{Title: "Bench"}}}
}

// BenchmarkCommit commits one feature into a layer of 10,000: a replace
// of an existing feature (with its IfVersion) that changes only its
// properties, one that moves it, and the create of a new one.
func BenchmarkCommit(b *testing.B) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		move bool
	}{{"replace-properties/10k", false}, {"replace-moved/10k", true}} {
		b.Run(c.name, func(b *testing.B) {
			s := benchLayer(b, 10000)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				pos := 5000
				if c.move {
					pos += 1 + i%2
				}
				f := benchFeature("f5000", pos, i+1)
				if _, err := s.Commit(ctx, geo.Commit{Note: geo.ChangeNote{Author: "bench"}, Edits: []geo.Edit{{Op: geo.OpReplace, Layer: "b", ID: f.ID, Feature: f, IfVersion: i + 1}}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("create/10k", func(b *testing.B) {
		s := benchLayer(b, 10000)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			f := benchFeature(fmt.Sprint("n", i), i, 0)
			if _, err := s.Commit(ctx, geo.Commit{Note: geo.ChangeNote{Author: "bench"}, Edits: []geo.Edit{{Op: geo.OpCreate, Layer: "b", ID: f.ID, Feature: f}}}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSnapshotAtSearch takes a past state of a 10,000-feature layer,
// 100 commits old, and reads a page of it: the past view is built once,
// then served from the cache.
func BenchmarkSnapshotAtSearch(b *testing.B) {
	ctx := context.Background()
	s := benchLayer(b, 10000)
	sn, _ := s.Snapshot(ctx)
	first, err := sn.Changes(ctx, geo.ChangeFilter{Limit: 1})
	if err != nil || len(first) != 1 {
		b.Fatal(first, err)
	}
	for i := range 100 {
		f := benchFeature("f1", 1, i+1)
		if _, err := s.Commit(ctx, geo.Commit{Note: geo.ChangeNote{Author: "bench"}, Edits: []geo.Edit{{Op: geo.OpReplace, Layer: "b", ID: f.ID, Feature: f}}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		past, err := s.SnapshotAt(ctx, first[0].RecordedAt)
		if err != nil {
			b.Fatal(err)
		}
		n, err := past.Search(ctx, geo.Filter{Layer: "b", Time: geo.Always, Limit: 10}, func(*geo.Feature) error { return nil })
		if err != nil || n != 10000 {
			b.Fatal(n, err)
		}
	}
}
