package postgis

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"strata/geo"
	"strata/internal/pgtest"
	"strata/internal/workload"
)

// The benchmarks run on the workload of bench/workload (what cmd/strata-gen
// writes): 20,000 points (with 200 polygons and 50 lines) by default; set
// STRATA_BENCH_POINTS=200000 for the size of shared/bench. With
// STRATA_BENCH_EXPLAIN=1 they log the plans of one items page and one
// tile's points (EXPLAIN ANALYZE).

// benchStore imports the workload into a new database, for one benchmark.
func benchStore(b *testing.B) *Store {
	b.Helper()
	points := 20_000
	if v := os.Getenv("STRATA_BENCH_POINTS"); v != "" {
		var err error
		if points, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	cfg := workload.Config{Points: points, Polygons: points / 100, Lines: points / 400, Seed: workload.DefaultSeed}
	s, err := Open(context.Background(), pgtest.URL(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	layers := map[string][]*geo.Feature{}
	if err := workload.Generate(cfg, func(f *geo.Feature) error {
		layers[f.Layer] = append(layers[f.Layer], f)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	for _, id := range workload.Layers {
		l := geo.Layer{ID: id, Title: id, Kind: geo.KindMixed}
		if _, err := s.Import(context.Background(), geo.ChangeNote{Author: "bench"}, l, geo.Append, seqOf(layers[id]...)); err != nil {
			b.Fatal(err)
		}
	}
	// What autovacuum does in time: statistics, and the visibility map
	// that index-only scans need.
	if _, err := s.pool.Exec(context.Background(), "VACUUM ANALYZE features"); err != nil {
		b.Fatal(err)
	}
	return s
}

// tileBox is the bounds of the web-mercator tile z/x/y.
func tileBox(z, x, y int) geo.BBox {
	n := math.Exp2(float64(z))
	latOf := func(y float64) float64 { return math.Atan(math.Sinh(math.Pi*(1-2*y/n))) * 180 / math.Pi }
	return geo.BBox{MinLon: float64(x)/n*360 - 180, MinLat: latOf(float64(y + 1)), MaxLon: float64(x+1)/n*360 - 180, MaxLat: latOf(float64(y))}
}

// benchFilters are items requests like those of shared/bench: the bounds
// of a tile at zoom 8 to 11 around a random place of the workload's box,
// one of 20 dates, limit 1000 (as data/sqlite's benchmarks).
func benchFilters() []geo.Filter {
	rnd := rand.New(rand.NewPCG(7, 8))
	var out []geo.Filter
	for i := range 200 {
		lon, lat := 33.5+1.5*rnd.Float64(), 30.9+0.9*rnd.Float64()
		z := 8 + rnd.IntN(4)
		n := math.Exp2(float64(z))
		x := math.Floor((lon + 180) / 360 * n)
		y := math.Floor((1 - math.Asinh(math.Tan(lat*math.Pi/180))/math.Pi) / 2 * n)
		box := tileBox(z, int(x), int(y))
		day, err := geo.ParseDatetime(fmt.Sprintf("202%d-%02d-15", 3+(i%20+9)/12, (i%20+9)%12+1))
		if err != nil {
			panic(err)
		}
		out = append(out, geo.Filter{Layer: "points", BBox: &box, Time: day, Limit: 1000})
	}
	return out
}

// BenchmarkQueries is the store's part of the benchmark's requests, on
// one database: an items page (a snapshot, then up to 1000 matches of a
// bbox and a date as GeoJSON, and their count), and a tile's points.
func BenchmarkQueries(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	filters := benchFilters()
	if os.Getenv("STRATA_BENCH_EXPLAIN") != "" {
		explainBench(b, s, filters[0])
	}
	b.Run("items", func(b *testing.B) {
		b.ReportAllocs()
		features, bytes := 0, 0
		for i := 0; b.Loop(); i++ {
			f := filters[i%len(filters)]
			f.Encoded = true
			sn, err := s.Snapshot(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := sn.Search(ctx, f, func(ft *geo.Feature) error { features++; bytes += len(ft.JSON); return nil }); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(features)/float64(b.N), "features/op")
	})
	b.Run("items-decoded", func(b *testing.B) {
		b.ReportAllocs()
		features := 0
		for i := 0; b.Loop(); i++ {
			sn, err := s.Snapshot(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := sn.Search(ctx, filters[i%len(filters)], func(*geo.Feature) error { features++; return nil }); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(features)/float64(b.N), "features/op")
	})
	b.Run("points", func(b *testing.B) {
		b.ReportAllocs()
		hits := 0
		for i := 0; b.Loop(); i++ {
			f := filters[i%len(filters)]
			f.Limit = 0
			sn, err := s.Snapshot(ctx)
			if err != nil {
				b.Fatal(err)
			}
			attrs, others, err := sn.Points(ctx, f, func(geo.PointHit) error { hits++; return nil })
			if err != nil || others > 0 || attrs == nil {
				b.Fatal(err, others)
			}
		}
		b.ReportMetric(float64(hits)/float64(b.N), "points/op")
	})
	b.Run("snapshot", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Snapshot(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// explainBench logs the plans of an items page and of a tile's points.
func explainBench(b *testing.B, s *Store, f geo.Filter) {
	sn, err := s.snapshot(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	e, _ := sn.entry(f.Layer)
	var q query
	m := q.matches(e.num, sn.version, &f, "f.seq, f.pos")
	page := " ORDER BY pos LIMIT " + q.arg(int64(f.Limit))
	items := "WITH m AS MATERIALIZED (" + m + ") SELECT c.n, " + encodedColumns + " FROM (SELECT count(*) AS n FROM m) c" +
		" LEFT JOIN LATERAL (SELECT seq, pos FROM m" + page + ") p ON true LEFT JOIN features f ON f.seq = p.seq ORDER BY p.pos"
	for _, c := range []struct {
		name, sql string
		args      []any
	}{{"items", items, q.args}, {"points", "", nil}} {
		if c.name == "points" {
			var pq query
			c.sql, c.args = pointsQuery(&pq, e.num, sn.version, &f), pq.args
		}
		rows, err := s.pool.Query(context.Background(), "EXPLAIN (ANALYZE, BUFFERS) "+c.sql, c.args...)
		if err != nil {
			b.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			rows.Scan(&line)
			plan = append(plan, line)
		}
		rows.Close()
		b.Logf("%s:\n%s", c.name, strings.Join(plan, "\n"))
	}
}
