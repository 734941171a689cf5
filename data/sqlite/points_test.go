package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"strata/geo"
)

// pointTexts returns, by id, the name, kind and precision Points gives
// for every point of layer, and whether they came from the attributes
// kept in memory.
func pointTexts(t *testing.T, db *DB, layer string) (map[string]string, bool) {
	t.Helper()
	ctx := context.Background()
	sn, err := db.snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var refs []int
	attrs, others, err := sn.Points(ctx, geo.Filter{Layer: layer, Time: geo.Always}, func(h geo.PointHit) error {
		refs = append(refs, h.Ref)
		return nil
	})
	if err != nil || others != 0 {
		t.Fatalf("Points: %d others, %v", others, err)
	}
	got := map[string]string{}
	for _, r := range refs {
		var f geo.Feature
		attrs(r, &f)
		got[f.ID] = fmt.Sprintf("%s|%s|%g", f.Name, f.Kind, f.PrecisionM)
	}
	return got, indexOf(t, db, layer).attrs.Load() != nil
}

// The attributes of a layer of points kept in memory give back each id,
// name, kind and precision as written, whatever their lengths (ids have
// at most 128 bytes); a name too long to keep there sends the layer to
// its rows, with the same answers.
func TestPointAttrs(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		longest  int
		inMemory bool
	}{
		{"short and long", maxText, true},
		{"too long to keep", maxText + 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openMode(t, filepath.Join(t.TempDir(), "test.db"), syncIndex)
			lengths := []int{0, 1, 2, 127, 128, 300, 16383, 16384, tc.longest}
			var fs []*geo.Feature
			want := map[string]string{}
			for i := range 3000 {
				f := &geo.Feature{
					ID:         fmt.Sprintf("p%d", i),
					Name:       strings.Repeat(string(rune('a'+i%26)), lengths[i%len(lengths)]),
					Kind:       []string{"", "crossing", "office"}[i%3],
					PrecisionM: float64(i % 5 * 100),
					Geometry:   orb.Point{34.2 + float64(i%60)/100, 31.2 + float64(i/60)/100},
					Valid:      geo.Always,
					Sources:    []geo.Source{{Title: "test"}},
					Properties: json.RawMessage(`{}`),
				}
				fs = append(fs, f)
				want[f.ID] = fmt.Sprintf("%s|%s|%g", f.Name, f.Kind, f.PrecisionM)
			}
			l := geo.Layer{ID: "pts", Title: "Points", Kind: geo.KindPoint}
			if _, err := db.Import(ctx, geo.ChangeNote{Author: "test"}, l, geo.Append, seqOf(fs)); err != nil {
				t.Fatal(err)
			}
			if err := db.WaitIndex(ctx, "pts"); err != nil {
				t.Fatal(err)
			}
			got, inMemory := pointTexts(t, db, "pts")
			if inMemory != tc.inMemory {
				t.Errorf("attributes kept in memory: %v, want %v", inMemory, tc.inMemory)
			}
			if len(got) != len(want) {
				t.Fatalf("Points gave %d points, want %d", len(got), len(want))
			}
			for id, w := range want {
				if got[id] != w {
					t.Fatalf("point %.20q: got %.40q, want %.40q", id, got[id], w)
				}
			}
		})
	}
}
