package tiles

import (
	"bytes"
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"strata/data/sqlite"
	"strata/geo"
	"strata/internal/load"
	"strata/internal/workload"
)

// openSQLite opens a new store in a temporary directory.
func openSQLite(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "strata.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// TestSQLite draws tiles from the real store: the time filter, positions
// and the cache's invalidation when a feature changes.
func TestSQLite(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	lines := geo.Layer{ID: "lines", Title: "Lines", Kind: geo.KindLine}
	points := geo.Layer{ID: "points", Title: "Points", Kind: geo.KindPoint}
	pt := orb.Point{34.4567, 31.5123}
	if _, err := db.Import(ctx, geo.ChangeNote{Author: "test"}, lines, geo.Append, seqOf([]*geo.Feature{feature(t, "yellow", "Yellow line", yellowLine, "2025-10-10", "")})); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Import(ctx, geo.ChangeNote{Author: "test"}, points, geo.Append, seqOf([]*geo.Feature{feature(t, "p1", "before", pt, "2025-01-01", "2026-01-01")})); err != nil {
		t.Fatal(err)
	}
	r := NewRenderer(Options{CacheBytes: 1 << 20})
	tile := maptile.At(yellowLine[1], 13)
	for _, tc := range []struct {
		datetime string
		want     bool
	}{{"2025-10-10", true}, {"2025-10-09", false}, {"2025-10-09T23:59:59Z/2025-10-10T00:00:00Z", true}} {
		data, _, _, err := tileOf(r, ctx, snapOf(t, db), tile, []string{"lines", "points"}, when(t, tc.datetime))
		if err != nil {
			t.Fatal(err)
		}
		if got := decode(t, data)["lines"] != nil; got != tc.want {
			t.Errorf("%s: line in tile %v, want %v", tc.datetime, got, tc.want)
		}
	}

	ptile, x, y := pixel(pt[0], pt[1], 15)
	iv := when(t, "2025-10-10")
	data1, etag1, _, err := tileOf(r, ctx, snapOf(t, db), ptile, []string{"points"}, iv)
	if err != nil {
		t.Fatal(err)
	}
	f := decode(t, data1)["points"].Features[0]
	if f.Geometry != (orb.Point{float64(x), float64(y)}) || f.Properties["name"] != "before" || f.Properties["valid_to"] != "2026-01-01" {
		t.Errorf("point feature %v %v", f.Geometry, f.Properties)
	}
	if _, err := db.Import(ctx, geo.ChangeNote{Author: "test"}, points, geo.Replace, seqOf([]*geo.Feature{feature(t, "p1", "after", pt, "2025-01-01", "2026-01-01")})); err != nil {
		t.Fatal(err)
	}
	data2, etag2, _, err := tileOf(r, ctx, snapOf(t, db), ptile, []string{"points"}, iv)
	if err != nil {
		t.Fatal(err)
	}
	if etag2 == etag1 || decode(t, data2)["points"].Features[0].Properties["name"] != "after" {
		t.Error("changed feature did not change the cached tile")
	}
}

// BenchmarkSQLite measures tiles of all three layers of the benchmark
// dataset, filtered to one date, drawn from the SQLite store (the store's
// query included, no cache) once its index and point attributes are in
// memory.
func BenchmarkSQLite(b *testing.B) {
	ctx := context.Background()
	db := openSQLite(b)
	kinds := map[string]geo.GeometryKind{"points": geo.KindPoint, "polygons": geo.KindPolygon, "lines": geo.KindLine}
	byLayer := map[string][]*geo.Feature{}
	if err := workload.Generate(workload.Default(), func(f *geo.Feature) error {
		f.Sources = []geo.Source{{Title: "benchmark"}}
		byLayer[f.Layer] = append(byLayer[f.Layer], f)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	for _, l := range workload.Layers {
		if _, err := db.Import(ctx, geo.ChangeNote{Author: "test"}, geo.Layer{ID: l, Title: l, Kind: kinds[l]}, geo.Append, seqOf(byLayer[l])); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.WaitIndex(ctx, "points"); err != nil { // measure the in-memory path, not the fallback
		b.Fatal(err)
	}
	snap := snapOf(b, db)
	r := NewRenderer(Options{})
	layers := workload.Layers[:]
	type job struct {
		t    maptile.Tile
		when geo.Interval
	}
	mix := workloadJobs(b)
	for _, name := range []string{"z8", "z11", "z14", "mix"} {
		b.Run(name, func(b *testing.B) {
			var jobs []job
			for _, bt := range benchTiles {
				if bt.name == name {
					for _, d := range benchDates {
						jobs = append(jobs, job{maptile.New(bt.x, bt.y, maptile.Zoom(bt.z)), when(b, d)})
					}
				}
			}
			if name == "mix" {
				if len(mix) == 0 {
					b.Skip("no shared/bench beside the project")
				}
				for _, m := range mix {
					jobs = append(jobs, job{m.t, m.when})
				}
			}
			var bytes, n int64
			b.ReportAllocs()
			for b.Loop() {
				j := jobs[n%int64(len(jobs))]
				// As the server draws a tile: with its ETag, into a
				// reused buffer.
				if err := r.Tile(ctx, snap, j.t, layers, j.when, func(d Drawn) error {
					bytes += int64(len(d.Data))
					return nil
				}); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64(bytes)/float64(n), "B/tile")
		})
	}
}

// TestSQLitePoints checks that tiles drawn from the points the store holds
// in memory (Snapshot.Points) are those drawn from its rows (Search),
// byte for byte, thinned or not.
func TestSQLitePoints(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	kinds := map[string]geo.GeometryKind{"points": geo.KindPoint, "polygons": geo.KindPolygon, "lines": geo.KindLine}
	byLayer := map[string][]*geo.Feature{}
	cfg := workload.Config{Points: 20_000, Polygons: 200, Lines: 50, Seed: workload.DefaultSeed}
	if err := workload.Generate(cfg, func(f *geo.Feature) error {
		byLayer[f.Layer] = append(byLayer[f.Layer], f)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	pts := byLayer["points"]
	pts[1].Name, pts[2].Kind, pts[3].PrecisionM = "", "", 12.5
	pts[4].Valid.Start, pts[5].Valid.End = geo.OpenStart, geo.OpenEnd
	// Names that a tile must find among its other values: another
	// point's id, a kind, a bound's text, a name twice, the point's id.
	for i := 10; i+1 < len(pts); i += 7 {
		switch i % 5 {
		case 0:
			pts[i].Name = pts[i+1].ID
		case 1:
			pts[i].Name = pts[i].Kind
		case 2:
			pts[i].Name = geo.FormatBound(pts[i+1].Valid.End)
		case 3:
			pts[i].Name = pts[i+1].Name
		case 4:
			pts[i].Name = pts[i].ID
		}
	}
	for _, l := range workload.Layers {
		if _, err := db.Import(ctx, geo.ChangeNote{Author: "test"}, geo.Layer{ID: l, Title: l, Kind: kinds[l]}, geo.Append, seqOf(byLayer[l])); err != nil {
			t.Fatal(err)
		}
	}
	// A layer holding a MultiPoint is drawn from Search.
	layers := append(workload.Layers[:], "mixed")
	mixed := []*geo.Feature{feature(t, "a", "A", orb.Point{34.4, 31.4}, "", ""), feature(t, "b", "B", orb.MultiPoint{{34.5, 31.5}, {34.5, 31.5}}, "", "")}
	if _, err := db.Import(ctx, geo.ChangeNote{Author: "test"}, geo.Layer{ID: "mixed", Title: "mixed", Kind: geo.KindPoint}, geo.Append, seqOf(mixed)); err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		if err := db.WaitIndex(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	if _, others, err := snapOf(t, db).Points(ctx, geo.Filter{Layer: "mixed", Time: geo.Always}, func(geo.PointHit) error { return nil }); err != nil || others != 1 {
		t.Fatalf("Points of a layer holding a MultiPoint: %d others, %v; want 1", others, err)
	}
	distinct := 0
	if _, _, err := snapOf(t, db).Points(ctx, geo.Filter{Layer: "points", Time: geo.Always}, func(h geo.PointHit) error {
		if h.Distinct {
			distinct++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if distinct < len(pts)/2 {
		t.Errorf("%d of %d points Distinct", distinct, len(pts))
	}
	drawn := 0
	snap := snapOf(t, db)
	for _, opt := range []Options{{}, {MaxPoints: 200}} {
		r := NewRenderer(opt)
		for _, bt := range benchTiles {
			for _, d := range append([]string{"../.."}, benchDates...) {
				tile := maptile.New(bt.x, bt.y, maptile.Zoom(bt.z))
				got, err := r.Render(ctx, snap, tile, layers, when(t, d))
				if err != nil {
					t.Fatal(err)
				}
				want, err := r.Render(ctx, searchOnly{snap}, tile, layers, when(t, d))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%+v tile %v %s: %d bytes from memory, %d from rows", opt, tile, d, len(got), len(want))
				}
				if decode(t, got)["points"] != nil {
					drawn++
				}
			}
		}
	}
	if drawn < 50 {
		t.Errorf("only %d tiles hold points", drawn)
	}
}

// benchJob is a tile of the benchmark workload and its time filter.
type benchJob struct {
	t    maptile.Tile
	when geo.Interval
}

// workloadJobs returns the tile requests of the shared/bench workload
// (strata-load -make-paths tiles) in their order, or none when
// ../../shared/bench is not there.
func workloadJobs(tb testing.TB) []benchJob {
	paths, err := load.MakePaths("tiles", filepath.Join("..", "..", "shared", "bench"), "")
	if err != nil {
		return nil
	}
	var jobs []benchJob
	for _, p := range paths {
		path, query, _ := strings.Cut(p, "?")
		parts := strings.Split(strings.TrimPrefix(path, "/tiles/WebMercatorQuad/"), "/")
		if len(parts) != 3 {
			tb.Fatalf("tile path %q", p)
		}
		t, err := ParseTile(parts[0], parts[1], parts[2])
		if err != nil {
			tb.Fatal(err)
		}
		v, err := url.ParseQuery(query)
		if err != nil {
			tb.Fatal(err)
		}
		jobs = append(jobs, benchJob{t, when(tb, v.Get("datetime"))})
	}
	return jobs
}
