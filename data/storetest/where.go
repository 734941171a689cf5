package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"strata/geo"
)

// testWhere checks geo.SearchWhere on the store: the predicate sees whole
// features (properties and sources, even for an Encoded or Light filter),
// and Limit, Offset and the count apply to the features that pass it.
func testWhere(t *testing.T, s geo.Store) {
	ctx := context.Background()
	var fs []*geo.Feature
	for _, id := range []string{"a1", "b1", "a2", "b2", "a3", "b3", "a4"} {
		fs = append(fs, point(id, 34.4, 31.4, "2025-10-10", ""))
	}
	mustImport(t, s, "w", fs...)
	sn := snap(t, s)
	isA := func(f *geo.Feature) bool {
		return strings.Contains(string(f.Properties), `"Name a`) && len(f.Sources) == 1
	}
	tests := []struct {
		name  string
		f     geo.Filter
		want  []string
		wantN int
	}{
		{"all", geo.Filter{Layer: "w", Time: geo.Always}, []string{"a1", "a2", "a3", "a4"}, 4},
		{"page", geo.Filter{Layer: "w", Time: geo.Always, Limit: 2, Offset: 1}, []string{"a2", "a3"}, 4},
		{"past the end", geo.Filter{Layer: "w", Time: geo.Always, Offset: 9}, nil, 4},
		{"encoded", geo.Filter{Layer: "w", Time: geo.Always, Encoded: true, Limit: 1}, []string{"a1"}, 4},
		{"light", geo.Filter{Layer: "w", Time: geo.Always, Light: true, Offset: 3}, []string{"a4"}, 4},
	}
	for _, tc := range tests {
		var got []string
		n, err := geo.SearchWhere(ctx, sn, tc.f, isA, func(f *geo.Feature) error {
			if len(f.Properties) == 0 {
				t.Errorf("%s: feature %s without properties", tc.name, f.ID)
			}
			got = append(got, f.ID)
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !slices.Equal(got, tc.want) || n != tc.wantN {
			t.Errorf("%s: got %v (%d matched), want %v (%d)", tc.name, got, n, tc.want, tc.wantN)
		}
	}
	n, err := geo.SearchWhere(ctx, sn, geo.Filter{Layer: "w", Time: geo.Always}, isA, nil)
	if err != nil || n != 4 {
		t.Errorf("count only: %d, %v; want 4", n, err)
	}
	if _, err := geo.SearchWhere(ctx, sn, geo.Filter{Layer: "nope", Time: geo.Always}, isA, nil); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("unknown layer: %v, want ErrNotFound", err)
	}
}

// testEncoded checks that a search for encoded features gives each
// feature's id, with its GeoJSON or the whole feature, the second time too
// (a store may then answer from a cache of encodings).
func testEncoded(t *testing.T, s geo.Store) {
	ctx := context.Background()
	mustImport(t, s, "e", point("e1", 34.4, 31.4, "2025-10-10", ""), point("e2", 34.5, 31.5, "2025-10-10", ""))
	sn := snap(t, s)
	for round := range 2 {
		var got []string
		_, err := sn.Search(ctx, geo.Filter{Layer: "e", Time: geo.Always, Encoded: true}, func(f *geo.Feature) error {
			if f.JSON == nil && f.Geometry == nil {
				t.Errorf("round %d: feature %q has neither GeoJSON nor geometry", round, f.ID)
			}
			if f.JSON != nil && !strings.Contains(string(f.JSON), `"id":"`+f.ID+`"`) {
				t.Errorf("round %d: id %q, GeoJSON %s", round, f.ID, f.JSON)
			}
			got = append(got, f.ID)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, []string{"e1", "e2"}) {
			t.Errorf("round %d: ids %q, want [e1 e2]", round, got)
		}
	}
}
