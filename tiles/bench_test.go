package tiles

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/paulmach/orb/maptile"

	"strata/geo"
	"strata/internal/workload"
)

// benchStore holds the benchmark dataset of shared/bench (200,000 points,
// 2,000 polygons, 500 lines), loaded once.
var benchStore = sync.OnceValues(func() (*memStore, error) {
	s := newMemStore()
	byLayer := map[string][]*geo.Feature{}
	err := workload.Generate(workload.Default(), func(f *geo.Feature) error {
		byLayer[f.Layer] = append(byLayer[f.Layer], f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	kinds := map[string]geo.GeometryKind{"points": geo.KindPoint, "polygons": geo.KindPolygon, "lines": geo.KindLine}
	for _, l := range workload.Layers {
		_, err := s.Import(context.Background(), geo.ChangeNote{Author: "test"}, geo.Layer{ID: l, Title: l, Kind: kinds[l]}, geo.Append, seqOf(byLayer[l]))
		if err != nil {
			return nil, err
		}
	}
	return s, nil
})

// replaySnap answers Search with features recorded from a query of the
// underlying snapshot, whatever the filter, and draws every layer from
// Search: it takes the store's own cost out of a benchmark of the
// encoder.
type replaySnap struct {
	searchOnly
	features map[string][]geo.Feature
}

// record returns a replaySnap of the features s has for tile t at when.
func record(b *testing.B, s geo.Store, t maptile.Tile, layers []string, when geo.Interval) *replaySnap {
	rs := &replaySnap{searchOnly: searchOnly{snapOf(b, s)}, features: map[string][]geo.Feature{}}
	box := newEncoder(t, Options{}.withDefaults()).queryBox()
	for _, l := range layers {
		_, err := rs.Snapshot.Search(context.Background(), geo.Filter{Layer: l, BBox: &box, Time: when, Light: true}, func(f *geo.Feature) error {
			rs.features[l] = append(rs.features[l], *f)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return rs
}

func (s *replaySnap) Search(ctx context.Context, f geo.Filter, fn func(*geo.Feature) error) (int, error) {
	fs := s.features[f.Layer]
	for i := range fs {
		if err := fn(&fs[i]); err != nil {
			return 0, err
		}
	}
	return len(fs), nil
}

// Tiles and dates of shared/bench/tiles.txt and dates.txt.
var benchTiles = []struct {
	name    string
	z, x, y uint32
}{
	{"z8", 8, 152, 104},
	{"z8", 8, 151, 104},
	{"z11", 11, 1217, 836},
	{"z11", 11, 1222, 838},
	{"z11", 11, 1215, 834},
	{"z14", 14, 9732, 6679},
	{"z14", 14, 9734, 6682},
	{"z14", 14, 9773, 6688},
}

var benchDates = []string{"2024-01-15", "2024-09-15", "2025-06-15", "2026-02-15"}

// BenchmarkRender measures drawing the tiles of the benchmark with all
// three layers, filtered to one date, from features already fetched: the
// encoder's cost without the store's. B/tile is the mean tile size.
func BenchmarkRender(b *testing.B) {
	s, err := benchStore()
	if err != nil {
		b.Fatal(err)
	}
	layers := workload.Layers[:]
	for _, name := range []string{"z8", "z11", "z14"} {
		for _, all := range []bool{false, true} {
			sub := name
			if all {
				sub += "/all-time"
			}
			b.Run(sub, func(b *testing.B) {
				type job struct {
					snap geo.Snapshot
					t    maptile.Tile
					when geo.Interval
				}
				var jobs []job
				for _, bt := range benchTiles {
					if bt.name != name {
						continue
					}
					t := maptile.New(bt.x, bt.y, maptile.Zoom(bt.z))
					dates := benchDates
					if all {
						dates = []string{"../.."}
					}
					for _, d := range dates {
						iv := when(b, d)
						jobs = append(jobs, job{record(b, s, t, layers, iv), t, iv})
					}
				}
				var bytes, n int64
				r := NewRenderer(Options{})
				b.ReportAllocs()
				for b.Loop() {
					j := jobs[n%int64(len(jobs))]
					data, err := r.Render(context.Background(), j.snap, j.t, layers, j.when)
					if err != nil {
						b.Fatal(err)
					}
					bytes += int64(len(data))
					n++
				}
				b.ReportMetric(float64(bytes)/float64(n), "B/tile")
			})
		}
	}
}

// BenchmarkTileCached measures serving a tile from the cache.
func BenchmarkTileCached(b *testing.B) {
	s, err := benchStore()
	if err != nil {
		b.Fatal(err)
	}
	r := NewRenderer(Options{CacheBytes: 64 << 20})
	t := maptile.New(1217, 836, 11)
	iv := when(b, "2025-06-15")
	snap := snapOf(b, s)
	if _, _, _, err := tileOf(r, context.Background(), snap, t, workload.Layers[:], iv); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := tileOf(r, context.Background(), snap, t, workload.Layers[:], iv); err != nil {
			b.Fatal(err)
		}
	}
}

// eachBenchTile calls fn for every benchmark tile at every benchmark
// date and for all time, with a renderer on the benchmark store. It skips
// in -short mode: loading the dataset takes seconds.
func eachBenchTile(t *testing.T, fn func(r *Renderer, s geo.Snapshot, tile maptile.Tile, date string)) {
	if testing.Short() {
		t.Skip("loads the benchmark dataset")
	}
	s, err := benchStore()
	if err != nil {
		t.Fatal(err)
	}
	r := NewRenderer(Options{})
	snap := snapOf(t, s)
	for _, bt := range benchTiles {
		for _, d := range append([]string{"../.."}, benchDates...) {
			fn(r, snap, maptile.New(bt.x, bt.y, maptile.Zoom(bt.z)), d)
		}
	}
}

// TestBenchTiles checks the benchmark tiles: every point the store has
// for them is counted, and the tiles stay small.
func TestBenchTiles(t *testing.T) {
	eachBenchTile(t, func(r *Renderer, s geo.Snapshot, tile maptile.Tile, d string) {
		t.Run(fmt.Sprintf("%d/%d/%d/%s", tile.Z, tile.X, tile.Y, d), func(t *testing.T) {
			iv := when(t, d)
			data, err := r.Render(context.Background(), s, tile, workload.Layers[:], iv)
			if err != nil {
				t.Fatal(err)
			}
			if len(data) > 500<<10 {
				t.Errorf("tile is %d bytes", len(data))
			}
			box := newEncoder(tile, r.opt).queryBox()
			want, err := s.Search(context.Background(), geo.Filter{Layer: "points", BBox: &box, Time: iv}, func(*geo.Feature) error { return nil })
			if err != nil {
				t.Fatal(err)
			}
			got := 0
			if l := decode(t, data)["points"]; l != nil {
				got, _ = count(t, l)
			}
			if got != want {
				t.Errorf("tile stands for %d points, want %d", got, want)
			}
		})
	})
}
