package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"strata/geo"
)

// editor makes random commits to one layer and knows which ids are
// current.
type editor struct {
	rnd     *rand.Rand
	layer   string
	points  bool // only Points
	current []string
	deleted []string
	next    int
}

// commit makes one random commit of 1 to 4 edits: creations of new ids,
// replacements, deletions and re-creations of deleted ids.
func (e *editor) commit(t *testing.T, db *DB) geo.Changeset {
	t.Helper()
	var edits []geo.Edit
	touched := map[string]bool{}
	feature := func(id string) *geo.Feature {
		f := randomFeatures(e.rnd, 1, "")[0]
		if e.points {
			if _, ok := f.Geometry.(orb.Point); !ok {
				f.Geometry = orb.Point{float64(e.rnd.IntN(41)-20) / 4, float64(e.rnd.IntN(41)-20) / 4}
			}
		}
		f.ID, f.Layer = id, e.layer
		return f
	}
	pick := func(ids *[]string) (string, bool) {
		if len(*ids) == 0 {
			return "", false
		}
		i := e.rnd.IntN(len(*ids))
		id := (*ids)[i]
		if touched[id] {
			return "", false
		}
		(*ids)[i] = (*ids)[len(*ids)-1]
		*ids = (*ids)[:len(*ids)-1]
		touched[id] = true
		return id, true
	}
	var created, removed []string
	for range 1 + e.rnd.IntN(4) {
		switch e.rnd.IntN(4) {
		case 0:
			id := fmt.Sprintf("n%d", e.next)
			e.next++
			edits = append(edits, geo.Edit{Op: geo.OpCreate, Layer: e.layer, ID: id, Feature: feature(id)})
			created = append(created, id)
		case 1:
			if id, ok := pick(&e.current); ok {
				edits = append(edits, geo.Edit{Op: geo.OpReplace, Layer: e.layer, ID: id, Feature: feature(id)})
				created = append(created, id)
			}
		case 2:
			if id, ok := pick(&e.current); ok {
				edits = append(edits, geo.Edit{Op: geo.OpDelete, Layer: e.layer, ID: id})
				removed = append(removed, id)
			}
		case 3:
			if id, ok := pick(&e.deleted); ok {
				edits = append(edits, geo.Edit{Op: geo.OpCreate, Layer: e.layer, ID: id, Feature: feature(id)})
				created = append(created, id)
			}
		}
	}
	if len(edits) == 0 {
		id := fmt.Sprintf("n%d", e.next)
		e.next++
		edits = append(edits, geo.Edit{Op: geo.OpCreate, Layer: e.layer, ID: id, Feature: feature(id)})
		created = append(created, id)
	}
	cs, err := db.Commit(context.Background(), geo.Commit{Note: geo.ChangeNote{Author: "test"}, Edits: edits})
	if err != nil {
		t.Fatal(err)
	}
	e.current = append(e.current, created...)
	e.deleted = append(e.deleted, removed...)
	return cs
}

// atVersion returns db's snapshot of version v, with today's layers.
func atVersion(t *testing.T, db *DB, v int64) *snapshot {
	t.Helper()
	sn, err := db.readSnapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sn.version = v
	return sn
}

// answers is everything a snapshot says of one filter.
type answers struct {
	IDs    []string
	Count  int
	Days   geo.DayCounts
	Points []string // id@lon,lat in Rank order; nil when Points declined
}

func answersOf(t *testing.T, sn geo.Snapshot, f geo.Filter) answers {
	t.Helper()
	ctx := context.Background()
	var a answers
	a.IDs = []string{}
	n, err := sn.Search(ctx, f, func(ft *geo.Feature) error {
		a.IDs = append(a.IDs, ft.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	a.Count = n
	if a.Days, err = sn.Days(ctx, f); err != nil {
		t.Fatal(err)
	}
	type hit struct {
		rank uint32
		s    string
	}
	var hits []hit
	var refs []geo.PointHit
	attrs, others, err := sn.Points(ctx, f, func(h geo.PointHit) error {
		refs = append(refs, h)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if others == 0 {
		for _, h := range refs {
			var ft geo.Feature
			attrs(h.Ref, &ft)
			hits = append(hits, hit{h.Rank, fmt.Sprintf("%s@%g,%g/%d-%d", ft.ID, h.Lon, h.Lat, ft.Valid.Start, ft.Valid.End)})
		}
		slices.SortFunc(hits, func(a, b hit) int { return int(a.rank) - int(b.rank) })
		a.Points = []string{}
		for _, h := range hits {
			a.Points = append(a.Points, h.s)
		}
	}
	return a
}

// checkedAnswers is answersOf, with the points Search finds where Points
// declined, which it may where a match is not a Point (Search draws them
// then), never in a layer of points.
func checkedAnswers(t *testing.T, sn geo.Snapshot, f geo.Filter, points bool) answers {
	t.Helper()
	a := answersOf(t, sn, f)
	if a.Points == nil {
		if points {
			t.Fatalf("Points declined in a layer of points: %+v", f)
		}
		a.Points = pointsOfSearch(t, sn, f)
	}
	return a
}

// diff names the fields in which a and b differ, "" when none.
func diff(a, b answers) string {
	var out string
	if !slices.Equal(a.IDs, b.IDs) {
		out += fmt.Sprintf("\nIDs %v\nvs  %v", a.IDs, b.IDs)
	}
	if a.Count != b.Count {
		out += fmt.Sprintf("\ncount %d vs %d", a.Count, b.Count)
	}
	if !reflect.DeepEqual(a.Days, b.Days) {
		out += fmt.Sprintf("\ndays %+v\nvs   %+v", a.Days, b.Days)
	}
	if !slices.Equal(a.Points, b.Points) {
		out += fmt.Sprintf("\npoints %v\nvs     %v", a.Points, b.Points)
	}
	return out
}

// pointsOfSearch is what Points should give for f, from Search.
func pointsOfSearch(t *testing.T, sn geo.Snapshot, f geo.Filter) []string {
	t.Helper()
	f.Limit, f.Offset = 0, 0
	out := []string{}
	if _, err := sn.Search(context.Background(), f, func(ft *geo.Feature) error {
		if p, ok := ft.Geometry.(orb.Point); ok {
			out = append(out, fmt.Sprintf("%s@%g,%g/%d-%d", ft.ID, p[0], p[1], ft.Valid.Start, ft.Valid.End))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOverlayMatchesScan checks the index with its overlay against the
// scan of the same version after random commits, through this handle and
// another: same matches, counts, pages, days and points; snapshots held
// from earlier rounds keep their answers; commits are served by overlays
// (no rebuild per write) and large overlays are rebuilt.
func TestOverlayMatchesScan(t *testing.T) {
	for _, points := range []bool{false, true} {
		t.Run(fmt.Sprintf("points %v", points), func(t *testing.T) { testOverlayMatchesScan(t, points) })
	}
}

func testOverlayMatchesScan(t *testing.T, points bool) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")
	withIndex, withSQL := openMode(t, path, syncIndex), openMode(t, path, noIndex)
	withIndex.overlayMax = 60
	withIndex.recentMax = 7 // merge the recent rows into the sorted ones often
	rnd := rand.New(rand.NewPCG(21, 22))
	fs := randomFeatures(rnd, 1500, "a")
	ed := &editor{rnd: rnd, layer: "r", points: points}
	kind := geo.KindMixed
	for _, f := range fs {
		if _, ok := f.Geometry.(orb.Point); !ok && points {
			f.Geometry = orb.Point{1, 1}
		}
		ed.current = append(ed.current, f.ID)
	}
	if _, err := withIndex.Import(ctx, geo.ChangeNote{Author: "test"}, geo.Layer{ID: "r", Title: "R", Kind: kind}, geo.Append, seqOf(fs)); err != nil {
		t.Fatal(err)
	}
	type held struct {
		v    int64
		sn   geo.Snapshot
		f    geo.Filter
		want answers
	}
	var helds []held
	overlaid, rebuilt := false, false
	firstBase := int64(-1)
	for round := range 40 {
		writer := withIndex
		if round%3 == 2 {
			writer = withSQL // another handle, as another process
		}
		for range 1 + rnd.IntN(6) {
			ed.commit(t, writer)
		}
		sn, err := withIndex.snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ref := atVersion(t, withSQL, sn.version)
		for i := range 25 {
			f := randomFilter(rnd, "r")
			got, want := checkedAnswers(t, sn, f, points), checkedAnswers(t, ref, f, points)
			if d := diff(got, want); d != "" {
				t.Fatalf("round %d query %d %+v (bbox %+v): index and scan differ: %s", round, i, f, f.BBox, d)
			}
			if i == 0 {
				helds = append(helds, held{sn.version, sn, f, want})
			}
		}
		li := indexOf(t, withIndex, "r")
		if li == nil {
			t.Fatalf("round %d: no index", round)
		}
		if firstBase < 0 {
			firstBase = li.base
		}
		overlaid = overlaid || li.base < sn.version
		rebuilt = rebuilt || li.base > firstBase
	}
	if !overlaid {
		t.Error("no snapshot was served by an overlay")
	}
	if !rebuilt {
		t.Error("the index was never rebuilt, though its overlay grew past the limit")
	}
	for _, h := range helds {
		if d := diff(checkedAnswers(t, h.sn, h.f, points), h.want); d != "" {
			t.Errorf("snapshot of version %d changed its answer to %+v: %s", h.v, h.f, d)
		}
		// A new snapshot of that version, with the index at its newest.
		if d := diff(checkedAnswers(t, atVersion(t, withIndex, h.v), h.f, points), h.want); d != "" {
			t.Errorf("a new snapshot of version %d answers %+v otherwise: %s", h.v, h.f, d)
		}
	}
}

// TestPagingWhileWriting pages through snapshots, 37 features at a time,
// while another goroutine commits: the pages of one snapshot join into
// exactly what the scan of its version finds.
func TestPagingWhileWriting(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")
	db, ref := openMode(t, path, backgroundIndex), openMode(t, path, noIndex)
	db.overlayMax = 100
	db.recentMax = 5
	rnd := rand.New(rand.NewPCG(31, 32))
	fs := randomFeatures(rnd, 2000, "a")
	ed := &editor{rnd: rand.New(rand.NewPCG(33, 34)), layer: "r"}
	for _, f := range fs {
		ed.current = append(ed.current, f.ID)
	}
	if _, err := db.Import(ctx, geo.ChangeNote{Author: "test"}, geo.Layer{ID: "r", Title: "R", Kind: geo.KindMixed}, geo.Append, seqOf(fs)); err != nil {
		t.Fatal(err)
	}
	if err := db.WaitIndex(ctx, "r"); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
				ed.commit(t, db)
			}
		}
	}()
	defer func() { close(done); wg.Wait() }()
	for i := range 30 {
		f := randomFilter(rnd, "r")
		f.Limit, f.Offset = 0, 0
		sn, err := db.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var paged []string
		for off := 0; ; off += 37 {
			pf := f
			pf.Offset, pf.Limit = off, 37
			ids, n := []string{}, 0
			if n, err = sn.Search(ctx, pf, func(ft *geo.Feature) error { ids = append(ids, ft.ID); return nil }); err != nil {
				t.Fatal(err)
			}
			paged = append(paged, ids...)
			if off+37 >= n {
				break
			}
		}
		want := answersOf(t, atVersion(t, ref, sn.Version()), f).IDs
		if !slices.Equal(paged, want) {
			t.Fatalf("query %d %+v at version %d: pages give %d features, the scan %d\npages %v\nscan  %v", i, f, sn.Version(), len(paged), len(want), paged, want)
		}
	}
}
