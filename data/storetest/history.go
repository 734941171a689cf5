package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"strata/geo"
)

// RunHistory runs the history part of the contract suite (geo/history.go,
// the history methods of geo.Store and geo.Snapshot, geo.RevertCommit):
// changesets, feature versions, SnapshotAt, Commit and tokens. Run calls
// it, so every store runs it.
//
// Where the contract leaves a choice open, the suite makes it, and the
// test that checks it says so in its comment:
//
//   - A Commit's OpReplace keeps the feature's place in the layer's stable
//     order; an OpCreate (a new id, or a deleted id created again) goes
//     last. A Replace import orders the layer as the import does. (HISTORY.md
//     asks the same of every store, SQLite included.)
//   - A ChangeEntry of OpDelete has Version = Previous = the number it
//     closed.
//   - An OpReplace or OpDelete with an IfVersion, of a feature that is not
//     current, is a *StaleError with Current 0 (as StaleError documents),
//     not ErrNotFound; without an IfVersion it is ErrNotFound.
func RunHistory(t *testing.T, open Opener) {
	tests := []contractTest{
		{"ImportChangeset", testImportChangeset},
		{"RecordedAtIncreases", testRecordedAtIncreases},
		{"ImportReplaceChangeset", testImportReplaceChangeset},
		{"CommitOps", testCommitOps},
		{"CommitAllOrNothing", testCommitAllOrNothing},
		{"StaleError", testStaleError},
		{"Recreate", testRecreate},
		{"FeatureVersion", testFeatureVersion},
		{"History", testHistory},
		{"SnapshotAt", testSnapshotAt},
		{"SnapshotAtBeforeFirst", testSnapshotAtBeforeFirst},
		{"ChangesFilter", testChangesFilter},
		{"ChangesetEntries", testChangesetEntries},
		{"Revert", testRevert},
		{"Tokens", testTokens},
		{"ConcurrentCommits", testConcurrentCommits},
		{"PagingDuringCommits", testPagingDuringCommits},
		{"EditOrder", testEditOrder},
	}
	runEach(t, open, tests)
}

// contractTest is one test of the suite, given a new, empty store.
type contractTest struct {
	name string
	fn   func(t *testing.T, s geo.Store)
}

// runEach runs each test on a store of its own.
func runEach(t *testing.T, open Opener, tests []contractTest) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			tt.fn(t, s)
		})
	}
}

var bg = context.Background()

func note(author, comment string) geo.ChangeNote {
	return geo.ChangeNote{Author: author, Comment: comment}
}

// feat returns a point feature of layer l whose "rev" property is rev.
func feat(l, id string, lon, lat float64, rev string) *geo.Feature {
	f := point(id, lon, lat, "", "")
	f.Layer = l
	f.Properties = json.RawMessage(fmt.Sprintf(`{"name":"Name %s","rev":%q}`, id, rev))
	return f
}

func create(f *geo.Feature) geo.Edit {
	return geo.Edit{Op: geo.OpCreate, Layer: f.Layer, ID: f.ID, Feature: f}
}

func replace(f *geo.Feature, ifVersion int) geo.Edit {
	return geo.Edit{Op: geo.OpReplace, Layer: f.Layer, ID: f.ID, Feature: f, IfVersion: ifVersion}
}

func del(l, id string, ifVersion int) geo.Edit {
	return geo.Edit{Op: geo.OpDelete, Layer: l, ID: id, IfVersion: ifVersion}
}

// mustCommit commits edits and checks that the changeset's id is the new
// data version.
func mustCommit(t *testing.T, s geo.Store, n geo.ChangeNote, edits ...geo.Edit) geo.Changeset {
	t.Helper()
	cs, err := s.Commit(bg, geo.Commit{Note: n, Edits: edits})
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if v := snap(t, s).Version(); cs.ID != v {
		t.Fatalf("Commit returned changeset %d, but the data version is %d", cs.ID, v)
	}
	return cs
}

// mustImportNote imports fs into layer l with note n and returns the
// changeset, the newest of the store.
func mustImportNote(t *testing.T, s geo.Store, n geo.ChangeNote, l string, mode geo.ImportMode, fs ...*geo.Feature) geo.Changeset {
	t.Helper()
	got, err := s.Import(bg, n, layer(l), mode, features(fs...))
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if got != len(fs) {
		t.Fatalf("Import stored %d features, want %d", got, len(fs))
	}
	cs := lastChangeset(t, s)
	if v := snap(t, s).Version(); cs.ID != v {
		t.Fatalf("newest changeset after an import is %d, data version %d", cs.ID, v)
	}
	return cs
}

// lastChangeset returns the newest changeset of the current snapshot.
func lastChangeset(t *testing.T, s geo.Store) geo.Changeset {
	t.Helper()
	cs, err := snap(t, s).Changes(bg, geo.ChangeFilter{Limit: 1})
	if err != nil || len(cs) != 1 {
		t.Fatalf("Changes(Limit 1) = %v, %v; want one changeset", cs, err)
	}
	return cs[0]
}

// fmtCS and fmtVersion spell changesets and versions out, times included,
// so that comparing them compares instants and not time.Time's internals.
func fmtCS(c geo.Changeset) string {
	bbox := "empty"
	if !c.Empty {
		bbox = fmt.Sprint(c.BBox)
	}
	return fmt.Sprintf("#%d by %q (%q) at %s layers %v created %d changed %d deleted %d bbox %s",
		c.ID, c.Author, c.Comment, fmtTime(c.RecordedAt), c.Layers, c.Created, c.Changed, c.Deleted, bbox)
}

func fmtCSs(cs []geo.Changeset) []string { return fmtAll(cs, fmtCS) }

// fmtAll formats each of xs with f.
func fmtAll[T any](xs []T, f func(T) string) []string {
	out := []string{}
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

func fmtVersion(v geo.Version) string {
	return fmt.Sprintf("%s/%s v%d by %q (%q) changeset %d from %s to %s closed by %d",
		v.Layer, v.ID, v.Number, v.Author, v.Comment, v.Changeset, fmtTime(v.RecordedFrom), fmtTime(v.RecordedTo), v.ClosedBy)
}

func fmtVersions(vs []geo.Version) []string { return fmtAll(vs, fmtVersion) }

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "zero"
	}
	return t.Format(time.RFC3339Nano) + "@" + t.Location().String()
}

// rev returns the "rev" property of f.
func rev(t *testing.T, f *geo.Feature) string {
	t.Helper()
	var p struct{ Rev string }
	if err := json.Unmarshal(f.Properties, &p); err != nil {
		t.Fatalf("feature %s: properties %s: %v", f.ID, f.Properties, err)
	}
	return p.Rev
}

// changesetOf returns what Changeset(id) answers in the current snapshot.
func changesetOf(t *testing.T, s geo.Store, id int64) (geo.Changeset, []geo.ChangeEntry) {
	t.Helper()
	cs, es, err := snap(t, s).Changeset(bg, id)
	if err != nil {
		t.Fatalf("Changeset(%d): %v", id, err)
	}
	return cs, es
}

// testImportChangeset: an import is one changeset carrying the caller's
// note, the data version it produced as id, counts, bbox and layers, and
// a record time in UTC to the microsecond, taken during the import.
func testImportChangeset(t *testing.T, s geo.Store) {
	before := time.Now()
	n, err := s.Import(bg, note("alice", "first import"), layer("h"), geo.Append, features(point("b", 35, 32, "", ""), point("a", 34, 31, "", "")))
	after := time.Now()
	if err != nil || n != 2 {
		t.Fatalf("Import = %d, %v", n, err)
	}
	sn := snap(t, s)
	cs := lastChangeset(t, s)
	want := geo.Changeset{ID: sn.Version(), Author: "alice", Comment: "first import", RecordedAt: cs.RecordedAt,
		Layers: []string{"h"}, Created: 2, BBox: orb.Bound{Min: orb.Point{34, 31}, Max: orb.Point{35, 32}}}
	if fmtCS(cs) != fmtCS(want) {
		t.Errorf("import changeset =\n%s\nwant\n%s", fmtCS(cs), fmtCS(want))
	}
	if cs.RecordedAt.Location() != time.UTC {
		t.Errorf("RecordedAt %v is not in UTC", cs.RecordedAt)
	}
	if cs.RecordedAt.Nanosecond()%1000 != 0 {
		t.Errorf("RecordedAt %v is not to the microsecond", cs.RecordedAt)
	}
	if cs.RecordedAt.Before(before.Truncate(time.Microsecond)) || cs.RecordedAt.After(after) {
		t.Errorf("RecordedAt %v is not between %v and %v, when the import ran", cs.RecordedAt, before, after)
	}
	got, entries, err := sn.Changeset(bg, cs.ID)
	if err != nil || fmtCS(got) != fmtCS(cs) {
		t.Errorf("Changeset(%d) = %s, %v; want %s", cs.ID, fmtCS(got), err, fmtCS(cs))
	}
	wantEntries := []geo.ChangeEntry{{Op: geo.OpCreate, Layer: "h", ID: "a", Version: 1}, {Op: geo.OpCreate, Layer: "h", ID: "b", Version: 1}}
	if !reflect.DeepEqual(entries, wantEntries) {
		t.Errorf("import entries = %+v, want %+v", entries, wantEntries)
	}
	for _, id := range []string{"a", "b"} {
		f, err := sn.Feature(bg, "h", id)
		if err != nil || f.Version != 1 {
			t.Fatalf("Feature(%s) = %+v, %v; want version 1", id, f, err)
		}
		h, err := sn.History(bg, "h", id)
		wantH := []geo.Version{{Layer: "h", ID: id, Number: 1, Changeset: cs.ID, RecordedFrom: cs.RecordedAt, Author: "alice", Comment: "first import"}}
		if err != nil || !slices.Equal(fmtVersions(h), fmtVersions(wantH)) {
			t.Errorf("History(%s) = %v, %v; want %v", id, fmtVersions(h), err, fmtVersions(wantH))
		}
	}
	// An import into a new layer with a bad note stores nothing.
	if _, err := s.Import(bg, note("", ""), layer("h2"), geo.Append, features(point("a", 34, 31, "", ""))); err == nil {
		t.Errorf("Import with an empty author succeeded")
	}
	if v := snap(t, s).Version(); v != sn.Version() {
		t.Errorf("a refused import changed the version %d -> %d", sn.Version(), v)
	}
}

// testRecordedAtIncreases: changeset ids and record times strictly
// increase, even for changesets written within one microsecond, imports
// and commits alike.
func testRecordedAtIncreases(t *testing.T, s geo.Store) {
	prev := mustImportNote(t, s, note("test", ""), "r", geo.Append, point("seed", 34, 31, "", ""))
	for i := range 40 {
		var cs geo.Changeset
		if i%4 == 3 {
			cs = mustImportNote(t, s, note("test", ""), "r", geo.Append, point(fmt.Sprint("imp", i), 34, 31, "", ""))
		} else {
			cs = mustCommit(t, s, note("test", ""), create(feat("r", fmt.Sprint("c", i), 34, 31, "")))
		}
		if cs.ID <= prev.ID || !cs.RecordedAt.After(prev.RecordedAt) {
			t.Fatalf("changeset %s came after %s", fmtCS(cs), fmtCS(prev))
		}
		if cs.RecordedAt.Nanosecond()%1000 != 0 || cs.RecordedAt.Location() != time.UTC {
			t.Fatalf("RecordedAt %v is not UTC to the microsecond", cs.RecordedAt)
		}
		prev = cs
	}
	all, err := snap(t, s).Changes(bg, geo.ChangeFilter{})
	if err != nil || len(all) != 41 {
		t.Fatalf("Changes = %d changesets, %v; want 41", len(all), err)
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID >= all[i-1].ID || !all[i].RecordedAt.Before(all[i-1].RecordedAt) {
			t.Fatalf("Changes not newest first with strictly increasing times: %s before %s", fmtCS(all[i-1]), fmtCS(all[i]))
		}
	}
}

// testImportReplaceChangeset: a Replace import closes every current
// version of the layer: an id it writes again is changed (next number),
// the others deleted; an Append import conflicts on a current id only and
// gives a deleted id its next number. The bbox covers old and new
// geometries. A Replace import orders the layer as the import does (the
// suite's reading of "the order they were imported in").
func testImportReplaceChangeset(t *testing.T, s geo.Store) {
	mustImportNote(t, s, note("test", ""), "ir", geo.Append, point("a", 30, 30, "", ""), point("b", 34, 31, "", ""), point("c", 34, 31, "", ""))
	cs := mustImportNote(t, s, note("bob", "replace"), "ir", geo.Replace, point("d", 34, 31, "", ""), point("b", 36, 33, "", ""))
	want := geo.Changeset{ID: cs.ID, Author: "bob", Comment: "replace", RecordedAt: cs.RecordedAt, Layers: []string{"ir"},
		Created: 1, Changed: 1, Deleted: 2, BBox: orb.Bound{Min: orb.Point{30, 30}, Max: orb.Point{36, 33}}}
	if fmtCS(cs) != fmtCS(want) {
		t.Errorf("replace import changeset =\n%s\nwant\n%s", fmtCS(cs), fmtCS(want))
	}
	_, entries := changesetOf(t, s, cs.ID)
	wantEntries := []geo.ChangeEntry{
		{Op: geo.OpDelete, Layer: "ir", ID: "a", Version: 1, Previous: 1},
		{Op: geo.OpReplace, Layer: "ir", ID: "b", Version: 2, Previous: 1},
		{Op: geo.OpDelete, Layer: "ir", ID: "c", Version: 1, Previous: 1},
		{Op: geo.OpCreate, Layer: "ir", ID: "d", Version: 1},
	}
	if !reflect.DeepEqual(entries, wantEntries) {
		t.Errorf("replace import entries =\n%+v\nwant\n%+v", entries, wantEntries)
	}
	if got := ids(t, s, geo.Filter{Layer: "ir", Time: geo.Always}); !slices.Equal(got, []string{"d", "b"}) {
		t.Errorf("after a replace import, order = %v, want the import's [d b]", got)
	}
	if f, err := snap(t, s).Feature(bg, "ir", "b"); err != nil || f.Version != 2 || f.Geometry != (orb.Point{36, 33}) {
		t.Errorf("b after replace import = %+v, %v; want version 2 at 36,33", f, err)
	}
	if h, err := snap(t, s).History(bg, "ir", "a"); err != nil || len(h) != 1 || h[0].ClosedBy != cs.ID {
		t.Errorf("History(a) after replace import = %v, %v; want version 1 closed by %d", fmtVersions(h), err, cs.ID)
	}

	// Append: a deleted id comes back with its next number; a current id,
	// or an id twice in one import, is a conflict.
	cs = mustImportNote(t, s, note("test", ""), "ir", geo.Append, point("a", 34, 31, "", ""))
	if cs.Created != 1 || cs.Changed != 0 || cs.Deleted != 0 {
		t.Errorf("re-import of a deleted id: %s, want created 1", fmtCS(cs))
	}
	if _, entries := changesetOf(t, s, cs.ID); !reflect.DeepEqual(entries, []geo.ChangeEntry{{Op: geo.OpCreate, Layer: "ir", ID: "a", Version: 2, Previous: 1}}) {
		t.Errorf("re-import entries = %+v, want a created as version 2 after 1", entries)
	}
	if f, err := snap(t, s).Feature(bg, "ir", "a"); err != nil || f.Version != 2 {
		t.Errorf("re-imported a = %+v, %v; want version 2", f, err)
	}
	v := snap(t, s).Version()
	for _, c := range []struct {
		name string
		mode geo.ImportMode
		fs   []*geo.Feature
	}{
		{"append of a current id", geo.Append, []*geo.Feature{point("e", 34, 31, "", ""), point("b", 34, 31, "", "")}},
		{"append with an id twice", geo.Append, []*geo.Feature{point("e", 34, 31, "", ""), point("e", 34, 31, "", "")}},
		{"replace with an id twice", geo.Replace, []*geo.Feature{point("e", 34, 31, "", ""), point("e", 34, 31, "", "")}},
	} {
		if _, err := s.Import(bg, note("test", ""), layer("ir"), c.mode, features(c.fs...)); !errors.Is(err, geo.ErrConflict) {
			t.Errorf("%s: error %v, want ErrConflict", c.name, err)
		}
		if nv := snap(t, s).Version(); nv != v {
			t.Errorf("%s: the refused import changed the version %d -> %d", c.name, v, nv)
		}
	}
}

// testCommitOps: Commit creates, replaces and deletes; each changeset has
// the note, the counts, the layers it touched (sorted) and the bounds of
// the old and new geometries; Feature gives the number written.
func testCommitOps(t *testing.T, s geo.Store) {
	mustImport(t, s, "e", point("seed", 10, 10, "", ""))
	for _, l := range []string{"zz", "aa"} {
		if err := s.PutLayer(bg, layer(l)); err != nil {
			t.Fatal(err)
		}
	}
	x := feat("e", "x", 34, 31, "one")
	steps := []struct {
		name     string
		edits    []geo.Edit
		want     geo.Changeset // ID, RecordedAt and Author ignored
		version  int           // of x afterwards, 0 for none
		position orb.Point
	}{
		{"create", []geo.Edit{create(x)}, geo.Changeset{Comment: "create", Layers: []string{"e"}, Created: 1, BBox: orb.Bound{Min: orb.Point{34, 31}, Max: orb.Point{34, 31}}}, 1, orb.Point{34, 31}},
		{"replace", []geo.Edit{replace(feat("e", "x", 35, 32, "two"), 1)}, geo.Changeset{Comment: "replace", Layers: []string{"e"}, Changed: 1, BBox: orb.Bound{Min: orb.Point{34, 31}, Max: orb.Point{35, 32}}}, 2, orb.Point{35, 32}},
		{"unconditional replace", []geo.Edit{replace(feat("e", "x", 35.5, 32, "three"), 0)}, geo.Changeset{Comment: "unconditional replace", Layers: []string{"e"}, Changed: 1, BBox: orb.Bound{Min: orb.Point{35, 32}, Max: orb.Point{35.5, 32}}}, 3, orb.Point{35.5, 32}},
		{"delete", []geo.Edit{del("e", "x", 3)}, geo.Changeset{Comment: "delete", Layers: []string{"e"}, Deleted: 1, BBox: orb.Bound{Min: orb.Point{35.5, 32}, Max: orb.Point{35.5, 32}}}, 0, orb.Point{}},
		{"two layers, listed sorted", []geo.Edit{create(feat("zz", "z", 1, 2, "")), create(feat("aa", "y", 3, 4, ""))}, geo.Changeset{Comment: "two layers, listed sorted", Layers: []string{"aa", "zz"}, Created: 2, BBox: orb.Bound{Min: orb.Point{1, 2}, Max: orb.Point{3, 4}}}, 0, orb.Point{}},
	}
	prev := lastChangeset(t, s)
	for _, st := range steps {
		cs := mustCommit(t, s, note("bob", st.name), st.edits...)
		want := st.want
		want.ID, want.RecordedAt, want.Author = cs.ID, cs.RecordedAt, "bob"
		if fmtCS(cs) != fmtCS(want) {
			t.Errorf("%s: changeset\n%s\nwant\n%s", st.name, fmtCS(cs), fmtCS(want))
		}
		if cs.ID <= prev.ID || !cs.RecordedAt.After(prev.RecordedAt) {
			t.Errorf("%s: changeset %s does not come after %s", st.name, fmtCS(cs), fmtCS(prev))
		}
		if got := lastChangeset(t, s); fmtCS(got) != fmtCS(cs) {
			t.Errorf("%s: Changes lists %s first, Commit returned %s", st.name, fmtCS(got), fmtCS(cs))
		}
		prev = cs
		// Commit tells the numbers it wrote (closed, for a delete), in
		// the order of the edits; Changes never does.
		wantWritten := map[string][]int{"create": {1}, "replace": {2}, "unconditional replace": {3}, "delete": {3}, "two layers, listed sorted": {1, 1}}[st.name]
		if !slices.Equal(cs.Written, wantWritten) {
			t.Errorf("%s: Commit's Written = %v, want %v", st.name, cs.Written, wantWritten)
		}
		if got := lastChangeset(t, s); got.Written != nil {
			t.Errorf("%s: Changes lists Written %v", st.name, got.Written)
		}
		if st.name == "two layers, listed sorted" {
			continue
		}
		f, err := snap(t, s).Feature(bg, "e", "x")
		if st.version == 0 {
			if !errors.Is(err, geo.ErrNotFound) {
				t.Errorf("%s: Feature(x) = %+v, %v; want ErrNotFound", st.name, f, err)
			}
			if got := ids(t, s, geo.Filter{Layer: "e", Time: geo.Always}); !slices.Equal(got, []string{"seed"}) {
				t.Errorf("%s: Search finds %v, want [seed]", st.name, got)
			}
			continue
		}
		if err != nil || f.Version != st.version || f.Geometry != st.position || f.Layer != "e" {
			t.Errorf("%s: Feature(x) = %+v, %v; want version %d at %v", st.name, f, err, st.version, st.position)
		}
	}
	// The store keeps its own copy of what was committed.
	y := feat("e", "y", 20, 20, "kept")
	y.Sources = []geo.Source{{Title: "Own source"}}
	mustCommit(t, s, note("bob", ""), create(y))
	y.Geometry = orb.Point{0, 0}
	y.Properties[2] = 'X'
	y.Sources[0].Title = "changed by the writer"
	got, err := snap(t, s).Feature(bg, "e", "y")
	if err != nil || got.Geometry != (orb.Point{20, 20}) || rev(t, got) != "kept" || got.Sources[0].Title != "Own source" {
		t.Errorf("after the writer changed its feature, stored y = %+v, %v", got, err)
	}
}

// testCommitAllOrNothing: a commit with one bad edit among good ones
// stores nothing: the version, the features and the changesets stay as
// they were, and the error is of the documented kind, naming the feature.
func testCommitAllOrNothing(t *testing.T, s geo.Store) {
	mustImport(t, s, "n", point("keep", 34, 31, "", ""), point("keep2", 34, 31, "", ""), point("gone", 34, 31, "", ""))
	mustCommit(t, s, note("test", ""), del("n", "gone", 0))
	if err := s.PutLayer(bg, layer("other")); err != nil {
		t.Fatal(err)
	}
	good := func() []geo.Edit {
		return []geo.Edit{create(feat("n", "new1", 34, 31, "")), replace(feat("n", "keep", 35, 31, "two"), 1)}
	}
	badGeom := feat("n", "bad1", 34, 31, "")
	badGeom.Geometry = orb.LineString{{34, 31}}
	noSources := feat("n", "bad2", 34, 31, "")
	noSources.Sources = nil
	otherLayer := feat("other", "keep2", 34, 31, "")
	tooMany := make([]geo.Edit, geo.MaxEdits+1)
	for i := range tooMany {
		tooMany[i] = create(feat("n", fmt.Sprint("m", i), 34, 31, ""))
	}
	cases := []struct {
		name  string
		note  geo.ChangeNote
		edits []geo.Edit
		kind  error
		names string // in the error message, when not empty
	}{
		{"invalid geometry", note("t", ""), append(good(), create(badGeom)), geo.ErrInvalid, "bad1"},
		{"no sources", note("t", ""), append(good(), create(noSources)), geo.ErrInvalid, "bad2"},
		{"two edits of one feature", note("t", ""), append(good(), del("n", "keep", 1)), geo.ErrInvalid, "keep"},
		{"feature id differs from the edit's", note("t", ""), append(good(), geo.Edit{Op: geo.OpCreate, Layer: "n", ID: "e1", Feature: feat("n", "e2", 34, 31, "")}), geo.ErrInvalid, "e1"},
		{"feature layer differs from the edit's", note("t", ""), append(good(), geo.Edit{Op: geo.OpReplace, Layer: "n", ID: "keep2", Feature: otherLayer}), geo.ErrInvalid, "keep2"},
		{"no feature to create", note("t", ""), append(good(), geo.Edit{Op: geo.OpCreate, Layer: "n", ID: "nil1"}), geo.ErrInvalid, "nil1"},
		{"unknown operation", note("t", ""), append(good(), geo.Edit{Op: geo.EditOp(9), Layer: "n", ID: "keep2"}), geo.ErrInvalid, "keep2"},
		{"create of a current id", note("t", ""), append(good(), create(feat("n", "keep2", 34, 31, ""))), geo.ErrConflict, "keep2"},
		{"replace of a missing id", note("t", ""), append(good(), replace(feat("n", "nope", 34, 31, ""), 0)), geo.ErrNotFound, "nope"},
		{"replace of a deleted id", note("t", ""), append(good(), replace(feat("n", "gone", 34, 31, ""), 0)), geo.ErrNotFound, "gone"},
		{"delete of a missing id", note("t", ""), append(good(), del("n", "nope", 0)), geo.ErrNotFound, "nope"},
		{"unknown layer", note("t", ""), append(good(), create(feat("nolayer", "x", 34, 31, ""))), geo.ErrNotFound, "nolayer"},
		{"stale IfVersion", note("t", ""), append(good(), del("n", "keep2", 7)), geo.ErrPrecondition, "keep2"},
		{"no edits", note("t", ""), nil, geo.ErrInvalid, ""},
		{"too many edits", note("t", ""), tooMany, geo.ErrInvalid, ""},
		{"no author", note("", ""), good(), geo.ErrInvalid, ""},
		{"comment too long", note("t", strings.Repeat("x", geo.MaxCommentLen+1)), good(), geo.ErrInvalid, ""},
		{"comment not UTF-8", note("t", "\xff"), good(), geo.ErrInvalid, ""},
	}
	sn := snap(t, s)
	before := dumpSnapshot(t, sn, map[string][]string{"n": {"keep", "keep2", "gone", "new1", "bad1", "e1", "e2"}, "other": {"keep2"}})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cs, err := s.Commit(bg, geo.Commit{Note: c.note, Edits: c.edits})
			if !errors.Is(err, c.kind) {
				t.Fatalf("Commit = %s, %v; want %v", fmtCS(cs), err, c.kind)
			}
			if c.names != "" && !strings.Contains(err.Error(), c.names) {
				t.Errorf("error %q does not name %q", err, c.names)
			}
			after := snap(t, s)
			if after.Version() != sn.Version() {
				t.Errorf("refused commit changed the version %d -> %d", sn.Version(), after.Version())
			}
			if got := dumpSnapshot(t, after, map[string][]string{"n": {"keep", "keep2", "gone", "new1", "bad1", "e1", "e2"}, "other": {"keep2"}}); got != before {
				t.Errorf("refused commit changed the data:\n%s\nwas\n%s", got, before)
			}
		})
	}
	// The good edits alone go through.
	if cs := mustCommit(t, s, note("t", ""), good()...); cs.Created != 1 || cs.Changed != 1 {
		t.Errorf("good edits: %s", fmtCS(cs))
	}
}

// testStaleError: an IfVersion that is not the current version gives a
// *StaleError wrapping ErrPrecondition, with the current and wanted
// numbers. For OpCreate the IfVersion is the last (closed) version. Of a
// feature that is not current, a conditional Replace or Delete is stale
// with Current 0 (the suite's reading: StaleError documents Current 0
// for "deleted, or never created").
func testStaleError(t *testing.T, s geo.Store) {
	mustImport(t, s, "st", point("f", 34, 31, "", ""))
	mustCommit(t, s, note("t", ""), replace(feat("st", "f", 35, 31, "2"), 1))
	cases := []struct {
		name          string
		edit          geo.Edit
		current, want int // of the StaleError; want 0 for success
	}{
		{"replace with an old version", replace(feat("st", "f", 36, 31, "x"), 1), 2, 1},
		{"replace with a future version", replace(feat("st", "f", 36, 31, "x"), 3), 2, 3},
		{"delete with an old version", del("st", "f", 1), 2, 1},
		{"delete with the current version", del("st", "f", 2), 0, 0},
		{"replace of the deleted feature", replace(feat("st", "f", 36, 31, "x"), 2), 0, 2},
		{"delete of the deleted feature", del("st", "f", 2), 0, 2},
		{"replace of a feature never created", replace(feat("st", "never", 36, 31, "x"), 1), 0, 1},
		{"create over an older closed version", geo.Edit{Op: geo.OpCreate, Layer: "st", ID: "f", Feature: feat("st", "f", 37, 31, "3"), IfVersion: 1}, 0, 1},
		{"create over the last closed version", geo.Edit{Op: geo.OpCreate, Layer: "st", ID: "f", Feature: feat("st", "f", 37, 31, "3"), IfVersion: 2}, 0, 0},
		{"create over a version since re-created", geo.Edit{Op: geo.OpCreate, Layer: "st", ID: "f", Feature: feat("st", "f", 37, 31, "4"), IfVersion: 2}, 3, 2},
	}
	for _, c := range cases {
		v := snap(t, s).Version()
		_, err := s.Commit(bg, geo.Commit{Note: note("t", ""), Edits: []geo.Edit{c.edit}})
		if c.want == 0 {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		var se *geo.StaleError
		if !errors.As(err, &se) || !errors.Is(err, geo.ErrPrecondition) {
			t.Errorf("%s: error %v, want a *StaleError wrapping ErrPrecondition", c.name, err)
			continue
		}
		if *se != (geo.StaleError{Layer: "st", ID: c.edit.ID, Current: c.current, Want: c.want}) {
			t.Errorf("%s: %+v, want current %d, want %d", c.name, *se, c.current, c.want)
		}
		if !strings.Contains(err.Error(), c.edit.ID) {
			t.Errorf("%s: error %q does not name the feature", c.name, err)
		}
		if nv := snap(t, s).Version(); nv != v {
			t.Errorf("%s: a stale commit changed the version %d -> %d", c.name, v, nv)
		}
	}
	if f, err := snap(t, s).Feature(bg, "st", "f"); err != nil || f.Version != 3 || rev(t, f) != "3" {
		t.Errorf("f at the end = %+v, %v; want version 3 (rev 3)", f, err)
	}
}

// testRecreate: a deleted id created again continues its numbers, counts
// as created, and its history goes on.
func testRecreate(t *testing.T, s geo.Store) {
	mustImport(t, s, "rc", point("other", 34, 31, "", ""))
	c1 := mustCommit(t, s, note("t", "1"), create(feat("rc", "a", 34, 31, "1")))
	c2 := mustCommit(t, s, note("t", "2"), replace(feat("rc", "a", 34, 31, "2"), 1))
	c3 := mustCommit(t, s, note("t", "3"), del("rc", "a", 2))
	c4 := mustCommit(t, s, note("t", "4"), create(feat("rc", "a", 34, 31, "3")))
	if c4.Created != 1 || c4.Changed != 0 || c4.Deleted != 0 {
		t.Errorf("re-creation counts: %s, want created 1", fmtCS(c4))
	}
	if _, es := changesetOf(t, s, c4.ID); !reflect.DeepEqual(es, []geo.ChangeEntry{{Op: geo.OpCreate, Layer: "rc", ID: "a", Version: 3, Previous: 2}}) {
		t.Errorf("re-creation entries = %+v, want create version 3 after 2", es)
	}
	if _, es := changesetOf(t, s, c3.ID); !reflect.DeepEqual(es, []geo.ChangeEntry{{Op: geo.OpDelete, Layer: "rc", ID: "a", Version: 2, Previous: 2}}) {
		t.Errorf("delete entries = %+v, want delete closing version 2", es)
	}
	f, err := snap(t, s).Feature(bg, "rc", "a")
	if err != nil || f.Version != 3 || rev(t, f) != "3" {
		t.Fatalf("re-created a = %+v, %v; want version 3", f, err)
	}
	h, err := snap(t, s).History(bg, "rc", "a")
	want := []string{
		fmtVersion(geo.Version{Layer: "rc", ID: "a", Number: 3, Changeset: c4.ID, RecordedFrom: c4.RecordedAt, Author: "t", Comment: "4"}),
		fmtVersion(geo.Version{Layer: "rc", ID: "a", Number: 2, Changeset: c2.ID, RecordedFrom: c2.RecordedAt, RecordedTo: c3.RecordedAt, ClosedBy: c3.ID, Author: "t", Comment: "2"}),
		fmtVersion(geo.Version{Layer: "rc", ID: "a", Number: 1, Changeset: c1.ID, RecordedFrom: c1.RecordedAt, RecordedTo: c2.RecordedAt, ClosedBy: c2.ID, Author: "t", Comment: "1"}),
	}
	if err != nil || !slices.Equal(fmtVersions(h), want) {
		t.Errorf("History(a) =\n%s\n%v\nwant\n%s", strings.Join(fmtVersions(h), "\n"), err, strings.Join(want, "\n"))
	}
}

// testFeatureVersion: every version stays readable with its description;
// Feature and FeatureVersion set Feature.Version; the feature returned
// belongs to the caller.
func testFeatureVersion(t *testing.T, s geo.Store) {
	c1 := mustImportNote(t, s, note("alice", "one"), "fv", geo.Append, feat("fv", "a", 34, 31, "1"))
	c2 := mustCommit(t, s, note("bob", "two"), replace(feat("fv", "a", 35, 31, "2"), 1))
	sn := snap(t, s)
	cases := []struct {
		number int
		pos    orb.Point
		rev    string
		desc   geo.Version
	}{
		{1, orb.Point{34, 31}, "1", geo.Version{Layer: "fv", ID: "a", Number: 1, Changeset: c1.ID, RecordedFrom: c1.RecordedAt, RecordedTo: c2.RecordedAt, ClosedBy: c2.ID, Author: "alice", Comment: "one"}},
		{2, orb.Point{35, 31}, "2", geo.Version{Layer: "fv", ID: "a", Number: 2, Changeset: c2.ID, RecordedFrom: c2.RecordedAt, Author: "bob", Comment: "two"}},
	}
	for _, c := range cases {
		f, v, err := sn.FeatureVersion(bg, "fv", "a", c.number)
		if err != nil {
			t.Fatalf("FeatureVersion(%d): %v", c.number, err)
		}
		if f.Version != c.number || f.ID != "a" || f.Layer != "fv" || f.Geometry != c.pos || rev(t, f) != c.rev || len(f.Sources) != 1 {
			t.Errorf("FeatureVersion(%d) feature = %+v", c.number, f)
		}
		if fmtVersion(v) != fmtVersion(c.desc) {
			t.Errorf("FeatureVersion(%d) =\n%s\nwant\n%s", c.number, fmtVersion(v), fmtVersion(c.desc))
		}
		f.Geometry = orb.Point{0, 0}
		f.Sources[0].Title = "changed by a reader"
		if again, _, _ := sn.FeatureVersion(bg, "fv", "a", c.number); again.Geometry != c.pos || again.Sources[0].Title == "changed by a reader" {
			t.Errorf("FeatureVersion(%d) handed out the store's own feature", c.number)
		}
	}
	if f, err := sn.Feature(bg, "fv", "a"); err != nil || f.Version != 2 {
		t.Errorf("Feature(a) = %+v, %v; want version 2", f, err)
	}
	for _, c := range []struct {
		layer, id string
		number    int
	}{{"fv", "a", 0}, {"fv", "a", 3}, {"fv", "a", -1}, {"fv", "b", 1}, {"nolayer", "a", 1}} {
		if _, _, err := sn.FeatureVersion(bg, c.layer, c.id, c.number); !errors.Is(err, geo.ErrNotFound) {
			t.Errorf("FeatureVersion(%s, %s, %d) error %v, want ErrNotFound", c.layer, c.id, c.number, err)
		}
	}
	// A snapshot from before version 2 does not know it.
	old, err := s.SnapshotAt(bg, c1.RecordedAt)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := old.FeatureVersion(bg, "fv", "a", 2); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("past snapshot: FeatureVersion(2) error %v, want ErrNotFound", err)
	}
	if _, v, err := old.FeatureVersion(bg, "fv", "a", 1); err != nil || !v.Current() || !v.RecordedTo.IsZero() {
		t.Errorf("past snapshot: FeatureVersion(1) = %s, %v; want it current there", fmtVersion(v), err)
	}
}

// errKind names the kind of err for dumps.
func errKind(err error) string {
	for _, k := range []error{geo.ErrNotFound, geo.ErrInvalid, geo.ErrConflict, geo.ErrPrecondition} {
		if errors.Is(err, k) {
			return k.Error()
		}
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return "ok"
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "unmarshallable: " + err.Error()
	}
	return string(b)
}

// dumpSnapshot serialises every answer of sn about the layers and ids of
// universe (layer -> ids): layers, extents, searches (all, by bbox and
// time, a page), days, points, features, histories, every version, and
// the changesets with their entries. Two snapshots with equal dumps give
// the same answers. Search's Feature.Version is left out: Search may
// leave it 0.
func dumpSnapshot(t *testing.T, sn geo.Snapshot, universe map[string][]string) string {
	t.Helper()
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("version %d", sn.Version())
	for _, l := range sn.Layers() {
		w("layer %s", jsonOf(l))
	}
	at, err := geo.ParseDatetime("2025-10-15")
	if err != nil {
		t.Fatal(err)
	}
	box := &geo.BBox{MinLon: 33.9, MinLat: 30.9, MaxLon: 34.6, MaxLat: 31.6}
	var layers []string
	for l := range universe {
		layers = append(layers, l)
	}
	slices.Sort(layers)
	for _, l := range layers {
		e, err := sn.Extent(bg, l)
		w("%s extent %s %s", l, jsonOf(e), errKind(err))
		for _, f := range []geo.Filter{{Layer: l, Time: geo.Always}, {Layer: l, Time: at, BBox: box}, {Layer: l, Time: geo.Always, Limit: 2, Offset: 1}} {
			w("%s search bbox %v time %v limit %d offset %d", l, f.BBox != nil, f.Time, f.Limit, f.Offset)
			n, err := sn.Search(bg, f, func(ft *geo.Feature) error {
				c := *ft
				c.Version = 0
				w("  %s", jsonOf(c))
				return nil
			})
			w("  matched %d %s", n, errKind(err))
			d, err := sn.Days(bg, f)
			w("  days %s %s", jsonOf(d), errKind(err))
			var hits []geo.PointHit
			attrs, others, err := sn.Points(bg, f, func(h geo.PointHit) error { hits = append(hits, h); return nil })
			switch {
			case err != nil:
				w("  points %s", errKind(err))
			case others > 0:
				w("  points: not only points")
			default:
				slices.SortFunc(hits, func(a, b geo.PointHit) int { return int(a.Rank) - int(b.Rank) })
				for _, h := range hits {
					var ft geo.Feature
					attrs(h.Ref, &ft)
					w("  point %v %v %s %q %q %v %v", h.Lon, h.Lat, ft.ID, ft.Name, ft.Kind, ft.Valid, ft.PrecisionM)
				}
			}
		}
		for _, id := range universe[l] {
			f, err := sn.Feature(bg, l, id)
			w("%s/%s feature %s %s", l, id, jsonOf(f), errKind(err))
			h, err := sn.History(bg, l, id)
			w("%s/%s history %v %s", l, id, fmtVersions(h), errKind(err))
			for n := 1; n <= len(h)+1; n++ {
				f, v, err := sn.FeatureVersion(bg, l, id, n)
				w("%s/%s version %d: %s %s %s", l, id, n, jsonOf(f), fmtVersion(v), errKind(err))
			}
		}
	}
	cs, err := sn.Changes(bg, geo.ChangeFilter{})
	w("changes %s", errKind(err))
	for _, c := range cs {
		got, es, err := sn.Changeset(bg, c.ID)
		w("  %s\n  = %s %+v %s", fmtCS(c), fmtCS(got), es, errKind(err))
	}
	_, _, err = sn.Changeset(bg, sn.Version()+1)
	w("changeset after the snapshot: %s", errKind(err))
	return b.String()
}

// testHistory: History lists the versions of a feature newest first, with
// authors, comments, changesets and record times; a deleted feature keeps
// it; a snapshot lists only the versions recorded in it, and a version
// closed later is current there.
func testHistory(t *testing.T, s geo.Store) {
	c1 := mustImportNote(t, s, note("alice", "created"), "hi", geo.Append, feat("hi", "a", 34, 31, "1"), feat("hi", "b", 34, 31, ""))
	c2 := mustCommit(t, s, note("bob", "moved"), replace(feat("hi", "a", 35, 31, "2"), 1))
	mid := snap(t, s)
	c3 := mustCommit(t, s, note("carol", ""), replace(feat("hi", "a", 36, 31, "3"), 2))
	c4 := mustCommit(t, s, note("dave", "gone"), del("hi", "a", 3))
	c5 := mustCommit(t, s, note("erin", ""), create(feat("hi", "late", 34, 31, "")))
	v := func(n int, c geo.Changeset, closed *geo.Changeset) geo.Version {
		out := geo.Version{Layer: "hi", ID: "a", Number: n, Changeset: c.ID, RecordedFrom: c.RecordedAt, Author: c.Author, Comment: c.Comment}
		if closed != nil {
			out.RecordedTo, out.ClosedBy = closed.RecordedAt, closed.ID
		}
		return out
	}
	at := func(c geo.Changeset) geo.Snapshot {
		sn, err := s.SnapshotAt(bg, c.RecordedAt)
		if err != nil {
			t.Fatal(err)
		}
		return sn
	}
	cases := []struct {
		name string
		sn   geo.Snapshot
		want []geo.Version
		cur  int // Feature(a).Version, 0: ErrNotFound
	}{
		{"now", snap(t, s), []geo.Version{v(3, c3, &c4), v(2, c2, &c3), v(1, c1, &c2)}, 0},
		{"held snapshot after c2", mid, []geo.Version{v(2, c2, nil), v(1, c1, &c2)}, 2},
		{"SnapshotAt c2", at(c2), []geo.Version{v(2, c2, nil), v(1, c1, &c2)}, 2},
		{"SnapshotAt c1", at(c1), []geo.Version{v(1, c1, nil)}, 1},
		{"SnapshotAt c3", at(c3), []geo.Version{v(3, c3, nil), v(2, c2, &c3), v(1, c1, &c2)}, 3},
		{"SnapshotAt c4", at(c4), []geo.Version{v(3, c3, &c4), v(2, c2, &c3), v(1, c1, &c2)}, 0},
	}
	for _, c := range cases {
		h, err := c.sn.History(bg, "hi", "a")
		if err != nil || !slices.Equal(fmtVersions(h), fmtVersions(c.want)) {
			t.Errorf("%s: History(a) =\n%s\n%v\nwant\n%s", c.name, strings.Join(fmtVersions(h), "\n"), err, strings.Join(fmtVersions(c.want), "\n"))
		}
		for i, x := range h {
			if x.Current() != (x.ClosedBy == 0) || (i > 0 && x.Current()) {
				t.Errorf("%s: version %d reports Current() %v", c.name, x.Number, x.Current())
			}
		}
		f, err := c.sn.Feature(bg, "hi", "a")
		if c.cur == 0 {
			if !errors.Is(err, geo.ErrNotFound) {
				t.Errorf("%s: Feature(a) = %+v, %v; want ErrNotFound (deleted)", c.name, f, err)
			}
		} else if err != nil || f.Version != c.cur {
			t.Errorf("%s: Feature(a) = %+v, %v; want version %d", c.name, f, err, c.cur)
		}
		if _, err := c.sn.History(bg, "hi", "never"); !errors.Is(err, geo.ErrNotFound) {
			t.Errorf("%s: History(never) error %v, want ErrNotFound", c.name, err)
		}
		if _, err := c.sn.History(bg, "nolayer", "a"); !errors.Is(err, geo.ErrNotFound) {
			t.Errorf("%s: History in an unknown layer: error %v, want ErrNotFound", c.name, err)
		}
		if _, err := c.sn.History(bg, "hi", "late"); c.name != "now" && !errors.Is(err, geo.ErrNotFound) {
			t.Errorf("%s: History(late), created after the snapshot: error %v, want ErrNotFound", c.name, err)
		}
	}
	if h, err := snap(t, s).History(bg, "hi", "late"); err != nil || len(h) != 1 || h[0].Changeset != c5.ID || h[0].Author != "erin" {
		t.Errorf("History(late) = %v, %v", fmtVersions(h), err)
	}
	// The versions of a deleted feature stay readable.
	if f, _, err := snap(t, s).FeatureVersion(bg, "hi", "a", 3); err != nil || f.Geometry != (orb.Point{36, 31}) {
		t.Errorf("FeatureVersion(a, 3) after its delete = %+v, %v", f, err)
	}
}

// snapshotAt returns s.SnapshotAt(t) and checks its version.
func snapshotAt(t *testing.T, s geo.Store, at time.Time, version int64) geo.Snapshot {
	t.Helper()
	sn, err := s.SnapshotAt(bg, at)
	if err != nil {
		t.Fatalf("SnapshotAt(%v): %v", at, err)
	}
	if sn.Version() != version {
		t.Fatalf("SnapshotAt(%v).Version() = %d, want %d", fmtTime(at), sn.Version(), version)
	}
	return sn
}

// testSnapshotAt: SnapshotAt a changeset's RecordedAt answers exactly as
// the current snapshot did right after that changeset, and 1µs earlier as
// right after the one before: for Search, Feature, Extent, Days, Points,
// History, FeatureVersion, Changes and Changeset. Those answers, and
// those of snapshots held since, are the same after every later write.
func testSnapshotAt(t *testing.T, s geo.Store) {
	for _, l := range []string{"pa", "pb"} {
		if err := s.PutLayer(bg, layer(l)); err != nil {
			t.Fatal(err)
		}
	}
	universe := map[string][]string{"pa": {"a", "b", "c", "d", "e"}, "pb": {"x", "y"}}
	ranged := func(f *geo.Feature, from, to string) *geo.Feature {
		iv, err := geo.ParseValidTime(f.ID, from, to)
		if err != nil {
			t.Fatal(err)
		}
		f.Valid = iv
		return f
	}
	line := feat("pb", "x", 34, 31, "1")
	line.Geometry = orb.LineString{{34, 31}, {34.5, 31.5}}
	line2 := feat("pb", "x", 34, 31, "2")
	line2.Geometry = orb.LineString{{34, 31}, {35, 32}, {36, 31}}
	writes := []func() geo.Changeset{
		func() geo.Changeset {
			return mustImportNote(t, s, note("imp", "start"), "pa", geo.Append, feat("pa", "a", 34, 31, "1"),
				ranged(feat("pa", "b", 34.5, 31.5, "1"), "2025-10-10", "2025-10-20"), feat("pa", "c", 40, 40, "1"))
		},
		func() geo.Changeset {
			return mustCommit(t, s, note("w", "move a"), replace(ranged(feat("pa", "a", 34.2, 31.2, "2"), "2025-10-01", ""), 1))
		},
		func() geo.Changeset { return mustCommit(t, s, note("w", "drop b"), del("pa", "b", 1)) },
		func() geo.Changeset { return mustImportNote(t, s, note("imp", "lines"), "pb", geo.Append, line) },
		func() geo.Changeset {
			return mustCommit(t, s, note("w", ""), create(feat("pa", "b", 34.3, 31.3, "2")), create(feat("pa", "d", 34.4, 31.4, "1")))
		},
		func() geo.Changeset {
			return mustImportNote(t, s, note("imp", "replace"), "pa", geo.Replace, feat("pa", "e", 34.1, 31.1, "1"), feat("pa", "c", 34.05, 31.05, "2"))
		},
		func() geo.Changeset { return mustCommit(t, s, note("w", "reroute"), replace(line2, 1)) },
		func() geo.Changeset {
			return mustCommit(t, s, note("w", "properties only"), replace(feat("pa", "c", 34.05, 31.05, "3"), 2), replace(feat("pa", "e", 34.1, 31.1, "2"), 1))
		},
		func() geo.Changeset {
			return mustCommit(t, s, note("w", ""), del("pb", "x", 2), create(feat("pb", "y", 34, 31, "1")), replace(feat("pa", "e", 34.15, 31.15, "3"), 2))
		},
	}
	var (
		css   []geo.Changeset
		dumps []string       // of the current snapshot right after each write
		held  []geo.Snapshot // that snapshot
		empty = dumpSnapshot(t, snap(t, s), universe)
	)
	for i, write := range writes {
		cs := write()
		sn := snap(t, s)
		css, held, dumps = append(css, cs), append(held, sn), append(dumps, dumpSnapshot(t, sn, universe))
		// Right away, SnapshotAt the previous changeset answers as the
		// snapshot of then did.
		if i > 0 {
			prev := css[i-1]
			if got := dumpSnapshot(t, snapshotAt(t, s, prev.RecordedAt, prev.ID), universe); got != dumps[i-1] {
				t.Errorf("after changeset %d, SnapshotAt changeset %d:\n%s\nwant\n%s", cs.ID, prev.ID, got, dumps[i-1])
			}
		}
	}
	for i, cs := range css {
		if got := dumpSnapshot(t, snapshotAt(t, s, cs.RecordedAt, cs.ID), universe); got != dumps[i] {
			t.Errorf("SnapshotAt changeset %d (%s):\n%s\nwant, as right after it:\n%s", cs.ID, fmtTime(cs.RecordedAt), got, dumps[i])
		}
		before := cs.RecordedAt.Add(-time.Microsecond)
		if i == 0 {
			sn := snapshotAt(t, s, before, 0)
			if n, err := sn.Search(bg, geo.Filter{Layer: "pa", Time: geo.Always}, nil); err != nil || n != 0 {
				t.Errorf("SnapshotAt before the first changeset finds %d features in pa, %v", n, err)
			}
		} else if got := dumpSnapshot(t, snapshotAt(t, s, before, css[i-1].ID), universe); got != dumps[i-1] {
			t.Errorf("SnapshotAt 1µs before changeset %d:\n%s\nwant\n%s", cs.ID, got, dumps[i-1])
		}
		if got := dumpSnapshot(t, held[i], universe); got != dumps[i] {
			t.Errorf("the snapshot held since changeset %d changed:\n%s\nwas\n%s", cs.ID, got, dumps[i])
		}
	}
	// The dumps differ from one another: the test sees each change.
	for i := range dumps {
		if dumps[i] == empty || (i > 0 && dumps[i] == dumps[i-1]) {
			t.Errorf("the dump after write %d is that of the state before it", i)
		}
	}
	// An instant between two changesets is the earlier one's; one after
	// the last is the current state.
	mid := css[2].RecordedAt.Add(css[3].RecordedAt.Sub(css[2].RecordedAt) / 2)
	snapshotAt(t, s, mid, css[2].ID)
	if got := dumpSnapshot(t, snapshotAt(t, s, time.Now().Add(time.Hour), css[len(css)-1].ID), universe); got != dumps[len(dumps)-1] {
		t.Errorf("SnapshotAt an hour from now:\n%s\nwant the current state:\n%s", got, dumps[len(dumps)-1])
	}
}

// testSnapshotAtBeforeFirst: before the first changeset the snapshot has
// version 0 and today's layers, all empty; a layer created since exists,
// empty, in a past snapshot.
func testSnapshotAtBeforeFirst(t *testing.T, s geo.Store) {
	if err := s.PutLayer(bg, layer("early")); err != nil {
		t.Fatal(err)
	}
	cs := mustImportNote(t, s, note("t", ""), "h", geo.Append, point("a", 34, 31, "", ""))
	if err := s.PutLayer(bg, layer("late")); err != nil {
		t.Fatal(err)
	}
	today := snap(t, s).Layers()
	for _, c := range []struct {
		name    string
		at      time.Time
		version int64
		found   int // in h
	}{
		{"1µs before the first changeset", cs.RecordedAt.Add(-time.Microsecond), 0, 0},
		{"in 2000", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), 0, 0},
		{"at the first changeset", cs.RecordedAt, cs.ID, 1},
	} {
		sn := snapshotAt(t, s, c.at, c.version)
		if got := sn.Layers(); !reflect.DeepEqual(got, today) {
			t.Errorf("%s: Layers = %+v, want today's %+v", c.name, got, today)
		}
		for _, l := range []string{"early", "h", "late"} {
			want := 0
			if l == "h" {
				want = c.found
			}
			if n, err := sn.Search(bg, geo.Filter{Layer: l, Time: geo.Always}, func(*geo.Feature) error { return nil }); err != nil || n != want {
				t.Errorf("%s: Search(%s) = %d, %v; want %d", c.name, l, n, err, want)
			}
			if e, err := sn.Extent(bg, l); err != nil || e.Empty != (want == 0) {
				t.Errorf("%s: Extent(%s) = %+v, %v", c.name, l, e, err)
			}
			if d, err := sn.Days(bg, geo.Filter{Layer: l, Time: geo.Always}); err != nil || d.Features != want {
				t.Errorf("%s: Days(%s) counts %d, %v; want %d", c.name, l, d.Features, err, want)
			}
			hits := 0
			if _, _, err := sn.Points(bg, geo.Filter{Layer: l, Time: geo.Always}, func(geo.PointHit) error { hits++; return nil }); err != nil || hits != want {
				t.Errorf("%s: Points(%s) = %d hits, %v; want %d", c.name, l, hits, err, want)
			}
		}
		_, ferr := sn.Feature(bg, "h", "a")
		_, herr := sn.History(bg, "h", "a")
		_, _, cerr := sn.Changeset(bg, cs.ID)
		changes, err := sn.Changes(bg, geo.ChangeFilter{})
		if c.found == 0 {
			if !errors.Is(ferr, geo.ErrNotFound) || !errors.Is(herr, geo.ErrNotFound) || !errors.Is(cerr, geo.ErrNotFound) || err != nil || len(changes) != 0 {
				t.Errorf("%s: Feature %v, History %v, Changeset %v, Changes %v %v; want nothing found", c.name, ferr, herr, cerr, fmtCSs(changes), err)
			}
		} else if ferr != nil || herr != nil || cerr != nil || err != nil || len(changes) != 1 {
			t.Errorf("%s: Feature %v, History %v, Changeset %v, Changes %v %v; want the import", c.name, ferr, herr, cerr, fmtCSs(changes), err)
		}
		if _, err := sn.Search(bg, geo.Filter{Layer: "nolayer", Time: geo.Always}, nil); !errors.Is(err, geo.ErrNotFound) {
			t.Errorf("%s: Search(unknown layer) error %v", c.name, err)
		}
	}
}

// testChangesFilter: Changes selects by every ChangeFilter field, newest
// first: Since inclusive, Until exclusive, After, Layers (any of),
// BBox (against old and new geometries), Limit.
func testChangesFilter(t *testing.T, s geo.Store) {
	c1 := mustImportNote(t, s, note("t", "1"), "ca", geo.Append, feat("ca", "p1", 34, 31, ""))
	c2 := mustImportNote(t, s, note("t", "2"), "cb", geo.Append, feat("cb", "q1", 10, 10, ""))
	c3 := mustCommit(t, s, note("t", "3"), create(feat("ca", "p2", 34.5, 31.5, "")))
	c4 := mustCommit(t, s, note("t", "4"), create(feat("cb", "q2", -10, -10, "")))
	c5 := mustCommit(t, s, note("t", "5"), replace(feat("ca", "p1", 34.1, 31.1, ""), 1), del("cb", "q1", 1))
	box := func(s string) *geo.BBox {
		b, err := geo.ParseBBox(s)
		if err != nil {
			t.Fatal(err)
		}
		return &b
	}
	cases := []struct {
		name string
		f    geo.ChangeFilter
		want []geo.Changeset
	}{
		{"all", geo.ChangeFilter{}, []geo.Changeset{c5, c4, c3, c2, c1}},
		{"limit", geo.ChangeFilter{Limit: 2}, []geo.Changeset{c5, c4}},
		{"after", geo.ChangeFilter{After: c3.ID}, []geo.Changeset{c5, c4}},
		{"after the last", geo.ChangeFilter{After: c5.ID}, nil},
		{"since, inclusive", geo.ChangeFilter{Since: c3.RecordedAt}, []geo.Changeset{c5, c4, c3}},
		{"until, exclusive", geo.ChangeFilter{Until: c3.RecordedAt}, []geo.Changeset{c2, c1}},
		{"since and until", geo.ChangeFilter{Since: c2.RecordedAt, Until: c4.RecordedAt}, []geo.Changeset{c3, c2}},
		{"until before the first", geo.ChangeFilter{Until: c1.RecordedAt}, nil},
		{"one layer", geo.ChangeFilter{Layers: []string{"cb"}}, []geo.Changeset{c5, c4, c2}},
		{"any of the layers", geo.ChangeFilter{Layers: []string{"nolayer", "ca"}}, []geo.Changeset{c5, c3, c1}},
		{"an unknown layer", geo.ChangeFilter{Layers: []string{"nolayer"}}, nil},
		{"bbox of new geometries", geo.ChangeFilter{BBox: box("33,30,35,32")}, []geo.Changeset{c5, c3, c1}},
		{"bbox of one new geometry", geo.ChangeFilter{BBox: box("-11,-11,-9,-9")}, []geo.Changeset{c4}},
		{"bbox of a deleted geometry", geo.ChangeFilter{BBox: box("9,9,11,11")}, []geo.Changeset{c5, c2}},
		{"bbox of nothing", geo.ChangeFilter{BBox: box("100,0,101,1")}, nil},
		{"layer and limit", geo.ChangeFilter{Layers: []string{"cb"}, Limit: 1}, []geo.Changeset{c5}},
		{"after, layer and limit", geo.ChangeFilter{After: c1.ID, Layers: []string{"ca"}, Limit: 1}, []geo.Changeset{c5}},
		{"since, layer and bbox", geo.ChangeFilter{Since: c2.RecordedAt, Layers: []string{"cb"}, BBox: box("9,9,11,11")}, []geo.Changeset{c5, c2}},
	}
	sn := snap(t, s)
	for _, c := range cases {
		got, err := sn.Changes(bg, c.f)
		if err != nil || !slices.Equal(fmtCSs(got), fmtCSs(c.want)) {
			t.Errorf("%s: Changes =\n%s\n%v\nwant\n%s", c.name, strings.Join(fmtCSs(got), "\n"), err, strings.Join(fmtCSs(c.want), "\n"))
		}
	}
	// A past snapshot lists only the changesets recorded in it, whatever
	// the filter.
	past := snapshotAt(t, s, c3.RecordedAt, c3.ID)
	if got, err := past.Changes(bg, geo.ChangeFilter{}); err != nil || !slices.Equal(fmtCSs(got), fmtCSs([]geo.Changeset{c3, c2, c1})) {
		t.Errorf("past snapshot: Changes = %v, %v", fmtCSs(got), err)
	}
	if got, err := past.Changes(bg, geo.ChangeFilter{After: c2.ID, Layers: []string{"cb", "ca"}}); err != nil || !slices.Equal(fmtCSs(got), fmtCSs([]geo.Changeset{c3})) {
		t.Errorf("past snapshot: Changes after c2 = %v, %v", fmtCSs(got), err)
	}
}

// testChangesetEntries: Changeset lists what a changeset did to each
// feature, by layer then id, with the number written (or closed) and the
// one it replaced; an unknown id, or one later than the snapshot, is
// ErrNotFound.
func testChangesetEntries(t *testing.T, s geo.Store) {
	mustImport(t, s, "ea", point("m1", 34, 31, "", ""), point("m2", 34, 31, "", ""))
	mustImport(t, s, "eb", point("n1", 34, 31, "", ""))
	old := snap(t, s)
	cs := mustCommit(t, s, note("t", "mixed"),
		create(feat("eb", "n3", 34, 31, "")),
		del("ea", "m2", 1),
		replace(feat("eb", "n1", 35, 31, ""), 1),
		create(feat("ea", "m0", 34, 31, "")),
		replace(feat("ea", "m1", 34, 31, ""), 0),
	)
	if cs.Created != 2 || cs.Changed != 2 || cs.Deleted != 1 || !slices.Equal(cs.Layers, []string{"ea", "eb"}) {
		t.Errorf("changeset %s: want created 2, changed 2, deleted 1 in [ea eb]", fmtCS(cs))
	}
	got, entries := changesetOf(t, s, cs.ID)
	if fmtCS(got) != fmtCS(cs) {
		t.Errorf("Changeset(%d) = %s, Commit returned %s", cs.ID, fmtCS(got), fmtCS(cs))
	}
	want := []geo.ChangeEntry{
		{Op: geo.OpCreate, Layer: "ea", ID: "m0", Version: 1},
		{Op: geo.OpReplace, Layer: "ea", ID: "m1", Version: 2, Previous: 1},
		{Op: geo.OpDelete, Layer: "ea", ID: "m2", Version: 1, Previous: 1},
		{Op: geo.OpReplace, Layer: "eb", ID: "n1", Version: 2, Previous: 1},
		{Op: geo.OpCreate, Layer: "eb", ID: "n3", Version: 1},
	}
	if !reflect.DeepEqual(entries, want) {
		t.Errorf("entries =\n%+v\nwant\n%+v", entries, want)
	}
	for _, c := range []struct {
		name string
		sn   geo.Snapshot
		id   int64
	}{{"unknown id", snap(t, s), cs.ID + 1000}, {"zero", snap(t, s), 0}, {"later than the snapshot", old, cs.ID}} {
		if _, _, err := c.sn.Changeset(bg, c.id); !errors.Is(err, geo.ErrNotFound) {
			t.Errorf("%s: Changeset(%d) error %v, want ErrNotFound", c.name, c.id, err)
		}
	}
}

// testRevert: geo.RevertCommit builds, and Commit applies, the undoing of
// a create, a replace and a delete; a later edit of a feature makes the
// revert ErrConflict naming it; a write between RevertCommit and Commit
// makes the Commit stale.
func testRevert(t *testing.T, s geo.Store) {
	mustImport(t, s, "rv", point("a", 34, 31, "", ""), point("b", 35, 31, "", ""))
	revert := func(id int64) geo.Changeset {
		t.Helper()
		c, err := geo.RevertCommit(bg, snap(t, s), id, note("carol", ""))
		if err != nil {
			t.Fatalf("RevertCommit(%d): %v", id, err)
		}
		if c.Note.Comment != fmt.Sprintf("revert of changeset %d", id) || c.Note.Author != "carol" {
			t.Errorf("revert note = %+v", c.Note)
		}
		cs, err := s.Commit(bg, c)
		if err != nil {
			t.Fatalf("Commit of the revert of %d: %v", id, err)
		}
		return cs
	}
	// A create reverted is a delete.
	c1 := mustCommit(t, s, note("t", ""), create(feat("rv", "c", 36, 31, "")))
	if r := revert(c1.ID); r.Deleted != 1 || r.Created+r.Changed != 0 || r.Author != "carol" {
		t.Errorf("revert of a create: %s", fmtCS(r))
	}
	if _, err := snap(t, s).Feature(bg, "rv", "c"); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("after reverting its creation, Feature(c) error %v", err)
	}
	// A replace reverted brings the old version back, as a new number.
	c2 := mustCommit(t, s, note("t", ""), replace(feat("rv", "a", 34.5, 31.5, "moved"), 1))
	if r := revert(c2.ID); r.Changed != 1 || r.Created+r.Deleted != 0 {
		t.Errorf("revert of a replace: %s", fmtCS(r))
	}
	if f, err := snap(t, s).Feature(bg, "rv", "a"); err != nil || f.Version != 3 || f.Geometry != (orb.Point{34, 31}) {
		t.Errorf("after reverting its move, a = %+v, %v; want version 3 at 34,31", f, err)
	}
	// A delete reverted brings the feature back.
	c3 := mustCommit(t, s, note("t", ""), del("rv", "b", 1))
	if r := revert(c3.ID); r.Created != 1 || r.Changed+r.Deleted != 0 {
		t.Errorf("revert of a delete: %s", fmtCS(r))
	}
	if f, err := snap(t, s).Feature(bg, "rv", "b"); err != nil || f.Version != 2 || f.Geometry != (orb.Point{35, 31}) {
		t.Errorf("after reverting its delete, b = %+v, %v; want version 2 at 35,31", f, err)
	}
	// A later edit conflicts, and the error names the feature.
	c4 := mustCommit(t, s, note("t", ""), replace(feat("rv", "a", 36, 33, "4"), 0))
	mustCommit(t, s, note("t", ""), replace(feat("rv", "a", 37, 34, "5"), 0))
	v := snap(t, s).Version()
	if _, err := geo.RevertCommit(bg, snap(t, s), c4.ID, note("carol", "")); !errors.Is(err, geo.ErrConflict) || !strings.Contains(err.Error(), "rv/a") {
		t.Errorf("revert under a later edit: error %v, want ErrConflict naming rv/a", err)
	}
	// A write between RevertCommit and Commit makes the Commit stale.
	c6 := mustCommit(t, s, note("t", ""), replace(feat("rv", "b", 38, 31, "6"), 0))
	rc, err := geo.RevertCommit(bg, snap(t, s), c6.ID, note("carol", ""))
	if err != nil {
		t.Fatal(err)
	}
	mustCommit(t, s, note("t", ""), replace(feat("rv", "b", 39, 31, "7"), 0))
	v = snap(t, s).Version()
	var se *geo.StaleError
	if _, err := s.Commit(bg, rc); !errors.As(err, &se) || se.ID != "b" {
		t.Errorf("revert committed after a later write: error %v, want a *StaleError for b", err)
	}
	if nv := snap(t, s).Version(); nv != v {
		t.Errorf("a stale revert changed the version %d -> %d", v, nv)
	}
	if _, err := geo.RevertCommit(bg, snap(t, s), v+100, note("carol", "")); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("revert of an unknown changeset: error %v, want ErrNotFound", err)
	}
}

// testTokens: tokens are stored as given, listed by name, revoked once
// (the first instant kept), and their names stay taken for ever.
func testTokens(t *testing.T, s geo.Store) {
	if ts, err := s.Tokens(bg); err != nil || len(ts) != 0 {
		t.Fatalf("new store: Tokens = %+v, %v", ts, err)
	}
	hash := func(b byte) []byte { return []byte(strings.Repeat(string(rune('a'+b)), 32)) }
	t0 := time.Date(2025, 10, 10, 12, 0, 0, 0, time.UTC)
	writer := geo.Token{Name: "writer", Hash: hash(1), Layers: []string{"a", "b"}, Created: t0, Expires: t0.Add(720 * time.Hour)}
	admin := geo.Token{Name: "admin", Hash: hash(2), Layers: []string{"*"}, Created: t0.Add(time.Minute), Unconditional: true}
	for _, tk := range []geo.Token{writer, admin} {
		tk.Hash, tk.Layers = slices.Clone(tk.Hash), slices.Clone(tk.Layers)
		if err := s.PutToken(bg, tk); err != nil {
			t.Fatalf("PutToken(%s): %v", tk.Name, err)
		}
		tk.Hash[0], tk.Layers[0] = 'X', "changed" // the store keeps its own copy
	}
	fmtTokens := func(ts []geo.Token) []string {
		out := []string{}
		for _, tk := range ts {
			out = append(out, fmt.Sprintf("%s %x %v created %s expires %s revoked %s unconditional %v", tk.Name, tk.Hash, tk.Layers, fmtTime(tk.Created.UTC()), fmtTime(tk.Expires.UTC()), fmtTime(tk.Revoked.UTC()), tk.Unconditional))
		}
		return out
	}
	tokens := func() []geo.Token {
		t.Helper()
		ts, err := s.Tokens(bg)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	if got, want := fmtTokens(tokens()), fmtTokens([]geo.Token{admin, writer}); !slices.Equal(got, want) {
		t.Errorf("Tokens =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	ts := tokens()
	ts[0].Layers[0], ts[0].Hash[0] = "changed", 'X'
	if got := tokens(); got[0].Layers[0] != "*" || got[0].Hash[0] != hash(2)[0] {
		t.Errorf("Tokens handed out the store's own slices")
	}
	for _, c := range []struct {
		name string
		tk   geo.Token
		kind error
	}{
		{"bad name", geo.Token{Name: "bad name", Hash: hash(3), Layers: []string{"*"}}, geo.ErrInvalid},
		{"short hash", geo.Token{Name: "short", Hash: hash(3)[:31], Layers: []string{"*"}}, geo.ErrInvalid},
		{"no layers", geo.Token{Name: "nolayers", Hash: hash(3)}, geo.ErrInvalid},
		{"bad layer", geo.Token{Name: "badlayer", Hash: hash(3), Layers: []string{"a", "bad layer!"}}, geo.ErrInvalid},
		{"duplicate name", geo.Token{Name: "writer", Hash: hash(3), Layers: []string{"*"}}, geo.ErrConflict},
	} {
		if err := s.PutToken(bg, c.tk); !errors.Is(err, c.kind) {
			t.Errorf("PutToken(%s) error %v, want %v", c.name, err, c.kind)
		}
	}
	if got := tokens(); len(got) != 2 {
		t.Errorf("refused tokens were stored: %v", fmtTokens(got))
	}
	r1 := t0.Add(time.Hour)
	if err := s.RevokeToken(bg, "writer", r1); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(bg, "writer", r1.Add(time.Hour)); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	writer.Revoked = r1
	if got, want := fmtTokens(tokens()), fmtTokens([]geo.Token{admin, writer}); !slices.Equal(got, want) {
		t.Errorf("after revoking writer twice, Tokens =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := s.RevokeToken(bg, "nobody", r1); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("RevokeToken(unknown) error %v, want ErrNotFound", err)
	}
	if err := s.PutToken(bg, geo.Token{Name: "writer", Hash: hash(4), Layers: []string{"*"}}); !errors.Is(err, geo.ErrConflict) {
		t.Errorf("PutToken with a revoked token's name: error %v, want ErrConflict", err)
	}
	if got := tokens(); len(got) != 2 || !got[1].Revoked.Equal(r1) {
		t.Errorf("after a refused PutToken, Tokens = %v", fmtTokens(got))
	}
}

// testConcurrentCommits: writers replace one feature at once, each with
// the IfVersion it read. Every failure is a *StaleError, every success is
// in the history with what it wrote, and the numbers have no gap: no
// update is lost.
func testConcurrentCommits(t *testing.T, s geo.Store) {
	mustImport(t, s, "cc", feat("cc", "hot", 34, 31, "start"))
	const writers, tries = 4, 25
	type result struct {
		cs     geo.Changeset
		number int
		rev    string
	}
	var (
		mu     sync.Mutex
		wins   []result
		stale  int
		others []error
		wg     sync.WaitGroup
	)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range tries {
				sn, err := s.Snapshot(bg)
				if err != nil {
					mu.Lock()
					others = append(others, err)
					mu.Unlock()
					return
				}
				f, err := sn.Feature(bg, "cc", "hot")
				if err != nil {
					mu.Lock()
					others = append(others, err)
					mu.Unlock()
					return
				}
				r := fmt.Sprintf("w%d-%d", w, i)
				cs, err := s.Commit(bg, geo.Commit{Note: note(fmt.Sprint("w", w), r), Edits: []geo.Edit{replace(feat("cc", "hot", 34+float64(w), 31+float64(i)/100, r), f.Version)}})
				var se *geo.StaleError
				mu.Lock()
				switch {
				case err == nil:
					wins = append(wins, result{cs, f.Version + 1, r})
				case errors.As(err, &se) && se.Want == f.Version && se.Current > f.Version:
					stale++
				default:
					others = append(others, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(others) > 0 {
		t.Fatalf("%d commits failed otherwise than stale; the first: %v", len(others), others[0])
	}
	if len(wins)+stale != writers*tries || len(wins) == 0 {
		t.Fatalf("%d commits succeeded and %d were stale, of %d", len(wins), stale, writers*tries)
	}
	sn := snap(t, s)
	h, err := sn.History(bg, "cc", "hot")
	if err != nil || len(h) != len(wins)+1 {
		t.Fatalf("History has %d versions, %v; want %d (1 + every success)", len(h), err, len(wins)+1)
	}
	for i, v := range h {
		if v.Number != len(h)-i {
			t.Fatalf("History numbers %v are not consecutive", fmtVersions(h))
		}
	}
	for _, w := range wins {
		v := h[len(h)-w.number]
		f, _, err := sn.FeatureVersion(bg, "cc", "hot", w.number)
		if err != nil || v.Changeset != w.cs.ID || v.Comment != w.rev || rev(t, f) != w.rev {
			t.Errorf("commit %s wrote version %d with %q; history has %s, feature %v", fmtCS(w.cs), w.number, w.rev, fmtVersion(v), err)
		}
	}
}

// testPagingDuringCommits: pages of one snapshot, current or past, stay
// consistent while commits land.
func testPagingDuringCommits(t *testing.T, s geo.Store) {
	var fs []*geo.Feature
	for i := range 60 {
		fs = append(fs, feat("pg", fmt.Sprintf("f%02d", 59-i), 34+float64(i)/100, 31, "0"))
	}
	first := mustImportNote(t, s, note("t", ""), "pg", geo.Append, fs...)
	mustCommit(t, s, note("t", ""), del("pg", "f00", 1))
	sn := snap(t, s)
	want := snapIDs(t, sn, geo.Filter{Layer: "pg", Time: geo.Always})
	past := snapshotAt(t, s, first.RecordedAt, first.ID)
	wantPast := snapIDs(t, past, geo.Filter{Layer: "pg", Time: geo.Always})
	if len(want) != 59 || len(wantPast) != 60 {
		t.Fatalf("%d features now and %d at the import, want 59 and 60", len(want), len(wantPast))
	}
	done := make(chan error)
	go func() {
		for i := range 60 {
			id := fmt.Sprintf("f%02d", 1+i%59)
			var e geo.Edit
			switch i % 3 {
			case 0:
				e = replace(feat("pg", id, 35, 32, fmt.Sprint(i)), 0)
			case 1:
				e = del("pg", id, 0)
			default:
				e = create(feat("pg", fmt.Sprintf("n%02d", i), 34, 31, ""))
			}
			if _, err := s.Commit(bg, geo.Commit{Note: note("t", ""), Edits: []geo.Edit{e}}); err != nil && !errors.Is(err, geo.ErrNotFound) {
				done <- err
				return
			}
		}
		done <- nil
	}()
	b := geo.BBox{MinLon: 33, MinLat: 30, MaxLon: 35, MaxLat: 32}
	for running, round := true, 0; running || round < 2; round++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			running = false
		default:
		}
		for _, c := range []struct {
			sn   geo.Snapshot
			want []string
		}{{sn, want}, {past, wantPast}} {
			var paged []string
			for off := 0; off < 70; off += 7 {
				paged = append(paged, snapIDs(t, c.sn, geo.Filter{Layer: "pg", Time: geo.Always, BBox: &b, Limit: 7, Offset: off})...)
			}
			if !slices.Equal(paged, c.want) {
				t.Fatalf("pages of snapshot %d during commits = %v, want %v", c.sn.Version(), paged, c.want)
			}
		}
	}
	if now := ids(t, s, geo.Filter{Layer: "pg", Time: geo.Always}); slices.Equal(now, want) {
		t.Errorf("the commits changed nothing: %v", now)
	}
}

// testEditOrder: Search's stable order under edits. A Commit's replace
// keeps the feature's place; a create, and the re-creation of a deleted
// id, go last; a delete removes it. A Replace import orders the layer as
// the import does. (The suite's reading of "the order they were imported
// in", which HISTORY.md asks of every store, SQLite included.)
func testEditOrder(t *testing.T, s geo.Store) {
	mustImport(t, s, "so", point("e", 34, 31, "", ""), point("d", 34.1, 31, "", ""), point("c", 34.2, 31, "", ""), point("b", 34.3, 31, "", ""), point("a", 34.4, 31, "", ""))
	b := geo.BBox{MinLon: 33, MinLat: 30, MaxLon: 36, MaxLat: 32}
	steps := []struct {
		name  string
		write func()
		want  []string
	}{
		{"replace keeps the place", func() { mustCommit(t, s, note("t", ""), replace(feat("so", "c", 35, 31.5, "2"), 1)) }, []string{"e", "d", "c", "b", "a"}},
		{"create goes last", func() { mustCommit(t, s, note("t", ""), create(feat("so", "f", 34, 31, ""))) }, []string{"e", "d", "c", "b", "a", "f"}},
		{"delete removes", func() { mustCommit(t, s, note("t", ""), del("so", "d", 1)) }, []string{"e", "c", "b", "a", "f"}},
		{"re-creation goes last", func() { mustCommit(t, s, note("t", ""), create(feat("so", "d", 34, 31, ""))) }, []string{"e", "c", "b", "a", "f", "d"}},
		{"replaces in one commit keep their places", func() {
			mustCommit(t, s, note("t", ""), replace(feat("so", "f", 34.9, 31, ""), 0), replace(feat("so", "e", 34.8, 31, ""), 0), create(feat("so", "g", 34, 31, "")))
		}, []string{"e", "c", "b", "a", "f", "d", "g"}},
		{"append import goes last", func() { mustImport(t, s, "so", point("h", 34, 31, "", "")) }, []string{"e", "c", "b", "a", "f", "d", "g", "h"}},
		{"replace import orders as the import", func() {
			mustImportNote(t, s, note("t", ""), "so", geo.Replace, point("a", 34, 31, "", ""), point("z", 34, 31, "", ""), point("e", 34, 31, "", ""))
		}, []string{"a", "z", "e"}},
	}
	for _, st := range steps {
		st.write()
		if got := ids(t, s, geo.Filter{Layer: "so", Time: geo.Always}); !slices.Equal(got, st.want) {
			t.Errorf("%s: order %v, want %v", st.name, got, st.want)
		}
		if got := ids(t, s, geo.Filter{Layer: "so", Time: geo.Always, BBox: &b}); !slices.Equal(got, st.want) {
			t.Errorf("%s: order in a bbox %v, want %v", st.name, got, st.want)
		}
		var paged []string
		for off := 0; off < len(st.want); off += 2 {
			paged = append(paged, ids(t, s, geo.Filter{Layer: "so", Time: geo.Always, Limit: 2, Offset: off})...)
		}
		if !slices.Equal(paged, st.want) {
			t.Errorf("%s: pages of 2 = %v, want %v", st.name, paged, st.want)
		}
	}
}
