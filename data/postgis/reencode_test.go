package postgis

import (
	"bytes"
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"strata/geo"
	"strata/geo/geojson"
)

// TestMigrationReencodes opens a database whose stored GeoJSON is in the
// form written before migration 2 (valid_from and valid_to as dates, no
// citation) and checks that opening it re-encodes every row, current and
// replaced, so that items pages (served from the stored GeoJSON) give
// date-times and the citation.
func TestMigrationReencodes(t *testing.T) {
	bg := context.Background()
	s, url := openTest(t, Options{})
	l := geo.Layer{ID: "a", Title: "A", Kind: geo.KindPoint}
	if err := s.PutLayer(bg, l); err != nil {
		t.Fatal(err)
	}
	day := pt("a", "p2", 34.5, 31.5, "1")
	day.Valid = geo.Interval{Start: 1760054400000, End: 1760054400000 + geo.DayMillis}
	for _, rev := range []string{"1", "2"} { // p1 twice: a replaced row too
		if _, err := s.Import(bg, geo.ChangeNote{Author: "import"}, l, geo.Replace, seqOf(pt("a", "p1", 34, 31, rev), day)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	// The database as the code before migration 2 left it.
	conn, err := pgx.Connect(bg, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(bg)
	tag, err := conn.Exec(bg, `UPDATE features SET json = regexp_replace(replace(json, 'T00:00:00Z"', '"'), ',"citation":"[^"]*"', '')`)
	if err != nil || tag.RowsAffected() < 3 {
		t.Fatalf("writing the old form: %v, %d rows", err, tag.RowsAffected())
	}
	if _, err := conn.Exec(bg, `DELETE FROM schema_migrations WHERE version >= 2`); err != nil {
		t.Fatal(err)
	}
	var old string
	if err := conn.QueryRow(bg, `SELECT json FROM features WHERE id = 'p2'`).Scan(&old); err != nil || !bytes.Contains([]byte(old), []byte(`"valid_from":"2025-10-10","valid_to":"2025-10-11"`)) {
		t.Fatalf("old form not written: %s %v", old, err)
	}

	s2, err := Open(bg, url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	snap, err := s2.Snapshot(bg)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	_, err = snap.Search(bg, geo.Filter{Layer: "a", Time: geo.Always, Encoded: true}, func(f *geo.Feature) error {
		whole, err := snap.Feature(bg, "a", f.ID)
		if err != nil {
			return err
		}
		whole.Name, whole.Kind, whole.Version = "", "", 0
		if want := geojson.AppendFeature(nil, whole); !bytes.Equal(f.JSON, want) {
			t.Errorf("%s served as\n%s\nwant\n%s", f.ID, f.JSON, want)
		}
		n++
		return nil
	})
	if err != nil || n != 2 {
		t.Fatalf("search: %d features, %v", n, err)
	}
	var stale int
	if err := conn.QueryRow(bg, `SELECT count(*) FROM features WHERE json NOT LIKE '%"citation":%' OR json LIKE '%"valid_from":"2025-10-10"%'`).Scan(&stale); err != nil || stale != 0 {
		t.Errorf("%d rows (replaced ones included) still in the old form (%v)", stale, err)
	}
}
