package sqlite

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"strata/geo"
	"strata/internal/workload"
)

// The benchmarks run on the workload of bench/workload: 20,000 points
// (with 200 polygons and 50 lines) by default, so that CI builds the
// database in seconds; set STRATA_BENCH_POINTS=200000 for the size of
// shared/bench. The database is built once per test binary run.
var benchDB struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func benchPath(b *testing.B) string {
	b.Helper()
	benchDB.once.Do(func() {
		points := 20_000
		if s := os.Getenv("STRATA_BENCH_POINTS"); s != "" {
			if points, benchDB.err = strconv.Atoi(s); benchDB.err != nil {
				return
			}
		}
		cfg := workload.Config{Points: points, Polygons: points / 100, Lines: points / 400, Seed: workload.DefaultSeed}
		if benchDB.dir, benchDB.err = os.MkdirTemp("", "strata-bench"); benchDB.err != nil {
			return
		}
		benchDB.path = filepath.Join(benchDB.dir, "bench.db")
		benchDB.err = importWorkload(benchDB.path, cfg)
	})
	if benchDB.err != nil {
		b.Fatal(benchDB.err)
	}
	return benchDB.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDB.dir != "" {
		os.RemoveAll(benchDB.dir)
	}
	os.Exit(code)
}

// importWorkload stores the layers of cfg in a new database at path.
func importWorkload(path string, cfg workload.Config) error {
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	layers := map[string][]*geo.Feature{}
	err = workload.Generate(cfg, func(f *geo.Feature) error {
		layers[f.Layer] = append(layers[f.Layer], f)
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range workload.Layers {
		l := geo.Layer{ID: id, Title: id, Kind: geo.KindMixed}
		if _, err := db.Import(ctx, geo.ChangeNote{Author: "test"}, l, geo.Append, seqOf(layers[id])); err != nil {
			return err
		}
	}
	return nil
}

// benchFilters are items requests like those of shared/bench: the bounds
// of a web-mercator tile at zoom 8 to 11 around a random place of the
// workload's box, one of 20 dates, limit 1000.
func benchFilters() []geo.Filter {
	rnd := rand.New(rand.NewPCG(7, 8))
	var out []geo.Filter
	for i := range 200 {
		lon, lat := 33.5+1.5*rnd.Float64(), 30.9+0.9*rnd.Float64()
		z := 8 + rnd.IntN(4)
		n := math.Exp2(float64(z))
		x := math.Floor((lon + 180) / 360 * n)
		y := math.Floor((1 - math.Asinh(math.Tan(lat*math.Pi/180))/math.Pi) / 2 * n)
		latOf := func(y float64) float64 { return math.Atan(math.Sinh(math.Pi*(1-2*y/n))) * 180 / math.Pi }
		box := geo.BBox{MinLon: x/n*360 - 180, MinLat: latOf(y + 1), MaxLon: (x+1)/n*360 - 180, MaxLat: latOf(y)}
		day, err := geo.ParseDatetime(fmt.Sprintf("202%d-%02d-15", 3+(i%20+9)/12, (i%20+9)%12+1))
		if err != nil {
			panic(err)
		}
		out = append(out, geo.Filter{Layer: "points", BBox: &box, Time: day, Limit: 1000})
	}
	return out
}

// BenchmarkItems is the store's part of an items request: a snapshot,
// then the page of up to 1000 matches of a bbox and a date, streamed, and
// their count.
func BenchmarkItems(b *testing.B) {
	for _, mode := range []struct {
		name string
		mode int
	}{{"index", syncIndex}, {"sql", noIndex}} {
		b.Run(mode.name, func(b *testing.B) {
			ctx := context.Background()
			db, err := Open(ctx, benchPath(b))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			db.indexMode = mode.mode
			filters := benchFilters()
			search := func(f geo.Filter, fn func(*geo.Feature) error) {
				sn, err := db.Snapshot(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := sn.Search(ctx, f, fn); err != nil {
					b.Fatal(err)
				}
			}
			search(filters[0], func(*geo.Feature) error { return nil }) // build the index
			b.ReportAllocs()
			b.ResetTimer()
			features := 0
			for i := 0; b.Loop(); i++ {
				search(filters[i%len(filters)], func(*geo.Feature) error { features++; return nil })
			}
			b.ReportMetric(float64(features)/float64(b.N), "features/op")
		})
	}
}

// BenchmarkBuildIndex reads the points layer's bounds and builds its
// index, as after start-up or an import.
func BenchmarkBuildIndex(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, benchPath(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	snap, err := db.snapshot(ctx)
	if err != nil {
		b.Fatal(err)
	}
	e, err := snap.entry("points")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		ix, err := db.loadIndex(ctx, e.ref.num, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(ix.ix.Bytes())/float64(ix.ix.Len()), "index-bytes/feature")
	}
}

// BenchmarkItemsWhileWriting is BenchmarkItems on the index while
// another goroutine commits single-feature replacements into the same
// layer as fast as it can (or not at all): the index must keep serving,
// with an overlay, rather than be rebuilt after each write.
func BenchmarkItemsWhileWriting(b *testing.B) {
	for _, mode := range []struct {
		name             string
		writing, rebuild bool
	}{{"reads only", false, false}, {"writing", true, false}, {"writing, index rebuilt per write as before", true, true}} {
		writing := mode.writing
		b.Run(mode.name, func(b *testing.B) {
			ctx := context.Background()
			path := filepath.Join(b.TempDir(), "bench.db")
			src, err := os.ReadFile(benchPath(b))
			if err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(path, src, 0o644); err != nil {
				b.Fatal(err)
			}
			db, err := Open(ctx, path)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if err := db.WaitIndex(ctx, "points"); err != nil {
				b.Fatal(err)
			}
			sn, err := db.Snapshot(ctx)
			if err != nil {
				b.Fatal(err)
			}
			var victims []*geo.Feature
			if _, err := sn.Search(ctx, geo.Filter{Layer: "points", Time: geo.Always, Limit: 2000}, func(f *geo.Feature) error {
				c := *f
				c.Sources = slices.Clone(f.Sources)
				c.Properties = slices.Clone(f.Properties)
				victims = append(victims, &c)
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			stop := make(chan struct{})
			var writes atomic.Int64
			var wg sync.WaitGroup
			if writing {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rnd := rand.New(rand.NewPCG(1, 1))
					for {
						select {
						case <-stop:
							return
						default:
						}
						f := *victims[rnd.IntN(len(victims))]
						p := f.Geometry.(orb.Point)
						f.Geometry = orb.Point{p[0] + (rnd.Float64()-0.5)/100, p[1] + (rnd.Float64()-0.5)/100}
						if _, err := db.Commit(ctx, geo.Commit{Note: geo.ChangeNote{Author: "bench"}, Edits: []geo.Edit{{Op: geo.OpReplace, Layer: "points", ID: f.ID, Feature: &f}}}); err != nil {
							b.Error(err)
							return
						}
						if mode.rebuild {
							// What every write did before overlays: a new
							// generation, and so a new index.
							if _, err := db.db.ExecContext(ctx, "UPDATE layers SET generation = generation + 1 WHERE id = 'points'; UPDATE meta SET value = value + 1 WHERE key = 'version'"); err != nil {
								b.Error(err)
								return
							}
						}
						writes.Add(1)
					}
				}()
			}
			filters := benchFilters()
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			features, scans := 0, 0
			for i := 0; b.Loop(); i++ {
				sn, err := db.Snapshot(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if s := sn.(*snapshot); db.index(s.byID["points"].ref, s.version) == nil {
					scans++
				}
				if _, err := sn.Search(ctx, filters[i%len(filters)], func(*geo.Feature) error { features++; return nil }); err != nil {
					b.Fatal(err)
				}
			}
			elapsed := time.Since(start)
			b.StopTimer()
			close(stop)
			wg.Wait()
			b.ReportMetric(float64(features)/float64(b.N), "features/op")
			b.ReportMetric(float64(scans)/float64(b.N), "scans/op")
			b.ReportMetric(float64(writes.Load())/elapsed.Seconds(), "writes/s")
		})
	}
}
