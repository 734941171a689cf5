package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"strata/geo"
)

var bg = context.Background()

func pt(l, id string, lon, lat float64, rev string) *geo.Feature {
	return &geo.Feature{ID: id, Layer: l, Name: "Name " + id, Kind: "k", Geometry: orb.Point{lon, lat},
		Properties: json.RawMessage(fmt.Sprintf(`{"z":1,"rev":%q,"a":[1,2]}`, rev)),
		Valid:      geo.Interval{Start: 1760054400000, End: geo.OpenEnd}, PrecisionM: 50,
		Sources: []geo.Source{{Title: "Source", URL: "https://example.org/" + id}}}
}

func seqOf(fs ...*geo.Feature) iter.Seq2[*geo.Feature, error] {
	return func(yield func(*geo.Feature, error) bool) {
		for _, f := range fs {
			if !yield(f, nil) {
				return
			}
		}
	}
}

// buildHistory writes a store with every kind of record: layers (one
// changed after the last changeset), imports appending and replacing,
// commits creating, replacing, deleting and re-creating, a revert, tokens
// (one revoked) and a briefing.
func buildHistory(t *testing.T, s *Store) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	la := geo.Layer{ID: "a", Title: "A", Kind: geo.KindMixed, Style: geo.Style{Color: "#123456", Marker: "star"}, Order: 2, Group: "G"}
	lb := geo.Layer{ID: "b", Title: "B", Kind: geo.KindPoint, Order: 1, Licence: "ODbL-1.0"}
	lz := geo.Layer{ID: "z-empty", Title: "Empty", Kind: geo.KindPolygon}
	must(s.PutLayer(bg, lz))
	_, err := s.Import(bg, geo.ChangeNote{Author: "import", Comment: "first"}, la, geo.Append, seqOf(pt("a", "p1", 34, 31, "1"), pt("a", "p2", 34.5, 31.5, "1")))
	must(err)
	line := pt("a", "l1", 0, 0, "1")
	line.Geometry = orb.LineString{{34.1, 31.1}, {34.2, 31.3}}
	_, err = s.Import(bg, geo.ChangeNote{Author: "import"}, lb, geo.Append, seqOf(pt("b", "q1", 10, 10, "1"), pt("b", "q2", 11, 11, "1")))
	must(err)
	_, err = s.Import(bg, geo.ChangeNote{Author: "import"}, la, geo.Append, seqOf(line))
	must(err)
	_, err = s.Commit(bg, geo.Commit{Note: geo.ChangeNote{Author: "w", Comment: "edit"}, Edits: []geo.Edit{
		{Op: geo.OpReplace, Layer: "a", ID: "p1", Feature: pt("a", "p1", 34.1, 31.1, "2"), IfVersion: 1},
		{Op: geo.OpDelete, Layer: "b", ID: "q1", IfVersion: 1},
		{Op: geo.OpCreate, Layer: "a", ID: "p3", Feature: pt("a", "p3", 35, 32, "1")},
	}})
	must(err)
	cs, err := s.Commit(bg, geo.Commit{Note: geo.ChangeNote{Author: "w"}, Edits: []geo.Edit{
		{Op: geo.OpCreate, Layer: "b", ID: "q1", Feature: pt("b", "q1", 12, 12, "2"), IfVersion: 1},
	}})
	must(err)
	sn, err := s.Snapshot(bg)
	must(err)
	rc, err := geo.RevertCommit(bg, sn, cs.ID, geo.ChangeNote{Author: "carol"})
	must(err)
	_, err = s.Commit(bg, rc)
	must(err)
	_, err = s.Import(bg, geo.ChangeNote{Author: "import", Comment: "replace"}, lb, geo.Replace, seqOf(pt("b", "q2", 11.5, 11.5, "2"), pt("b", "q9", 9, 9, "1")))
	must(err)
	t0 := time.Date(2025, 10, 10, 12, 0, 0, 123000, time.UTC)
	must(s.PutToken(bg, geo.Token{Name: "writer", Hash: make([]byte, 32), Layers: []string{"a"}, Created: t0, Expires: t0.Add(time.Hour)}))
	must(s.PutToken(bg, geo.Token{Name: "admin", Hash: slices.Repeat([]byte{7}, 32), Layers: []string{"*"}, Created: t0, Unconditional: true}))
	must(s.RevokeToken(bg, "writer", t0.Add(time.Minute)))
	zoom := 8.0
	must(s.PutBriefing(bg, geo.Briefing{ID: "br", Title: "Briefing", Steps: []geo.Step{{ID: "s1", Title: "One", Date: "2025-10-10",
		View: geo.View{Center: &[2]float64{34, 31}, Zoom: &zoom}, Layers: []string{"a"}, Caption: "C", Sources: []geo.Source{{Title: "S"}}}}}))
	la.Title = "A, renamed after the last changeset"
	must(s.PutLayer(bg, la))
}

// export returns every record Export gives.
func export(t *testing.T, s *Store) []geo.Record {
	t.Helper()
	var out []geo.Record
	if err := s.Export(bg, func(r geo.Record) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func records(rs []geo.Record) iter.Seq2[geo.Record, error] {
	return func(yield func(geo.Record, error) bool) {
		for _, r := range rs {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// dump describes what a store answers: every snapshot from version 0 to
// the current, by SnapshotAt each changeset, each with its features,
// histories and changesets.
func dump(t *testing.T, s *Store) string {
	t.Helper()
	cur, err := s.Snapshot(bg)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := cur.Changes(bg, geo.ChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := fmt.Sprintf("version %d layers %+v\n", cur.Version(), cur.Layers())
	snaps := []geo.Snapshot{cur}
	for _, cs := range changes {
		sn, err := s.SnapshotAt(bg, cs.RecordedAt)
		if err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, sn)
	}
	for _, sn := range snaps {
		out += fmt.Sprintf("snapshot %d\n", sn.Version())
		for _, l := range sn.Layers() {
			_, err := sn.Search(bg, geo.Filter{Layer: l.ID, Time: geo.Always}, func(f *geo.Feature) error {
				h, err := sn.History(bg, l.ID, f.ID)
				if err != nil {
					return err
				}
				j, _ := json.Marshal(h)
				out += fmt.Sprintf("  %s/%s v%d %v %s %s\n", l.ID, f.ID, f.Version, f.Geometry, f.Properties, j)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		cs, _ := sn.Changes(bg, geo.ChangeFilter{})
		for _, c := range cs {
			_, entries, err := sn.Changeset(bg, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			out += fmt.Sprintf("  changeset %+v %+v\n", c, entries)
		}
	}
	return out
}

// TestArchiveRoundTrip: Export, Restore into a fresh database, Export
// again: the same records, byte for byte as JSON, and the same answers.
func TestArchiveRoundTrip(t *testing.T) {
	src, _ := openTest(t, Options{})
	buildHistory(t, src)
	first := export(t, src)
	kinds := map[string]int{}
	for _, r := range first {
		switch {
		case r.Layer != nil:
			kinds["layer"]++
		case r.Token != nil:
			kinds["token"]++
		case r.Briefing != nil:
			kinds["briefing"]++
		case r.Changeset != nil:
			kinds["changeset"]++
		case r.Row != nil:
			kinds["row"]++
			if r.Row.To != 0 {
				kinds["closed row"]++
			}
		}
	}
	if want := map[string]int{"layer": 3, "token": 2, "briefing": 1, "changeset": 7, "row": 10, "closed row": 4}; !reflect.DeepEqual(kinds, want) {
		t.Fatalf("the export holds %v records, want %v", kinds, want)
	}
	if last := first[len(first)-1]; last.Version != 11 {
		t.Fatalf("the last record is %+v, want the data version 11", last)
	}

	dst, _ := openTest(t, Options{})
	if err := dst.Restore(bg, records(first)); err != nil {
		t.Fatal(err)
	}
	second := export(t, dst)
	if !reflect.DeepEqual(first, second) {
		t.Errorf("the export of the restored store differs")
	}
	a, _ := json.Marshal(first)
	b, _ := json.Marshal(second)
	if string(a) != string(b) {
		t.Errorf("the exports differ as JSON:\n%s\n%s", a, b)
	}
	if da, db := dump(t, src), dump(t, dst); da != db {
		t.Errorf("the restored store answers otherwise:\n%s\nwant\n%s", db, da)
	}
	// The restored store goes on: a new feature comes after the others.
	cs, err := dst.Commit(bg, geo.Commit{Note: geo.ChangeNote{Author: "w"}, Edits: []geo.Edit{{Op: geo.OpCreate, Layer: "b", ID: "new", Feature: pt("b", "new", 1, 1, "")}}})
	if err != nil || cs.ID != 12 {
		t.Fatalf("commit after restore: %+v, %v", cs, err)
	}
	var ids []string
	sn, _ := dst.Snapshot(bg)
	sn.Search(bg, geo.Filter{Layer: "b", Time: geo.Always}, func(f *geo.Feature) error { ids = append(ids, f.ID); return nil })
	if !slices.Equal(ids, []string{"q2", "q9", "new"}) {
		t.Errorf("after a commit on the restored store, layer b = %v", ids)
	}

	// Into a store that is not empty: ErrConflict, nothing changed.
	before := export(t, dst)
	if err := dst.Restore(bg, records(first)); !errors.Is(err, geo.ErrConflict) {
		t.Errorf("Restore into a non-empty store: %v, want ErrConflict", err)
	}
	if after := export(t, dst); !reflect.DeepEqual(before, after) {
		t.Errorf("a refused Restore changed the store")
	}
}

// TestRestoreRefuses: an archive that fails halfway, is out of order or
// breaks a rule leaves the store empty.
func TestRestoreRefuses(t *testing.T) {
	src, _ := openTest(t, Options{})
	buildHistory(t, src)
	good := export(t, src)
	firstRow := slices.IndexFunc(good, func(r geo.Record) bool { return r.Row != nil })
	firstCS := slices.IndexFunc(good, func(r geo.Record) bool { return r.Changeset != nil })
	edit := func(f func(rs []geo.Record) []geo.Record) []geo.Record {
		rs := slices.Clone(good)
		return f(rs)
	}
	cases := []struct {
		name string
		seq  iter.Seq2[geo.Record, error]
		kind error
	}{
		{"fails halfway", func(yield func(geo.Record, error) bool) {
			for i, r := range good {
				if i == len(good)/2 {
					yield(geo.Record{}, errors.New("disk on fire"))
					return
				}
				if !yield(r, nil) {
					return
				}
			}
		}, nil},
		{"no version", records(good[:len(good)-1]), geo.ErrInvalid},
		{"layers swapped", records(edit(func(rs []geo.Record) []geo.Record { rs[0], rs[1] = rs[1], rs[0]; return rs })), geo.ErrInvalid},
		{"row before its changeset", records(edit(func(rs []geo.Record) []geo.Record {
			rs[firstCS], rs[firstCS+1] = rs[firstCS+1], rs[firstCS]
			return rs
		})), geo.ErrInvalid},
		{"row of another changeset", records(edit(func(rs []geo.Record) []geo.Record {
			row := *rs[firstRow].Row
			row.From = 99
			rs[firstRow].Row = &row
			return rs
		})), geo.ErrInvalid},
		{"row of an unknown layer", records(edit(func(rs []geo.Record) []geo.Record {
			row := *rs[firstRow].Row
			row.Layer = "nope"
			rs[firstRow].Row = &row
			return rs
		})), geo.ErrInvalid},
		{"invalid feature", records(edit(func(rs []geo.Record) []geo.Record {
			row := *rs[firstRow].Row
			f := *row.Feature
			f.Sources = nil
			row.Feature = &f
			rs[firstRow].Row = &row
			return rs
		})), geo.ErrInvalid},
		{"row twice", records(edit(func(rs []geo.Record) []geo.Record {
			return slices.Insert(rs, firstRow+1, rs[firstRow])
		})), geo.ErrInvalid},
		{"record after the version", records(append(slices.Clone(good), geo.Record{Version: 99})), geo.ErrInvalid},
		{"version before the last changeset", records(edit(func(rs []geo.Record) []geo.Record { rs[len(rs)-1].Version = 2; return rs })), geo.ErrInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst, _ := openTest(t, Options{})
			err := dst.Restore(bg, c.seq)
			if err == nil || (c.kind != nil && !errors.Is(err, c.kind)) {
				t.Fatalf("Restore: %v, want an error of kind %v", err, c.kind)
			}
			sn, err := dst.Snapshot(bg)
			if err != nil {
				t.Fatal(err)
			}
			if got := export(t, dst); len(sn.Layers()) != 0 || len(got) != 1 || got[0].Version != 1 {
				t.Errorf("after a refused Restore the store holds %d records, version %d", len(got), sn.Version())
			}
		})
	}
}
