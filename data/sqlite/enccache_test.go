package sqlite

import (
	"bytes"
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"strata/geo"
	"strata/geo/geojson"
)

// pageJSON returns the features Search gives for f, each as GeoJSON: the
// store's encoding with f.Encoded, else the encoder's output of the
// feature given, and how many of them came encoded.
func pageJSON(t *testing.T, db *DB, f geo.Filter) ([][]byte, int, int) {
	t.Helper()
	sn, err := db.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	encoded := 0
	n, err := sn.Search(context.Background(), f, func(ft *geo.Feature) error {
		if ft.JSON != nil {
			encoded++
			out = append(out, bytes.Clone(ft.JSON))
			return nil
		}
		out = append(out, geojson.AppendFeature(nil, ft))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, n, encoded
}

// Encoded pages are byte for byte what the encoder writes of the same
// features, whether they come from rows or from the cache, with the
// in-memory index or a scan, and whatever the cache drops.
func TestEncodedPages(t *testing.T) {
	for _, tc := range []struct {
		name  string
		mode  int
		cache int64
	}{
		{"index", syncIndex, DefaultEncodedCacheBytes},
		{"scan", noIndex, DefaultEncodedCacheBytes},
		{"tiny cache", syncIndex, 64 << 10},
		{"no cache", syncIndex, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openMode(t, filepath.Join(t.TempDir(), "e.db"), tc.mode)
			db.SetEncodedCache(tc.cache)
			rnd := rand.New(rand.NewPCG(7, 8))
			fs := randomFeatures(rnd, 3000, "f")
			for i, f := range fs {
				f.Name = "Name"
				f.Properties = []byte(`{"n":` + string(rune('0'+i%10)) + `,"s":"é\u2028"}`)
			}
			if _, err := db.Import(context.Background(), geo.ChangeNote{Author: "test"}, geo.Layer{ID: "l", Title: "L", Kind: geo.KindMixed}, geo.Append, seqOf(fs)); err != nil {
				t.Fatal(err)
			}
			sawEncoded := 0
			for i := range 200 {
				f := randomFilter(rnd, "l")
				plain := f
				want, wantN, enc := pageJSON(t, db, plain)
				if enc != 0 {
					t.Fatalf("filter %d: %d features came encoded without Filter.Encoded", i, enc)
				}
				f.Encoded = true
				for pass := range 2 { // cold, then from the cache
					got, n, enc := pageJSON(t, db, f)
					sawEncoded += enc
					if n != wantN || len(got) != len(want) {
						t.Fatalf("filter %d pass %d: %d features of %d matched, want %d of %d", i, pass, len(got), n, len(want), wantN)
					}
					for j := range got {
						if !bytes.Equal(got[j], want[j]) {
							t.Fatalf("filter %d pass %d feature %d:\n got %s\nwant %s", i, pass, j, got[j], want[j])
						}
					}
				}
			}
			if tc.cache == 0 && sawEncoded != 0 {
				t.Errorf("%d features came encoded with the cache off", sawEncoded)
			}
			if tc.cache > 0 && sawEncoded == 0 {
				t.Error("no feature came encoded")
			}
			if hits, _ := db.EncodedCacheStats(); tc.cache == DefaultEncodedCacheBytes && hits == 0 {
				t.Error("the cache never hit")
			}
		})
	}
}

func BenchmarkEncodedCache(b *testing.B) {
	var c encCache
	c.setLimit(1 << 20)
	enc := bytes.Repeat([]byte("x"), 300)
	b.ReportAllocs()
	for i := range b.N {
		q := int64(i % 10000)
		if c.get(q).json == nil {
			c.put(q, encoded{id: "f", json: enc})
		}
	}
}
