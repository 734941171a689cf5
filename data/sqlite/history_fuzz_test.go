package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"strata/geo"
)

func orbPoint(x, y float64) orb.Point { return orb.Point{x, y} }

// FuzzDecodeToken: whatever a tokens row holds, decodeToken returns an
// error or a token that passes geo.Token.Check; it never panics.
func FuzzDecodeToken(f *testing.F) {
	f.Add("writer", []byte(strings.Repeat("h", 32)), `["a","b"]`, int64(1), int64(0), int64(0))
	f.Add("x", []byte("short"), `["*"]`, int64(1), int64(5), int64(-1))
	f.Add("", []byte{}, `{`, int64(0), int64(0), int64(0))
	f.Add("w", []byte(strings.Repeat("h", 32)), `[1,2]`, int64(0), int64(0), int64(0))
	f.Fuzz(func(t *testing.T, name string, hash []byte, layers string, created, expires, revoked int64) {
		tok, err := decodeToken(name, hash, layers, sql.NullInt64{Int64: created, Valid: true},
			sql.NullInt64{Int64: expires, Valid: expires != 0}, sql.NullInt64{Int64: revoked, Valid: revoked != 0})
		if err != nil {
			if !strings.Contains(err.Error(), "damaged") {
				t.Errorf("error %q does not say the token is damaged", err)
			}
			return
		}
		if err := tok.Check(); err != nil {
			t.Errorf("decoded token fails Check: %v", err)
		}
	})
}

// FuzzDecodeChangeset: whatever a changesets row holds, decodeChangeset
// returns an error or a changeset with sorted layer ids, counts not
// negative and a box or none; it never panics.
func FuzzDecodeChangeset(f *testing.F) {
	f.Add(`["a","b"]`, 1, 0, 0, 1.0, 2.0, 3.0, 4.0, true, true)
	f.Add(`["b","a"]`, 0, 0, 0, 0.0, 0.0, 0.0, 0.0, false, true)
	f.Add(`null`, -1, 0, 0, 5.0, 0.0, 1.0, 1.0, true, false)
	f.Add(`[""]`, 0, 0, 0, 0.0, 0.0, 0.0, 0.0, false, true)
	f.Fuzz(func(t *testing.T, layers string, created, changed, deleted int, minx, miny, maxx, maxy float64, box, whole bool) {
		cs := geo.Changeset{ID: 7, Created: created, Changed: changed, Deleted: deleted}
		n := func(x float64) sql.NullFloat64 { return sql.NullFloat64{Float64: x, Valid: box} }
		setBound(&cs, n(minx), n(miny), n(maxx), n(maxy))
		if err := decodeChangeset(&cs, layers, whole); err != nil {
			if !strings.Contains(err.Error(), "changeset 7 is damaged") {
				t.Errorf("error %q does not name the damaged changeset", err)
			}
			return
		}
		if !slices.IsSorted(cs.Layers) || cs.Created < 0 || cs.Changed < 0 || cs.Deleted < 0 {
			t.Errorf("accepted %+v", cs)
		}
		if !cs.Empty && !(cs.BBox.Min[0] <= cs.BBox.Max[0] && cs.BBox.Min[1] <= cs.BBox.Max[1]) {
			t.Errorf("accepted the box %v", cs.BBox)
		}
	})
}

// TestDamagedHistoryRows: rows of tokens, changesets and features
// damaged on disk give an error naming what is damaged, never a panic or
// a silently wrong answer.
func TestDamagedHistoryRows(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		damage string
		read   func(db *DB) error
		want   string
	}{
		{"token layers not JSON", "UPDATE tokens SET layers = '[\"a\"'", func(db *DB) error { _, err := db.Tokens(ctx); return err }, `token "w" is damaged`},
		{"token hash too short", "UPDATE tokens SET hash = x'00'", func(db *DB) error { _, err := db.Tokens(ctx); return err }, `token "w" is damaged`},
		{"changeset layers not JSON", "UPDATE changesets SET layers = 'x'", func(db *DB) error {
			_, err := snapOfDB(t, db).Changes(ctx, geo.ChangeFilter{})
			return err
		}, "is damaged"},
		{"changeset half a box", "UPDATE changesets SET minx = NULL", func(db *DB) error {
			_, _, err := snapOfDB(t, db).Changeset(ctx, snapOfDB(t, db).Version())
			return err
		}, "is damaged"},
		{"changeset of a version missing", "DELETE FROM changesets", func(db *DB) error {
			_, err := snapOfDB(t, db).History(ctx, "a", "p")
			return err
		}, "is missing"},
		{"version number 0", "UPDATE features SET ver = 0", func(db *DB) error {
			_, err := snapOfDB(t, db).Feature(ctx, "a", "p")
			return err
		}, "is damaged"},
		{"overlay row with bad bounds", "UPDATE features SET minx = 1e999 WHERE id = 'q'", func(db *DB) error {
			_, err := snapOfDB(t, db).Search(ctx, geo.Filter{Layer: "a", Time: geo.Always}, nil)
			return err
		}, "is damaged"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "d.db")
			db := openMode(t, path, syncIndex)
			if err := db.PutToken(ctx, geo.Token{Name: "w", Hash: make([]byte, 32), Layers: []string{"a"}}); err != nil {
				t.Fatal(err)
			}
			p := func(id string) *geo.Feature {
				return &geo.Feature{ID: id, Layer: "a", Geometry: orbPoint(34, 31), Valid: geo.Always, Sources: []geo.Source{{Title: "s"}}}
			}
			if _, err := db.Import(ctx, geo.ChangeNote{Author: "t"}, geo.Layer{ID: "a", Title: "A", Kind: geo.KindPoint}, geo.Append, seqOf([]*geo.Feature{p("p")})); err != nil {
				t.Fatal(err)
			}
			// The index is built now: the commit below is in its overlay,
			// read from the file, as another process made it (what this
			// handle commits, it learns without reading it back).
			if _, err := snapOfDB(t, db).Search(ctx, geo.Filter{Layer: "a", Time: geo.Always}, nil); err != nil {
				t.Fatal(err)
			}
			other := openMode(t, path, syncIndex)
			if _, err := other.Commit(ctx, geo.Commit{Note: geo.ChangeNote{Author: "t"}, Edits: []geo.Edit{{Op: geo.OpCreate, Layer: "a", ID: "q", Feature: p("q")}}}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.db.ExecContext(ctx, tc.damage); err != nil {
				t.Fatal(err)
			}
			time.Sleep(Recheck) // another handle's write is seen within it
			err := tc.read(db)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}
