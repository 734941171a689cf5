package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"strata/geo"
)

// oldDatabase makes a database of schema 005 at path holding layer "a"
// as two imports left it: p1 and p2 imported before 005 (rec_from 0),
// then a Replace at version 3 that wrote p1 again and p3 and so deleted
// p2.
func oldDatabase(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := &DB{db: db}
	if err := s.migrateTo(ctx, 5); err != nil {
		t.Fatal(err)
	}
	point := func(x float64) []byte {
		b, _ := wkbPoint(x, 31)
		return b
	}
	stmts := []struct {
		q    string
		args []any
	}{
		{"INSERT INTO layers (num, id, title, geometry_kind) VALUES (1, 'a', 'A', 'point')", nil},
		{"UPDATE meta SET value = 3 WHERE key = 'version'", nil},
	}
	for _, r := range []struct {
		id             string
		pos            int64
		x              float64
		recFrom, recTo int64
	}{
		{"p1", 1, 34, 0, 3}, {"p2", 2, 35, 0, 3}, {"p1", 3, 36, 3, geo.OpenEnd}, {"p3", 4, 37, 3, geo.OpenEnd},
	} {
		stmts = append(stmts, struct {
			q    string
			args []any
		}{`INSERT INTO features (layer_num, pos, id, geom, minx, miny, maxx, maxy, valid_from, valid_to, precision_m, sources, rec_from, rec_to)
			VALUES (1, ?, ?, ?, ?, 31, ?, 31, ?, ?, 0, '[{"title":"t"}]', ?, ?)`,
			[]any{r.pos, r.id, point(r.x), r.x, r.x, geo.OpenStart, geo.OpenEnd, r.recFrom, r.recTo}})
	}
	for _, st := range stmts {
		if _, err := db.ExecContext(ctx, st.q, st.args...); err != nil {
			t.Fatalf("%s: %v", st.q, err)
		}
	}
}

func wkbPoint(x, y float64) ([]byte, error) {
	return wkb.Marshal(orb.Point{x, y})
}

// TestMigrateHistory opens a database of schema 005 and checks what
// migration 006 made of its rows: version numbers in the order written,
// a changeset for each version used, and the history they give.
func TestMigrateHistory(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	oldDatabase(t, path)
	before := time.Now()
	db := openMode(t, path, syncIndex)
	sn, err := db.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sn.Version() != 3 {
		t.Fatalf("version %d after migration, want 3", sn.Version())
	}
	changes, err := sn.Changes(ctx, geo.ChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 {
		t.Fatalf("%d changesets, want 2: %+v", len(changes), changes)
	}
	for i, c := range changes {
		c.RecordedAt = time.Time{}
		want := []geo.Changeset{
			{ID: 3, Author: "import", Comment: "recorded before history was kept", Layers: []string{"a"}, Created: 1, Changed: 1, Deleted: 1,
				BBox: orb.Bound{Min: orb.Point{34, 31}, Max: orb.Point{37, 31}}},
			{ID: 1, Author: "import", Comment: "recorded before history was kept", Layers: []string{"a"}, Created: 2,
				BBox: orb.Bound{Min: orb.Point{34, 31}, Max: orb.Point{35, 31}}},
		}[i]
		if !reflect.DeepEqual(c, want) {
			t.Errorf("changeset %d = %+v, want %+v", i, c, want)
		}
	}
	if !changes[0].RecordedAt.After(changes[1].RecordedAt) || changes[1].RecordedAt.Before(before.Add(-time.Second)) {
		t.Errorf("recorded at %v and %v: not increasing at migration time %v", changes[1].RecordedAt, changes[0].RecordedAt, before)
	}
	tests := []struct {
		id       string
		current  int // Feature(id).Version, 0 for none
		versions []int
	}{
		{"p1", 2, []int{2, 1}},
		{"p2", 0, []int{1}},
		{"p3", 1, []int{1}},
	}
	for _, tc := range tests {
		f, err := sn.Feature(ctx, "a", tc.id)
		switch {
		case tc.current == 0 && !errors.Is(err, geo.ErrNotFound):
			t.Errorf("Feature(%s) = %v, %v; want ErrNotFound", tc.id, f, err)
		case tc.current > 0 && (err != nil || f.Version != tc.current):
			t.Errorf("Feature(%s) = %+v, %v; want version %d", tc.id, f, err, tc.current)
		}
		h, err := sn.History(ctx, "a", tc.id)
		if err != nil {
			t.Fatal(err)
		}
		var nums []int
		for _, v := range h {
			nums = append(nums, v.Number)
		}
		if !reflect.DeepEqual(nums, tc.versions) {
			t.Errorf("History(%s) numbers %v, want %v", tc.id, nums, tc.versions)
		}
	}
	_, entries, err := sn.Changeset(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	wantEntries := []geo.ChangeEntry{
		{Op: geo.OpReplace, Layer: "a", ID: "p1", Version: 2, Previous: 1},
		{Op: geo.OpDelete, Layer: "a", ID: "p2", Version: 1, Previous: 1},
		{Op: geo.OpCreate, Layer: "a", ID: "p3", Version: 1},
	}
	if !reflect.DeepEqual(entries, wantEntries) {
		t.Errorf("Changeset(3) entries %+v, want %+v", entries, wantEntries)
	}
	// As known when changeset 1 was recorded: p1 and p2, first versions.
	old, err := db.SnapshotAt(ctx, changes[1].RecordedAt)
	if err != nil {
		t.Fatal(err)
	}
	if ids := findSnapIDs(t, old, "a"); !reflect.DeepEqual(ids, []string{"p1", "p2"}) {
		t.Errorf("as of changeset 1: %v, want [p1 p2]", ids)
	}
	empty, err := db.SnapshotAt(ctx, changes[1].RecordedAt.Add(-time.Microsecond))
	if err != nil {
		t.Fatal(err)
	}
	if ids := findSnapIDs(t, empty, "a"); len(ids) != 0 || empty.Version() != 0 {
		t.Errorf("before changeset 1: version %d, %v; want 0, none", empty.Version(), ids)
	}
	// A write after the migration numbers on.
	cs, err := db.Commit(ctx, geo.Commit{Note: geo.ChangeNote{Author: "w"}, Edits: []geo.Edit{
		{Op: geo.OpCreate, Layer: "a", ID: "p2", IfVersion: 1, Feature: &geo.Feature{ID: "p2", Layer: "a", Geometry: orb.Point{1, 2}, Valid: geo.Always, Sources: []geo.Source{{Title: "s"}}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if cs.ID != 4 || !cs.RecordedAt.After(changes[0].RecordedAt) {
		t.Errorf("commit after migration: %+v", cs)
	}
	if f, err := snapOfDB(t, db).Feature(ctx, "a", "p2"); err != nil || f.Version != 2 {
		t.Errorf("re-created p2: %+v, %v; want version 2", f, err)
	}
}

func snapOfDB(t *testing.T, db *DB) geo.Snapshot {
	t.Helper()
	sn, err := db.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return sn
}

// findSnapIDs returns the ids of every feature of layer in sn.
func findSnapIDs(t *testing.T, sn geo.Snapshot, layer string) []string {
	t.Helper()
	var ids []string
	if _, err := sn.Search(context.Background(), geo.Filter{Layer: layer, Time: geo.Always}, func(f *geo.Feature) error {
		ids = append(ids, f.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ids
}
