// Package storetest is the contract test suite for geo.Store. Every store
// implementation runs it against a real database:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) geo.Store { return openTestStore(t) })
//	}
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"testing"

	"github.com/paulmach/orb"

	"strata/geo"
)

// Opener returns a new, empty store for one test; the store is closed by
// the suite.
type Opener func(t *testing.T) geo.Store

// Run runs the whole contract suite, RunHistory and RunArchive included.
func Run(t *testing.T, open Opener) {
	tests := []contractTest{
		{"Layers", testLayers},
		{"ImportAndFind", testImportAndFind},
		{"ImportAllOrNothing", testImportAllOrNothing},
		{"ImportReplace", testImportReplace},
		{"TimeFilter", testTimeFilter},
		{"BBoxFilter", testBBoxFilter},
		{"Paging", testPaging},
		{"Extent", testExtent},
		{"Version", testVersion},
		{"Cancelled", testCancelled},
		{"Intervals", testIntervals},
		{"LayerKinds", testLayerKinds},
		{"StableOrder", testStableOrder},
		{"SnapshotIsolation", testSnapshotIsolation},
		{"ExactBBox", testExactBBox},
		{"Days", testDays},
		{"Points", testPoints},
		{"NoAliasing", testNoAliasing},
		{"ConcurrentReplace", testConcurrentReplace},
		{"NUL", testNUL},
		{"Where", testWhere},
		{"Encoded", testEncoded},
	}
	runEach(t, open, tests)
	t.Run("History", func(t *testing.T) { RunHistory(t, open) })
	t.Run("Archive", func(t *testing.T) { RunArchive(t, open) })
}

func day(s string) int64 {
	iv, err := geo.ParseValidTime("test", s, "")
	if err != nil {
		panic(err)
	}
	return iv.Start
}

var testSources = []geo.Source{{Title: "Test source", Publisher: "Strata tests", Date: "2025-10-10", URL: "https://example.org/a"}}

func point(id string, lon, lat float64, from, to string) *geo.Feature {
	iv, err := geo.ParseValidTime(id, from, to)
	if err != nil {
		panic(err)
	}
	return &geo.Feature{
		ID: id, Name: "Name " + id, Kind: "test", Geometry: orb.Point{lon, lat},
		Properties: json.RawMessage(fmt.Sprintf(`{"name":"Name %s","kind":"test"}`, id)),
		Valid:      iv, PrecisionM: 100, Sources: testSources,
	}
}

func layer(id string) geo.Layer {
	return geo.Layer{ID: id, Title: "Layer " + id, Kind: geo.KindMixed, Style: geo.Style{Color: "#336699"}}
}

func features(fs ...*geo.Feature) iter.Seq2[*geo.Feature, error] {
	return func(yield func(*geo.Feature, error) bool) {
		for _, f := range fs {
			if !yield(f, nil) {
				return
			}
		}
	}
}

func mustImport(t *testing.T, s geo.Store, l string, fs ...*geo.Feature) {
	t.Helper()
	ctx := context.Background()
	n, err := s.Import(ctx, geo.ChangeNote{Author: "test"}, layer(l), geo.Append, features(fs...))
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if n != len(fs) {
		t.Fatalf("import stored %d features, want %d", n, len(fs))
	}
}

// snap returns the store's current snapshot.
func snap(t *testing.T, s geo.Store) geo.Snapshot {
	t.Helper()
	sn, err := s.Snapshot(context.Background())
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	return sn
}

// ids returns the ids of the features Search finds, and checks that the
// count it gives is that of the matches of f without Limit and Offset.
func ids(t *testing.T, s geo.Store, f geo.Filter) []string {
	t.Helper()
	return snapIDs(t, snap(t, s), f)
}

func snapIDs(t *testing.T, sn geo.Snapshot, f geo.Filter) []string {
	t.Helper()
	out := []string{}
	n, err := sn.Search(context.Background(), f, func(ft *geo.Feature) error {
		out = append(out, ft.ID)
		return nil
	})
	if err != nil {
		t.Fatalf("Search(%+v): %v", f, err)
	}
	all := f
	all.Limit, all.Offset = 0, 0
	if f.Limit > 0 || f.Offset > 0 {
		if want := len(snapIDs(t, sn, all)); n != want {
			t.Fatalf("Search(%+v) counted %d matches, want %d", f, n, want)
		}
	} else if n != len(out) {
		t.Fatalf("Search(%+v) counted %d matches and returned %d", f, n, len(out))
	}
	return out
}

// count returns the number of matches Search reports for f.
func count(t *testing.T, s geo.Store, f geo.Filter) int {
	t.Helper()
	n, err := snap(t, s).Search(context.Background(), f, nil)
	if err != nil {
		t.Fatalf("Search(%+v): %v", f, err)
	}
	if m, _ := snap(t, s).Search(context.Background(), f, func(*geo.Feature) error { return nil }); m != n {
		t.Fatalf("Search(%+v) counts %d matches without a callback, %d with one", f, n, m)
	}
	return n
}

func testLayers(t *testing.T, s geo.Store) {
	ctx := context.Background()
	if ls := snap(t, s).Layers(); len(ls) != 0 {
		t.Fatalf("new store: Layers = %v; want none", ls)
	}
	b := layer("b")
	b.Order = 1
	a := layer("a")
	a.Order = 2
	a.Style = geo.Style{Color: "#ffcc00", Dash: "6 4", Marker: "star"}
	a.Group, a.Attribution, a.Licence, a.Description = "Group", "© Someone", "ODbL-1.0", "About a"
	for _, l := range []geo.Layer{a, b} {
		if err := s.PutLayer(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	ls := snap(t, s).Layers()
	if len(ls) != 2 || ls[0].ID != "b" || ls[1].ID != "a" {
		t.Fatalf("Layers = %+v, want b then a (by order)", ls)
	}
	got, err := snap(t, s).Layer("a")
	if err != nil || !reflect.DeepEqual(got, a) {
		t.Fatalf("Layer(a) = %+v, %v; want %+v", got, err, a)
	}
	a.Title = "Renamed"
	if err := s.PutLayer(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, _ := snap(t, s).Layer("a"); got.Title != "Renamed" {
		t.Errorf("after update, title = %q", got.Title)
	}
	if _, err := snap(t, s).Layer("missing"); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("Layer(missing) error = %v, want ErrNotFound", err)
	}
	if err := s.PutLayer(ctx, geo.Layer{ID: "bad id!", Title: "x", Kind: geo.KindPoint}); !errors.Is(err, geo.ErrInvalid) {
		t.Errorf("PutLayer(bad id) error = %v, want ErrInvalid", err)
	}
}

func testImportAndFind(t *testing.T, s geo.Store) {
	ctx := context.Background()
	line := &geo.Feature{
		ID: "line-1", Name: "A line", Kind: "road", Geometry: orb.LineString{{34.1, 31.1}, {34.2, 31.2}, {34.3, 31.25}},
		Properties: json.RawMessage(`{"kind":"road","name":"A line","note":"ünïcødé <b>"}`),
		Valid:      geo.Interval{Start: day("2025-10-10"), End: geo.OpenEnd}, PrecisionM: 1500,
		Sources: []geo.Source{{Title: "One", URL: "https://example.org/1"}, {Title: "Two", Publisher: "P", Date: "2025-01-01", Note: "n"}},
	}
	poly := &geo.Feature{
		ID: "poly.1", Geometry: orb.Polygon{{{34, 31}, {34.5, 31}, {34.5, 31.5}, {34, 31}}, {{34.1, 31.05}, {34.3, 31.05}, {34.3, 31.2}, {34.1, 31.05}}},
		Properties: json.RawMessage(`{}`), Valid: geo.Always, PrecisionM: 0, Sources: testSources,
	}
	mustImport(t, s, "mixed", line, poly, point("p1", 34.5, 31.5, "2025-10-17", ""))
	for _, want := range []*geo.Feature{line, poly} {
		got, err := snap(t, s).Feature(ctx, "mixed", want.ID)
		if err != nil {
			t.Fatalf("FindFeatureByID(%s): %v", want.ID, err)
		}
		want.Layer = "mixed"
		if !orb.Equal(got.Geometry, want.Geometry) {
			t.Errorf("%s: geometry = %v, want %v", want.ID, got.Geometry, want.Geometry)
		}
		if !jsonEqual(got.Properties, want.Properties) {
			t.Errorf("%s: properties = %s, want %s", want.ID, got.Properties, want.Properties)
		}
		got.Geometry, got.Properties, want.Properties = nil, nil, nil
		wantCopy := *want
		wantCopy.Geometry = nil
		wantCopy.Version = 1 // Feature sets the version number
		if !reflect.DeepEqual(*got, wantCopy) {
			t.Errorf("%s: got %+v, want %+v", want.ID, *got, wantCopy)
		}
	}
	if _, err := snap(t, s).Feature(ctx, "mixed", "nope"); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("unknown feature: error = %v, want ErrNotFound", err)
	}
	if _, err := snap(t, s).Feature(ctx, "nolayer", "p1"); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("unknown layer: error = %v, want ErrNotFound", err)
	}
	if _, err := snap(t, s).Search(ctx, geo.Filter{Layer: "nolayer", Time: geo.Always}, func(*geo.Feature) error { return nil }); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("Search(unknown layer) error = %v, want ErrNotFound", err)
	}
	if _, err := s.Import(ctx, geo.ChangeNote{Author: "test"}, geo.Layer{ID: "nolayer"}, geo.Append, features(point("x", 0, 0, "", ""))); !errors.Is(err, geo.ErrInvalid) {
		t.Errorf("Import(new layer without title) error = %v, want ErrInvalid", err)
	}
	// Light queries still carry what tiles need.
	var light []geo.Feature
	_, err := snap(t, s).Search(ctx, geo.Filter{Layer: "mixed", Time: geo.Always, Light: true}, func(f *geo.Feature) error {
		light = append(light, *f)
		return nil
	})
	if err != nil || len(light) != 3 || light[0].ID != "line-1" || light[0].Name != "A line" || light[0].Kind != "road" || light[0].PrecisionM != 1500 || light[0].Geometry == nil {
		t.Errorf("light query = %+v, %v", light, err)
	}
	// An error from the callback stops the query and is returned.
	stop := errors.New("stop")
	calls := 0
	_, err = snap(t, s).Search(ctx, geo.Filter{Layer: "mixed", Time: geo.Always}, func(*geo.Feature) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("callback error: got %v after %d calls, want stop after 1", err, calls)
	}
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func testImportAllOrNothing(t *testing.T, s geo.Store) {
	ctx := context.Background()
	mustImport(t, s, "l", point("a", 34, 31, "", ""), point("b", 34, 31, "", ""))
	v0 := snap(t, s).Version()
	bad := *point("c", 34, 31, "", "")
	bad.Geometry = orb.LineString{{34, 31}}
	failing := func(yield func(*geo.Feature, error) bool) {
		if yield(point("d", 34, 31, "", ""), nil) {
			yield(nil, geo.Invalidf("features", "features[1]: broken"))
		}
	}
	cases := []struct {
		name string
		seq  iter.Seq2[*geo.Feature, error]
		kind error
	}{
		{"duplicate of stored id", features(point("new", 34, 31, "", ""), point("a", 34, 31, "", "")), geo.ErrConflict},
		{"invalid geometry", features(point("new2", 34, 31, "", ""), &bad), geo.ErrInvalid},
		{"no sources", features(&geo.Feature{ID: "ns", Geometry: orb.Point{1, 1}, Valid: geo.Always}), geo.ErrInvalid},
		{"sequence error", failing, geo.ErrInvalid},
	}
	// A failed import into a new layer does not leave the layer behind.
	if _, err := s.Import(ctx, geo.ChangeNote{Author: "test"}, layer("fresh"), geo.Append, failing); !errors.Is(err, geo.ErrInvalid) {
		t.Fatalf("failed import into a new layer: error = %v", err)
	}
	if _, err := snap(t, s).Layer("fresh"); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("failed import left its new layer behind: Layer(fresh) error = %v", err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, err := s.Import(ctx, geo.ChangeNote{Author: "test"}, layer("l"), geo.Append, c.seq)
			if !errors.Is(err, c.kind) {
				t.Fatalf("Import error = %v, want %v", err, c.kind)
			}
			if n != 0 {
				t.Errorf("failed import reported %d stored", n)
			}
			if got := ids(t, s, geo.Filter{Layer: "l", Time: geo.Always}); !reflect.DeepEqual(got, []string{"a", "b"}) {
				t.Errorf("after failed import, features = %v, want [a b]", got)
			}
			if v := snap(t, s).Version(); v != v0 {
				t.Errorf("failed import changed the version %d -> %d", v0, v)
			}
		})
	}
}

func testImportReplace(t *testing.T, s geo.Store) {
	ctx := context.Background()
	mustImport(t, s, "l", point("a", 34, 31, "", ""), point("b", 34, 31, "", ""))
	mustImport(t, s, "other", point("a", 34, 31, "", ""))
	if _, err := s.Import(ctx, geo.ChangeNote{Author: "test"}, layer("l"), geo.Replace, features(point("b", 35, 32, "", ""), point("c", 34, 31, "", ""))); err != nil {
		t.Fatal(err)
	}
	if got := ids(t, s, geo.Filter{Layer: "l", Time: geo.Always}); !reflect.DeepEqual(got, []string{"b", "c"}) {
		t.Errorf("after replace, features = %v, want [b c]", got)
	}
	if got := ids(t, s, geo.Filter{Layer: "l", BBox: &geo.BBox{MinLon: 33.9, MinLat: 30.9, MaxLon: 34.1, MaxLat: 31.1}, Time: geo.Always}); !reflect.DeepEqual(got, []string{"c"}) {
		t.Errorf("after replace, bbox query = %v, want [c] (index out of step?)", got)
	}
	if got := ids(t, s, geo.Filter{Layer: "other", Time: geo.Always}); !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("replace touched another layer: %v", got)
	}
}

func testTimeFilter(t *testing.T, s geo.Store) {
	mustImport(t, s, "t",
		point("always", 34, 31, "", ""),
		point("from-1010", 34, 31, "2025-10-10", ""),
		point("until-1010", 34, 31, "", "2025-10-10"),
		point("oct-17-only", 34, 31, "2025-10-17", "2025-10-18"),
		point("noon", 34, 31, "2025-10-20T12:00:00Z", "2025-10-20T13:00:00Z"),
	)
	cases := []struct {
		datetime string
		want     []string
	}{
		{"2025-10-09", []string{"always", "until-1010"}},
		{"2025-10-10", []string{"always", "from-1010"}},
		{"2025-10-17", []string{"always", "from-1010", "oct-17-only"}},
		{"2025-10-18", []string{"always", "from-1010"}},
		{"2025-10-17/..", []string{"always", "from-1010", "oct-17-only", "noon"}},
		{"../2025-10-01", []string{"always", "until-1010"}},
		{"2025-10-20T12:30:00Z", []string{"always", "from-1010", "noon"}},
		{"2025-10-20T13:00:00Z", []string{"always", "from-1010"}},
		{"2025-10-20T11:00:00Z/2025-10-20T12:00:00Z", []string{"always", "from-1010", "noon"}},
		{"../..", []string{"always", "from-1010", "until-1010", "oct-17-only", "noon"}},
		{"0000-01-01T00:00:00Z/9999-12-31T23:59:59Z", []string{"always", "from-1010", "until-1010", "oct-17-only", "noon"}},
	}
	for _, c := range cases {
		t.Run(c.datetime, func(t *testing.T) {
			iv, err := geo.ParseDatetime(c.datetime)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(t, s, geo.Filter{Layer: "t", Time: iv}); !reflect.DeepEqual(got, c.want) {
				t.Errorf("datetime %s: got %v, want %v", c.datetime, got, c.want)
			}
			if n := count(t, s, geo.Filter{Layer: "t", Time: iv}); n != len(c.want) {
				t.Errorf("datetime %s: count = %d; want %d", c.datetime, n, len(c.want))
			}
		})
	}
}

func testBBoxFilter(t *testing.T, s geo.Store) {
	mustImport(t, s, "b",
		point("gaza", 34.45, 31.5, "", ""),
		point("arish", 33.8, 31.13, "", ""),
		point("fiji-e", 179.5, -17, "", ""),
		point("fiji-w", -179.5, -17, "", ""),
		point("edge", 34.0, 31.0, "", ""),
	)
	mustImport(t, s, "other", point("gaza2", 34.45, 31.5, "", ""))
	cases := []struct {
		bbox string
		want []string
	}{
		{"34,31,35,32", []string{"gaza", "edge"}},
		{"34.0000001,31,35,32", []string{"gaza"}},
		{"33,30,35,32", []string{"gaza", "arish", "edge"}},
		{"179,-18,-179,-16", []string{"fiji-e", "fiji-w"}},
		{"-180,-90,180,90", []string{"gaza", "arish", "fiji-e", "fiji-w", "edge"}},
		{"0,0,1,1", []string{}},
		{"34,31,0,35,32,100", []string{"gaza", "edge"}},
	}
	for _, c := range cases {
		t.Run(c.bbox, func(t *testing.T) {
			b, err := geo.ParseBBox(c.bbox)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(t, s, geo.Filter{Layer: "b", BBox: &b, Time: geo.Always}); !reflect.DeepEqual(got, c.want) {
				t.Errorf("bbox %s: got %v, want %v", c.bbox, got, c.want)
			}
		})
	}
	// A line whose bounding box meets the query but whose layer differs, or
	// a polygon around the box, are found by their bounds.
	mustImport(t, s, "big", &geo.Feature{ID: "around", Geometry: orb.Polygon{{{30, 30}, {40, 30}, {40, 40}, {30, 30}}}, Valid: geo.Always, Sources: testSources, Properties: json.RawMessage(`{}`)})
	b, _ := geo.ParseBBox("34.4,31.4,34.5,31.5")
	if got := ids(t, s, geo.Filter{Layer: "big", BBox: &b, Time: geo.Always}); !reflect.DeepEqual(got, []string{"around"}) {
		t.Errorf("enclosing polygon: got %v", got)
	}
}

func testPaging(t *testing.T, s geo.Store) {
	var fs []*geo.Feature
	for i := range 23 {
		fs = append(fs, point(fmt.Sprintf("f%02d", i), 34+float64(i)/100, 31, "", ""))
	}
	mustImport(t, s, "p", fs...)
	all := ids(t, s, geo.Filter{Layer: "p", Time: geo.Always})
	if len(all) != 23 {
		t.Fatalf("got %d features, want 23", len(all))
	}
	b, _ := geo.ParseBBox("33,30,35,32")
	for _, f := range []geo.Filter{{Layer: "p", Time: geo.Always}, {Layer: "p", Time: geo.Always, BBox: &b}} {
		var paged []string
		for off := 0; off < 30; off += 5 {
			f.Limit, f.Offset = 5, off
			paged = append(paged, ids(t, s, f)...)
		}
		if !reflect.DeepEqual(paged, all) {
			t.Errorf("pages of 5 (bbox %v) = %v, want %v", f.BBox != nil, paged, all)
		}
	}
}

func testExtent(t *testing.T, s geo.Store) {
	ctx := context.Background()
	if err := s.PutLayer(ctx, layer("empty")); err != nil {
		t.Fatal(err)
	}
	if e, err := snap(t, s).Extent(ctx, "empty"); err != nil || !e.Empty {
		t.Errorf("empty layer extent = %+v, %v", e, err)
	}
	mustImport(t, s, "e", point("a", 34, 31, "2025-10-10", "2025-10-20"), point("b", 35, 32.5, "2025-10-01", "2025-10-15"))
	e, err := snap(t, s).Extent(ctx, "e")
	if err != nil {
		t.Fatal(err)
	}
	want := geo.Extent{BBox: orb.Bound{Min: orb.Point{34, 31}, Max: orb.Point{35, 32.5}}, Time: geo.Interval{Start: day("2025-10-01"), End: day("2025-10-20")}}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("extent = %+v, want %+v", e, want)
	}
	mustImport(t, s, "e", point("c", 33, 30, "", ""))
	e, _ = snap(t, s).Extent(ctx, "e")
	if !e.Time.IsOpenStart() || !e.Time.IsOpenEnd() || e.BBox.Min != (orb.Point{33, 30}) {
		t.Errorf("extent after open feature = %+v, want open time and min 33,30", e)
	}
	if _, err := snap(t, s).Extent(ctx, "missing"); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("Extent(missing) error = %v", err)
	}
}

func testVersion(t *testing.T, s geo.Store) {
	v0 := snap(t, s).Version()
	mustImport(t, s, "v", point("a", 34, 31, "", ""))
	v1 := snap(t, s).Version()
	if v1 == v0 {
		t.Errorf("version unchanged after import: %d", v1)
	}
	ids(t, s, geo.Filter{Layer: "v", Time: geo.Always})
	if v2 := snap(t, s).Version(); v2 != v1 {
		t.Errorf("version changed by a read: %d -> %d", v1, v2)
	}
}

func testCancelled(t *testing.T, s geo.Store) {
	var fs []*geo.Feature
	for i := range 50 {
		fs = append(fs, point(fmt.Sprintf("c%d", i), 34, 31, "", ""))
	}
	mustImport(t, s, "c", fs...)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := snap(t, s).Search(ctx, geo.Filter{Layer: "c", Time: geo.Always}, func(*geo.Feature) error {
		n++
		if n == 3 {
			cancel()
		}
		return nil
	})
	if err == nil || n == 50 {
		t.Errorf("cancelled query: err = %v after %d features, want an error before the end", err, n)
	}
	// The store keeps serving after a cancelled query.
	if got := ids(t, s, geo.Filter{Layer: "c", Time: geo.Always}); len(got) != 50 {
		t.Errorf("after cancel, got %d features, want 50", len(got))
	}
}
