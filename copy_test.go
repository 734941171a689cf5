package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"strata/data/archive"
	"strata/data/sqlite"
	"strata/geo"
	"strata/internal/pgtest"
)

// newCopyDB returns a SQLite file holding history of every kind: an
// import by the CLI, edits that replace, delete and create a deleted id
// again, a revert, tokens (one revoked), a briefing, and layer metadata
// changed after the last changeset.
func newCopyDB(t *testing.T) string {
	t.Helper()
	path := newHistoryDB(t)
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pt := func(id string, lon, lat float64, props string) *geo.Feature {
		return &geo.Feature{ID: id, Layer: "test", Name: id, Geometry: orb.Point{lon, lat}, Properties: json.RawMessage(props),
			Valid: geo.Interval{Start: 1760054400000, End: geo.OpenEnd}, PrecisionM: 12.5, Sources: []geo.Source{{Title: "Desk", URL: "https://example.org/?a=1&b=2"}}}
	}
	commit := func(note string, edits ...geo.Edit) geo.Changeset {
		t.Helper()
		cs, err := db.Commit(ctx, geo.Commit{Note: geo.ChangeNote{Author: "desk", Comment: note}, Edits: edits})
		if err != nil {
			t.Fatalf("commit %q: %v", note, err)
		}
		return cs
	}
	commit("move a, drop b, add c",
		geo.Edit{Op: geo.OpReplace, Layer: "test", ID: "a", Feature: pt("a", 34.41, 31.51, `{"name": "A" , "n":1.50}`), IfVersion: 1},
		geo.Edit{Op: geo.OpDelete, Layer: "test", ID: "b", IfVersion: 1},
		geo.Edit{Op: geo.OpCreate, Layer: "test", ID: "c", Feature: pt("c", 34.2, 31.2, `{"note":"<é>"}`)})
	commit("b again", geo.Edit{Op: geo.OpCreate, Layer: "test", ID: "b", Feature: pt("b", 34.05, 31.05, `{}`)})
	last := commit("move c", geo.Edit{Op: geo.OpReplace, Layer: "test", ID: "c", Feature: pt("c", 34.3, 31.3, `{"note":"moved"}`), IfVersion: 1})
	snap, err := db.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	revert, err := geo.RevertCommit(ctx, snap, last.ID, geo.ChangeNote{Author: "desk"})
	if err != nil {
		t.Fatal(err)
	}
	commit(revert.Note.Comment, revert.Edits...)
	at := time.Date(2025, 10, 10, 8, 0, 0, 0, time.UTC)
	for _, tk := range []geo.Token{
		{Name: "desk", Hash: bytes.Repeat([]byte{1}, 32), Layers: []string{"*"}, Created: at},
		{Name: "old", Hash: bytes.Repeat([]byte{2}, 32), Layers: []string{"test"}, Created: at, Expires: at.Add(time.Hour), Unconditional: true},
	} {
		if err := db.PutToken(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.RevokeToken(ctx, "old", at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	zoom := 9.0
	if err := db.PutBriefing(ctx, geo.Briefing{ID: "brief", Title: "Brief", Steps: []geo.Step{{ID: "s1", Title: "One", Date: "2025-10-10",
		View: geo.View{Center: &[2]float64{34.4, 31.5}, Zoom: &zoom}, Layers: []string{"test"}, Caption: "Text", Sources: []geo.Source{{Title: "Desk"}}}}}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutLayer(ctx, geo.Layer{ID: "test", Title: "Test, renamed", Kind: geo.KindMixed, Style: geo.Style{Color: "#123456"}}); err != nil {
		t.Fatal(err)
	}
	return path
}

// exportBytes returns the archive of the store name (a SQLite file or a
// PostgreSQL URL), encoded.
func exportBytes(t *testing.T, name string) []byte {
	t.Helper()
	s, err := openStore(context.Background(), name, false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var buf bytes.Buffer
	enc := archive.NewEncoder(&buf)
	if err := s.Export(context.Background(), enc.Encode); err != nil {
		t.Fatalf("Export(%s): %v", name, err)
	}
	return buf.Bytes()
}

// mustCopy runs strata copy and checks its summary.
func mustCopy(t *testing.T, from, to string) {
	t.Helper()
	code, _, stderr := runCLI(t, "", "copy", "-from", from, "-to", to)
	if code != 0 || !strings.Contains(stderr, "copied ") || !strings.Contains(stderr, " feature versions, data version ") {
		t.Fatalf("copy -from %s -to %s: exit %d\n%s", from, to, code, stderr)
	}
}

func TestCopySQLiteArchiveSQLite(t *testing.T) {
	src := newCopyDB(t)
	want := exportBytes(t, src)
	if n := bytes.Count(want, []byte(`{"row":`)); n != 7 {
		t.Fatalf("the source's export holds %d rows, want 7:\n%s", n, want)
	}
	dir := t.TempDir()
	file, dst := filepath.Join(dir, "strata.jsonl"), filepath.Join(dir, "copy.db")
	code, _, stderr := runCLI(t, "", "copy", "-from", src, "-to", file)
	if code != 0 || !strings.Contains(stderr, "1 layers, 2 tokens, 1 briefings, 5 changesets, 7 feature versions") {
		t.Fatalf("copy to the archive file: exit %d\n%s", code, stderr)
	}
	if got, err := os.ReadFile(file); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("the archive file holds\n%s\n%v\nwant the source's export\n%s", got, err, want)
	}
	mustCopy(t, file, dst)
	if got := exportBytes(t, dst); !bytes.Equal(got, want) {
		t.Errorf("the copy's export\n%s\nwant\n%s", got, want)
	}
	// The copy serves: the current feature, its history and the next
	// write's version.
	db := openDB(t, dst)
	snap, err := db.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if f, err := snap.Feature(context.Background(), "test", "c"); err != nil || f.Version != 3 || f.Geometry != (orb.Point{34.2, 31.2}) {
		t.Errorf("Feature(c) in the copy = %+v, %v; want version 3 (the revert) at 34.2,31.2", f, err)
	}
	if h, err := snap.History(context.Background(), "test", "b"); err != nil || len(h) != 2 || h[1].ClosedBy == 0 {
		t.Errorf("History(b) in the copy = %+v, %v", h, err)
	}
}

func TestCopySQLiteToSQLite(t *testing.T) {
	src := newCopyDB(t)
	want := exportBytes(t, src)
	dst := filepath.Join(t.TempDir(), "copy.db")
	mustCopy(t, src, dst)
	if got := exportBytes(t, dst); !bytes.Equal(got, want) {
		t.Errorf("the copy's export\n%s\nwant\n%s", got, want)
	}
	// The source is read only.
	if again := exportBytes(t, src); !bytes.Equal(again, want) {
		t.Errorf("copying changed the source")
	}
}

// Copying into a target that holds anything fails and leaves it as it
// was; a copy that fails halfway leaves no target behind.
func TestCopyRefuses(t *testing.T) {
	src := newCopyDB(t)
	dir := t.TempDir()
	// A SQLite target holding one layer.
	target := filepath.Join(dir, "busy.db")
	if code, _, stderr := runCLI(t, validFC, "import", "-db", target, "-layer", "other", "-q", "-"); code != 0 {
		t.Fatal(stderr)
	}
	before := exportBytes(t, target)
	code, _, stderr := runCLI(t, "", "copy", "-from", src, "-to", target)
	if code != 1 || !strings.Contains(stderr, "not empty") {
		t.Errorf("copy into a database holding a layer: exit %d\n%s", code, stderr)
	}
	if after := exportBytes(t, target); !bytes.Equal(after, before) {
		t.Errorf("a refused copy changed the target:\n%s\nwas\n%s", after, before)
	}
	// An archive file that exists.
	file := filepath.Join(dir, "taken.jsonl")
	if err := os.WriteFile(file, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "", "copy", "-from", src, "-to", file); code != 1 || !strings.Contains(stderr, "not empty") {
		t.Errorf("copy into an existing archive file: exit %d\n%s", code, stderr)
	}
	if b, _ := os.ReadFile(file); string(b) != "mine\n" {
		t.Errorf("a refused copy changed the file: %q", b)
	}
	// A truncated archive: nothing is created.
	whole := filepath.Join(dir, "whole.jsonl")
	mustCopy(t, src, whole)
	data, err := os.ReadFile(whole)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.jsonl")
	if err := os.WriteFile(cut, data[:bytes.LastIndex(data, []byte(`{"version"`))], 0o644); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "new.db")
	if code, _, stderr := runCLI(t, "", "copy", "-from", cut, "-to", dst); code != 1 || !strings.Contains(stderr, "incomplete") {
		t.Errorf("copy of a truncated archive: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed copy left %s behind: %v", dst, err)
	}
	// Usage errors.
	for _, args := range [][]string{{"copy", "-from", src}, {"copy", "-from", src, "-to", src}, {"copy", "-from", src, "-to", dst, "extra"}} {
		if code, _, stderr := runCLI(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, stderr)
		}
	}
	if code, _, stderr := runCLI(t, "", "copy", "-from", filepath.Join(dir, "none.db"), "-to", dst); code != 1 || !strings.Contains(stderr, "does not exist") {
		t.Errorf("copy from a missing file: exit %d\n%s", code, stderr)
	}
}

// SQLite → PostgreSQL → SQLite keeps every layer, feature version,
// changeset, token and briefing: the exports are byte-identical. It needs
// a PostgreSQL test cluster (STRATA_TEST_POSTGRES, see internal/pgtest)
// and skips without one.
func TestCopyThroughPostgres(t *testing.T) {
	url := pgtest.URL(t)
	src := newCopyDB(t)
	want := exportBytes(t, src)
	mustCopy(t, src, url)
	if got := exportBytes(t, url); !bytes.Equal(got, want) {
		t.Errorf("PostgreSQL's export\n%s\nwant\n%s", got, want)
	}
	back := filepath.Join(t.TempDir(), "back.db")
	mustCopy(t, url, back)
	if got := exportBytes(t, back); !bytes.Equal(got, want) {
		t.Errorf("the copy back's export\n%s\nwant\n%s", got, want)
	}
	code, _, stderr := runCLI(t, "", "copy", "-from", src, "-to", url)
	if code != 1 || !strings.Contains(stderr, "not empty") {
		t.Errorf("a second copy into PostgreSQL: exit %d\n%s", code, stderr)
	}

	// The whole seed, as a server made it, round-trips too.
	seeded := filepath.Join(t.TempDir(), "seeded.db")
	startServer(t, seeded).stop(t)
	want = exportBytes(t, seeded)
	if n := bytes.Count(want, []byte("\n")); n < 50 {
		t.Fatalf("the seeded database exports %d records", n)
	}
	url = pgtest.URL(t)
	mustCopy(t, seeded, url)
	back = filepath.Join(t.TempDir(), "seeded-back.db")
	mustCopy(t, url, back)
	if got := exportBytes(t, back); !bytes.Equal(got, want) {
		t.Errorf("the seed copied to PostgreSQL and back differs: %d bytes, want %d", len(got), len(want))
	}
}
