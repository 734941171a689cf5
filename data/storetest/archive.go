package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"strata/data/archive"
	"strata/geo"
)

// RunArchive runs the archive part of the contract suite (geo.Archiver,
// geo/archive.go): a store with history exported and restored into a new
// store exports the same records, byte for byte once encoded, and answers
// every query as the original does, for now and for every changeset's
// instant; the next write continues its versions; Restore refuses a store
// that is not empty, keeps nothing of an archive that fails halfway, and
// refuses records that are invalid or out of order. Run calls it, so
// every store runs it. It uses nothing of an engine but the contract.
func RunArchive(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"RoundTrip", testArchiveRoundTrip},
		{"NotEmpty", testArchiveNotEmpty},
		{"FailsHalfway", testArchiveFailsHalfway},
		{"Invalid", testArchiveInvalid},
		{"ExportStops", testArchiveExportStops},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

// openClosed returns a new, empty store, closed at the end of the test.
func openClosed(t *testing.T, open Opener) geo.Store {
	t.Helper()
	s := open(t)
	t.Cleanup(func() { s.Close() })
	return s
}

// archiveUniverse lists the layers and ids buildArchived writes.
var archiveUniverse = map[string][]string{
	"places": {"p1", "p2", "p3", "p4", "p5"},
	"lines":  {"l1", "l2"},
	"zones":  {"z1"},
}

// buildArchived fills s with every kind of record an archive holds:
// layers (one changed after the last changeset), tokens (one revoked, one
// unconditional, one expiring), briefings, and changesets that import,
// replace, delete, create a deleted id again, replace a whole layer and
// revert, with properties whose bytes a careless copy would change. It
// returns the changesets, oldest first.
func buildArchived(t *testing.T, s geo.Store) []geo.Changeset {
	t.Helper()
	t0 := time.Date(2025, 10, 10, 12, 0, 0, 123456000, time.UTC)
	hash := func(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }
	for _, tk := range []geo.Token{
		{Name: "desk", Hash: hash(1), Layers: []string{"*"}, Created: t0},
		{Name: "field", Hash: hash(2), Layers: []string{"places", "lines"}, Created: t0.Add(time.Minute), Expires: t0.Add(720 * time.Hour)},
		{Name: "qgis", Hash: hash(3), Layers: []string{"zones"}, Created: t0.Add(2 * time.Minute), Unconditional: true},
		{Name: "gone", Hash: hash(4), Layers: []string{"*"}, Created: t0.Add(3 * time.Minute)},
	} {
		if err := s.PutToken(bg, tk); err != nil {
			t.Fatalf("PutToken(%s): %v", tk.Name, err)
		}
	}
	if err := s.RevokeToken(bg, "gone", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	places := geo.Layer{ID: "places", Title: "Places", Description: "Named places", Kind: geo.KindPoint, Group: "Ground",
		Style: geo.Style{Color: "#f2c500", Marker: "star"}, Attribution: "Strata tests", Licence: "CC0", Order: 2}
	lines := geo.Layer{ID: "lines", Title: "Lines", Kind: geo.KindLine, Style: geo.Style{Color: "#336699", Dash: "6 4"}, Order: 1}
	zones := geo.Layer{ID: "zones", Title: "Zones", Kind: geo.KindMixed, Style: geo.Style{Color: "#990000"}, Order: 1}
	for _, l := range []geo.Layer{places, lines, zones} {
		if err := s.PutLayer(bg, l); err != nil {
			t.Fatalf("PutLayer(%s): %v", l.ID, err)
		}
	}
	pt := func(id string, lon, lat float64, props string) *geo.Feature {
		f := point(id, lon, lat, "2025-10-10", "")
		f.Layer, f.Properties = "places", json.RawMessage(props)
		return f
	}
	p1 := pt("p1", 34.4671, 31.5017, `{"name":"Name p1","kind":"test","z":1,"a":[1.50,2e3],"note":"<b>&amp;</b> \u00fc\u2028"}`)
	p2 := pt("p2", 34.3, 31.4, `{"name": "spaced",  "n" : 1 }`)
	p2.Valid = geo.Interval{Start: day("2025-10-12") + 3_600_123, End: day("2025-10-13") + 1}
	p3 := pt("p3", 34.1, 31.2, `{}`)
	p3.PrecisionM, p3.Sources = 12.5, []geo.Source{{Title: "A", Publisher: "B", Date: "2025-10-11", URL: "https://example.org/x?a=1&b=2", Note: "n"}, {Title: "Second"}}
	cs := []geo.Changeset{}
	cs = append(cs, mustImportNote(t, s, note("import", "first"), "places", geo.Append, p1, p2, p3))
	l1 := &geo.Feature{ID: "l1", Layer: "lines", Name: "Road", Geometry: orb.LineString{{34, 31}, {34.25, 31.125}, {34.5, 31}},
		Properties: json.RawMessage(`{"name":"Road"}`), Valid: geo.Always, PrecisionM: 0, Sources: testSources}
	if _, err := s.Import(bg, note("import", "lines"), lines, geo.Append, features(l1)); err != nil {
		t.Fatal(err)
	}
	cs = append(cs, lastChangeset(t, s))
	moved := pt("p1", 34.5, 31.55, `{"name":"Name p1","rev":"2"}`)
	p4 := pt("p4", 34.2, 31.3, `{"name":"Name p4"}`)
	cs = append(cs, mustCommit(t, s, note("field", "move, drop, add"), replace(moved, 1), del("places", "p2", 1), create(p4)))
	again := pt("p2", 34.31, 31.41, `{"name":"back"}`)
	cs = append(cs, mustCommit(t, s, note("desk", ""), create(again)))
	zone := &geo.Feature{ID: "z1", Layer: "zones", Geometry: orb.Polygon{{{34, 31}, {35, 31}, {35, 32}, {34, 31}}, {{34.6, 31.2}, {34.8, 31.2}, {34.8, 31.3}, {34.6, 31.2}}},
		Properties: json.RawMessage(`{"kind":"area"}`), Kind: "area", Valid: geo.Interval{Start: geo.OpenStart, End: day("2025-10-20")}, PrecisionM: 1000, Sources: testSources}
	l2 := &geo.Feature{ID: "l2", Layer: "zones", Geometry: orb.MultiPoint{{34, 31}, {34.1, 31.1}}, Properties: json.RawMessage(`{"k":null}`), Valid: geo.Always, PrecisionM: 5, Sources: testSources}
	l2.ID = "l2"
	cs = append(cs, mustCommit(t, s, note("qgis", "zone"), create(zone)))
	// A Replace import: p1 and p3 stay (replaced), p4 and p2 go, p5 comes.
	p5 := pt("p5", 34.6, 31.6, `{"name":"Name p5"}`)
	p3b := pt("p3", 34.11, 31.21, `{"name":"Name p3","rev":"2"}`)
	p1c := pt("p1", 34.52, 31.56, `{"name":"Name p1","rev":"3"}`)
	cs = append(cs, mustImportNote(t, s, note("import", "replace"), "places", geo.Replace, p5, p3b, p1c))
	// An edit and its revert.
	reroute := *l1
	reroute.Geometry = orb.LineString{{34, 31}, {34.75, 31.25}}
	edit := mustCommit(t, s, note("field", "reroute"), replace(&reroute, 1))
	rc, err := geo.RevertCommit(bg, snap(t, s), edit.ID, note("desk", ""))
	if err != nil {
		t.Fatal(err)
	}
	reverted, err := s.Commit(bg, rc)
	if err != nil {
		t.Fatal(err)
	}
	reverted.Written = nil
	cs = append(cs, edit, reverted)
	zoom := 8.5
	for _, b := range []geo.Briefing{
		{ID: "b2", Title: "Second", Steps: []geo.Step{{ID: "s1", Title: "One", Date: "2025-10-10/2025-10-17",
			View: geo.View{Center: &[2]float64{34.4, 31.4}, Zoom: &zoom}, Layers: []string{"places"}, Caption: "C <b>", Sources: testSources}}},
		{ID: "b1", Title: "First", Description: "About", Steps: []geo.Step{{ID: "s1", Title: "One", Date: "2025-10-10",
			View: geo.View{Bounds: &[4]float64{34, 31, 35, 32}}, Layers: []string{"places", "lines"}, Highlight: []string{"places/p1"},
			Caption: "Text.\n\nMore at https://example.org", Sources: testSources, Notes: "Say it", HoldSeconds: 2.5}}},
	} {
		if err := s.PutBriefing(bg, b); err != nil {
			t.Fatalf("PutBriefing(%s): %v", b.ID, err)
		}
	}
	// Layer metadata changed after the last changeset: the data version
	// is then above the last changeset's id.
	places.Title = "Places (renamed)"
	if err := s.PutLayer(bg, places); err != nil {
		t.Fatal(err)
	}
	for i := range cs {
		cs[i].Written = nil
	}
	return cs
}

// exportOf returns the records of s's export and their encoding.
func exportOf(t *testing.T, s geo.Store) ([]geo.Record, []byte) {
	t.Helper()
	var (
		recs []geo.Record
		buf  bytes.Buffer
	)
	enc := archive.NewEncoder(&buf)
	err := s.Export(bg, func(r geo.Record) error {
		recs = append(recs, r)
		return enc.Encode(r)
	})
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	return recs, buf.Bytes()
}

// records yields recs, then err if it is not nil.
func records(recs []geo.Record, err error) iter.Seq2[geo.Record, error] {
	return func(yield func(geo.Record, error) bool) {
		for _, r := range recs {
			if !yield(r, nil) {
				return
			}
		}
		if err != nil {
			yield(geo.Record{}, err)
		}
	}
}

// dumpStore serialises what s answers: its current snapshot, the
// snapshot at each changeset's instant and 1µs before it, tokens and
// briefings.
func dumpStore(t *testing.T, s geo.Store, cs []geo.Changeset) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(dumpSnapshot(t, snap(t, s), archiveUniverse))
	for _, c := range cs {
		for _, at := range []time.Time{c.RecordedAt, c.RecordedAt.Add(-time.Microsecond)} {
			sn, err := s.SnapshotAt(bg, at)
			if err != nil {
				t.Fatalf("SnapshotAt(%v): %v", at, err)
			}
			fmt.Fprintf(&b, "at %s:\n%s", fmtTime(at), dumpSnapshot(t, sn, archiveUniverse))
		}
	}
	ts, err := s.Tokens(bg)
	fmt.Fprintf(&b, "tokens %s %s\n", jsonOf(ts), errKind(err))
	bs, err := s.Briefings(bg)
	fmt.Fprintf(&b, "briefings %s %s\n", jsonOf(bs), errKind(err))
	return b.String()
}

// testArchiveRoundTrip: a restored store exports what the original did,
// byte for byte, answers every query alike, now and at each changeset's
// instant, and takes the next write as the original does.
func testArchiveRoundTrip(t *testing.T, open Opener) {
	src := openClosed(t, open)
	cs := buildArchived(t, src)
	recs, enc := exportOf(t, src)
	if last := recs[len(recs)-1]; last.Version != snap(t, src).Version() || last.Version <= cs[len(cs)-1].ID {
		t.Fatalf("the last record is %+v; want the data version %d, above the last changeset %d", last, snap(t, src).Version(), cs[len(cs)-1].ID)
	}
	kinds := map[string]int{}
	for _, r := range recs {
		kinds[strings.Fields(describe(r))[0]]++
	}
	if want := map[string]int{"layer": 3, "token": 4, "briefing": 2, "changeset": len(cs), "row": 13, "version": 1}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("the export holds %v; want %v", kinds, want)
	}
	dst := openClosed(t, open)
	// The records go through the archive file format on the way.
	if err := dst.Restore(bg, archive.Decode(bytes.NewReader(enc))); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	again, enc2 := exportOf(t, dst)
	if !bytes.Equal(enc, enc2) {
		t.Errorf("the restored store's export differs:\n%s\nwant\n%s", enc2, enc)
	}
	if !reflect.DeepEqual(again, recs) {
		t.Errorf("the restored store's records differ from the original's:\n%s\nwant\n%s", describeAll(again), describeAll(recs))
	}
	if got, want := dumpStore(t, dst, cs), dumpStore(t, src, cs); got != want {
		t.Errorf("the restored store answers\n%s\nwant\n%s", got, want)
	}
	// The next write: the same changeset id and version numbers, a new
	// feature last and a replaced one in its place.
	var after []string // each store's dump, with the new changeset's record time
	for _, s := range []geo.Store{src, dst} {
		c := mustCommit(t, s, note("after", ""), create(feat("places", "p6", 34.7, 31.7, "")), replace(feat("places", "p5", 34.61, 31.61, "2"), 1),
			create(feat("places", "p2", 34.3, 31.4, "3")))
		if want := recs[len(recs)-1].Version + 1; c.ID != want || !slices.Equal(c.Written, []int{1, 2, 3}) {
			t.Errorf("the next commit is changeset %d writing versions %v; want %d writing [1 2 3]", c.ID, c.Written, want)
		}
		if got := ids(t, s, geo.Filter{Layer: "places", Time: geo.Always}); !slices.Equal(got, []string{"p5", "p3", "p1", "p6", "p2"}) {
			t.Errorf("places after the next commit, in stable order: %v", got)
		}
		// The export shows the places (Pos) the new versions took.
		_, enc := exportOf(t, s)
		after = append(after, strings.NewReplacer(fmtTime(c.RecordedAt), "(now)", c.RecordedAt.Format(time.RFC3339Nano), "(now)").
			Replace(dumpSnapshot(t, snap(t, s), archiveUniverse)+string(enc)))
	}
	if after[1] != after[0] {
		t.Errorf("after the next commit the restored store answers\n%s\nwant\n%s", after[1], after[0])
	}
}

// describe names what a record holds, and its content, for messages.
func describe(r geo.Record) string {
	switch {
	case r.Layer != nil:
		return "layer " + jsonOf(r.Layer)
	case r.Token != nil:
		return "token " + jsonOf(r.Token)
	case r.Briefing != nil:
		return "briefing " + jsonOf(r.Briefing)
	case r.Changeset != nil:
		return "changeset " + fmtCS(*r.Changeset)
	case r.Row != nil:
		f := *r.Row.Feature
		return fmt.Sprintf("row %s pos %d from %d to %d %s", r.Row.Layer, r.Row.Pos, r.Row.From, r.Row.To, jsonOf(f))
	}
	return fmt.Sprintf("version %d", r.Version)
}

func describeAll(recs []geo.Record) string { return strings.Join(fmtAll(recs, describe), "\n") }

// emptyDump is what an empty store answers, to compare with.
func emptyDump(t *testing.T, s geo.Store) string {
	t.Helper()
	ts, err := s.Tokens(bg)
	if err != nil {
		t.Fatal(err)
	}
	bs, err := s.Briefings(bg)
	if err != nil {
		t.Fatal(err)
	}
	sn := snap(t, s)
	cs, err := sn.Changes(bg, geo.ChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("layers %d changesets %d tokens %d briefings %d", len(sn.Layers()), len(cs), len(ts), len(bs))
}

// testArchiveNotEmpty: Restore into a store holding anything (features,
// a layer alone, a token alone, a briefing alone) is ErrConflict and
// changes nothing.
func testArchiveNotEmpty(t *testing.T, open Opener) {
	src := openClosed(t, open)
	buildArchived(t, src)
	recs, enc := exportOf(t, src)
	if err := src.Restore(bg, records(recs, nil)); !errors.Is(err, geo.ErrConflict) {
		t.Errorf("Restore into the store it came from: error %v, want ErrConflict", err)
	}
	if _, after := exportOf(t, src); !bytes.Equal(after, enc) {
		t.Errorf("a refused Restore changed the store:\n%s\nwas\n%s", after, enc)
	}
	zoom := 5.0
	for name, fill := range map[string]func(s geo.Store) error{
		"layer": func(s geo.Store) error { return s.PutLayer(bg, layer("only")) },
		"token": func(s geo.Store) error {
			return s.PutToken(bg, geo.Token{Name: "only", Hash: bytes.Repeat([]byte{9}, 32), Layers: []string{"*"}, Created: time.Now()})
		},
		"briefing": func(s geo.Store) error {
			return s.PutBriefing(bg, geo.Briefing{ID: "only", Title: "T", Steps: []geo.Step{{ID: "s", Title: "S", Date: "2025-10-10",
				View: geo.View{Center: &[2]float64{34, 31}, Zoom: &zoom}, Layers: []string{"x"}, Caption: "c", Sources: testSources}}})
		},
	} {
		s := openClosed(t, open)
		if err := fill(s); err != nil {
			t.Fatal(err)
		}
		before := emptyDump(t, s)
		v := snap(t, s).Version()
		if err := s.Restore(bg, records(recs, nil)); !errors.Is(err, geo.ErrConflict) {
			t.Errorf("Restore into a store holding a %s: error %v, want ErrConflict", name, err)
		}
		if after := emptyDump(t, s); after != before || snap(t, s).Version() != v {
			t.Errorf("a refused Restore into a store holding a %s changed it: %s (version %d), was %s (version %d)", name, after, snap(t, s).Version(), before, v)
		}
	}
}

// testArchiveFailsHalfway: an archive whose sequence fails after some of
// its rows leaves the store empty, and a whole archive restores into it
// afterwards.
func testArchiveFailsHalfway(t *testing.T, open Opener) {
	src := openClosed(t, open)
	buildArchived(t, src)
	recs, enc := exportOf(t, src)
	s := openClosed(t, open)
	want := emptyDump(t, s)
	v := snap(t, s).Version()
	broken := errors.New("the disk is on fire")
	for _, cut := range []int{len(recs) / 2, len(recs) - 1} {
		if err := s.Restore(bg, records(recs[:cut], broken)); !errors.Is(err, broken) {
			t.Errorf("Restore of %d records then an error: %v, want that error", cut, err)
		}
		if got := emptyDump(t, s); got != want || snap(t, s).Version() != v {
			t.Errorf("after a Restore that failed at record %d the store holds %s (version %d), want %s (version %d)", cut, got, snap(t, s).Version(), want, v)
		}
	}
	if err := s.Restore(bg, records(recs, nil)); err != nil {
		t.Fatalf("Restore after failed ones: %v", err)
	}
	if _, got := exportOf(t, s); !bytes.Equal(got, enc) {
		t.Errorf("Restore after failed ones exports\n%s\nwant\n%s", got, enc)
	}
}

// testArchiveInvalid: records out of order, invalid or inconsistent are
// ErrInvalid naming what is wrong, and the store stays empty.
func testArchiveInvalid(t *testing.T, open Opener) {
	src := openClosed(t, open)
	buildArchived(t, src)
	recs, _ := exportOf(t, src)
	find := func(kind string, n int) int {
		for i, r := range recs {
			if strings.HasPrefix(describe(r), kind+" ") {
				if n == 0 {
					return i
				}
				n--
			}
		}
		t.Fatalf("no %s record", kind)
		return -1
	}
	// edit returns a copy of recs in which record i is changed by fn,
	// which gets a deep copy of it.
	edit := func(i int, fn func(r *geo.Record)) []geo.Record {
		out := slices.Clone(recs)
		r := out[i]
		switch {
		case r.Layer != nil:
			c := *r.Layer
			r.Layer = &c
		case r.Token != nil:
			c := *r.Token
			r.Token = &c
		case r.Changeset != nil:
			c := *r.Changeset
			r.Changeset = &c
		case r.Row != nil:
			c, f := *r.Row, *r.Row.Feature
			c.Feature = &f
			r.Row = &c
		}
		fn(&r)
		out[i] = r
		return out
	}
	move := func(from, to int) []geo.Record {
		out := slices.Clone(recs)
		r := out[from]
		out = slices.Delete(out, from, from+1)
		return slices.Insert(out, to, r)
	}
	row, cs := find("row", 0), find("changeset", 0)
	lastRow := -1
	for i, r := range recs {
		if r.Row != nil && r.Row.To == 0 {
			lastRow = i
		}
	}
	cases := []struct {
		name string
		recs []geo.Record
		want string
	}{
		{"no version record", recs[:len(recs)-1], "incomplete"},
		{"a record after the version", append(slices.Clone(recs), geo.Record{Version: recs[len(recs)-1].Version}), "after the version record"},
		{"a token before a layer", move(find("token", 0), 0), "too late"},
		{"a row before its changeset", move(row, cs), "before any changeset"},
		{"a row of another changeset", edit(row, func(r *geo.Record) { r.Row.From++ }), "follows changeset"},
		{"two items in a record", edit(find("layer", 0), func(r *geo.Record) { r.Token = recs[find("token", 0)].Token }), "more than one item"},
		{"layers out of order", move(find("layer", 2), 0), "sorted by order"},
		{"an invalid layer", edit(find("layer", 0), func(r *geo.Record) { r.Layer.Title = "" }), "has no title"},
		{"tokens out of order", move(find("token", 1), find("token", 0)), "sorted by name"},
		{"an invalid token", edit(find("token", 0), func(r *geo.Record) { r.Token.Hash = []byte{1} }), "32 bytes"},
		{"a changeset id repeated", edit(find("changeset", 1), func(r *geo.Record) { r.Changeset.ID = recs[cs].Changeset.ID }), "sorted by id"},
		{"a record time going back", edit(find("changeset", 1), func(r *geo.Record) { r.Changeset.RecordedAt = recs[cs].Changeset.RecordedAt }), "not after changeset"},
		{"a changeset of an unknown layer", edit(cs, func(r *geo.Record) { r.Changeset.Layers = []string{"ghosts", "places"} }), `"ghosts"`},
		{"wrong counts", edit(cs, func(r *geo.Record) { r.Changeset.Created++ }), "its rows make"},
		{"a row of an unknown layer", edit(row, func(r *geo.Record) { r.Row.Layer, r.Row.Feature.Layer = "ghosts", "ghosts" }), "does not list layer"},
		{"a version number skipped", edit(row, func(r *geo.Record) { r.Row.Feature.Version = 2 }), "must be numbered 1"},
		{"an invalid feature", edit(row, func(r *geo.Record) { r.Row.Feature.Sources = nil }), "sources"},
		{"a feature outside its valid years", edit(row, func(r *geo.Record) { r.Row.Feature.Valid.End = geo.MaxTime + 1 }), "valid_to"},
		{"closed by a missing changeset", edit(lastRow, func(r *geo.Record) { r.Row.To = recs[len(recs)-1].Version + 5 }), "does not hold"},
		{"never closed, then written again", edit(find("row", 0), func(r *geo.Record) { r.Row.To = 0 }), "never closed"},
		{"rows out of order", move(row+1, row), "sorted by layer, pos and id"},
		{"a version below the last changeset", edit(len(recs)-1, func(r *geo.Record) { r.Version = recs[cs].Changeset.ID }), "below the last changeset"},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			s := openClosed(t, open)
			want := emptyDump(t, s)
			err := s.Restore(bg, records(c.recs, nil))
			if !errors.Is(err, geo.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Restore: error %v, want ErrInvalid saying %q", err, c.want)
			}
			if got := emptyDump(t, s); got != want {
				t.Errorf("after a refused Restore the store holds %s, want %s", got, want)
			}
		})
	}
}

// testArchiveExportStops: Export stops at fn's error and returns it.
func testArchiveExportStops(t *testing.T, open Opener) {
	s := openClosed(t, open)
	buildArchived(t, s)
	stop := errors.New("stop")
	n := 0
	err := s.Export(bg, func(geo.Record) error {
		if n++; n == 5 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 5 {
		t.Errorf("Export with fn failing at record 5: %v after %d records, want that error after 5", err, n)
	}
}
