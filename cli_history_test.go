package main

import (
	"context"
	"encoding/hex"
	"errors"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"strata/data/sqlite"
	"strata/geo"
	"strata/internal/auth"
)

// newHistoryDB returns a SQLite file in t.TempDir() holding layer "test"
// with features a (a point) and b (a polygon), imported by the CLI.
func newHistoryDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "strata.db")
	if code, _, stderr := runCLI(t, validFC, "import", "-db", db, "-layer", "test", "-author", "desk", "-comment", "first import", "-"); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	return db
}

// openDB opens the SQLite file for the test to look at, closed at the end.
func openDB(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestTokenCommands(t *testing.T) {
	db := newHistoryDB(t)
	missing := filepath.Join(t.TempDir(), "none.db")
	secrets := map[string]string{}
	// The steps run in order against one database.
	steps := []struct {
		name   string
		args   []string
		code   int
		stderr string // a part of stderr
		stdout string // a regexp stdout must match, when not empty
		secret string // the token name whose secret stdout ends with
	}{
		{"create", []string{"token", "create", "-db", db, "-name", "alice", "-layers", "test"}, 0, "shown only now", `^strata_[A-Za-z0-9_-]{43}\n$`, "alice"},
		{"create for a layer to come", []string{"token", "create", "-db", db, "-name", "bob", "-layers", "test, later"}, 0, `warning: layer "later" does not exist`, `^strata_`, "bob"},
		{"create for every layer, expiring", []string{"token", "create", "-db", db, "-name", "carol", "-layers", "*", "-expires", "720h"}, 0, "expires 20", `^strata_`, "carol"},
		{"create an expired one", []string{"token", "create", "-db", db, "-name", "dave", "-layers", "test", "-expires", "1ns"}, 0, "", `^strata_`, "dave"},
		{"name taken", []string{"token", "create", "-db", db, "-name", "alice", "-layers", "test"}, 1, `a token named "alice" exists`, "", ""},
		{"no name", []string{"token", "create", "-db", db, "-layers", "test"}, 2, "-name is required", "", ""},
		{"bad name", []string{"token", "create", "-db", db, "-name", "a b", "-layers", "test"}, 2, `-name "a b"`, "", ""},
		{"no layers", []string{"token", "create", "-db", db, "-name", "eve"}, 2, "-layers is required", "", ""},
		{"star and a layer", []string{"token", "create", "-db", db, "-name", "eve", "-layers", "*,test"}, 2, "stands alone", "", ""},
		{"bad layer id", []string{"token", "create", "-db", db, "-name", "eve", "-layers", "te st"}, 2, `"te st" is not a layer id`, "", ""},
		{"layer twice", []string{"token", "create", "-db", db, "-name", "eve", "-layers", "test,test"}, 2, "given twice", "", ""},
		{"negative lifetime", []string{"token", "create", "-db", db, "-name", "eve", "-layers", "test", "-expires", "-1h"}, 2, "-expires must be positive", "", ""},
		{"lifetime not a duration", []string{"token", "create", "-db", db, "-name", "eve", "-layers", "test", "-expires", "30d"}, 2, "-expires", "", ""},
		{"extra argument", []string{"token", "create", "-db", db, "-name", "eve", "-layers", "test", "x"}, 2, "unexpected argument", "", ""},
		{"missing database", []string{"token", "create", "-db", missing, "-name", "eve", "-layers", "test"}, 1, "does not exist", "", ""},
		{"no subcommand", []string{"token"}, 2, "give a subcommand", "", ""},
		{"unknown subcommand", []string{"token", "delete", "-db", db, "alice"}, 2, `unknown subcommand "delete"`, "", ""},
		{"list", []string{"token", "list", "-db", db}, 0, "", `(?m)^NAME +LAYERS +CREATED +EXPIRES +REVOKED +STATE\nalice +test +20\S+ +never +- +active\nbob +test,later +.* active\ncarol +\* +20\S+ +20\S+ +- +active\ndave +test +.* expired\n$`, ""},
		{"revoke", []string{"token", "revoke", "-db", db, "alice"}, 0, `revoked token "alice"`, "", ""},
		{"revoke again", []string{"token", "revoke", "-db", db, "alice"}, 0, `already revoked at 20`, "", ""},
		{"revoke unknown", []string{"token", "revoke", "-db", db, "zed"}, 1, `no token named "zed"`, "", ""},
		{"revoke without a name", []string{"token", "revoke", "-db", db}, 2, "give the NAME", "", ""},
		{"list after the revoke", []string{"token", "list", "-db", db}, 0, "", `(?m)^alice +test +20\S+ +never +20\S+ +revoked$`, ""},
		{"list a missing database", []string{"token", "list", "-db", missing}, 1, "does not exist", "", ""},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", s.args...)
			if code != s.code || !strings.Contains(stderr, s.stderr) {
				t.Fatalf("exit %d (want %d), stderr %q (want %q)", code, s.code, stderr, s.stderr)
			}
			if s.stdout != "" && !regexp.MustCompile(s.stdout).MatchString(stdout) {
				t.Errorf("stdout %q does not match %s", stdout, s.stdout)
			}
			if s.code != 0 && stdout != "" {
				t.Errorf("a failure printed %q on stdout", stdout)
			}
			if s.secret != "" {
				secrets[s.secret] = lastLine(stdout)
			}
		})
	}

	// Only hashes are stored, and they are the secrets'.
	store := openDB(t, db)
	tokens, err := store.Tokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(tokens) != 4 {
		t.Fatalf("stored %d tokens, want 4: %+v", len(tokens), tokens)
	}
	_, list, _ := runCLI(t, "", "token", "list", "-db", db)
	for _, tok := range tokens {
		if strings.Contains(list, hex.EncodeToString(tok.Hash)) {
			t.Errorf("token list shows the hash of %s", tok.Name)
		}
	}
	now := time.Now()
	for _, c := range []struct {
		name string
		ok   bool
	}{{"alice", false}, {"bob", true}, {"carol", true}, {"dave", false}} {
		secret := secrets[c.name]
		if strings.Contains(list, secret) {
			t.Errorf("token list shows the secret of %s", c.name)
		}
		found, err := auth.Find(tokens, secret, now)
		switch {
		case c.ok && (err != nil || found.Name != c.name):
			t.Errorf("the secret of %s finds %q, %v", c.name, found.Name, err)
		case !c.ok && !errors.Is(err, geo.ErrUnauthorized):
			t.Errorf("the secret of %s (revoked or expired) finds %q, %v", c.name, found.Name, err)
		}
	}
	for _, tok := range tokens {
		if tok.Name == "carol" {
			if life := tok.Expires.Sub(tok.Created); life != 720*time.Hour {
				t.Errorf("carol's token lives %v, want 720h", life)
			}
		}
	}

	// STRATA_DB stands in for -db.
	t.Setenv("STRATA_DB", db)
	if code, stdout, stderr := runCLI(t, "", "token", "list"); code != 0 || !strings.Contains(stdout, "carol") {
		t.Errorf("token list with STRATA_DB: exit %d, %q %q", code, stdout, stderr)
	}
}

func TestRevertCommand(t *testing.T) {
	ctx := context.Background()
	db := newHistoryDB(t)
	store := openDB(t, db)
	snap, err := store.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	imported := snap.Version()
	a, err := snap.Feature(ctx, "test", "a")
	if err != nil {
		t.Fatal(err)
	}
	original := a.Geometry
	// A move of a, then a delete of b, each a changeset.
	moved := *a
	moved.Geometry = orb.Point{34.5, 31.6}
	move, err := store.Commit(ctx, geo.Commit{Note: geo.ChangeNote{Author: "alice"},
		Edits: []geo.Edit{{Op: geo.OpReplace, Layer: "test", ID: "a", Feature: &moved, IfVersion: a.Version}}})
	if err != nil {
		t.Fatal(err)
	}
	del, err := store.Commit(ctx, geo.Commit{Note: geo.ChangeNote{Author: "alice"},
		Edits: []geo.Edit{{Op: geo.OpDelete, Layer: "test", ID: "b", IfVersion: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	var reverts []int64
	steps := []struct {
		name    string
		args    []string
		code    int
		stderr  string
		comment string // the new changeset's, when it succeeds
	}{
		{"the move", []string{"revert", "-db", db, "-author", "desk", "-comment", "the move was wrong", id(move.ID)}, 0, "1 changed", "the move was wrong"},
		{"the delete", []string{"revert", "-db", db, id(del.ID)}, 0, "1 created", "revert of changeset " + id(del.ID)},
		{"the import, edited since", []string{"revert", "-db", db, id(imported)}, 1, "later changes touched test/a, test/b", ""},
		{"the move again", []string{"revert", "-db", db, id(move.ID)}, 1, "test/a", ""},
		{"an unknown changeset", []string{"revert", "-db", db, "9999"}, 1, "nothing reverted", ""},
		{"not a number", []string{"revert", "-db", db, "x"}, 2, `"x" is not a positive integer`, ""},
		{"zero", []string{"revert", "-db", db, "0"}, 2, "not a positive integer", ""},
		{"no id", []string{"revert", "-db", db}, 2, "give the ID", ""},
		{"two ids", []string{"revert", "-db", db, "1", "2"}, 2, "give the ID", ""},
		{"empty author", []string{"revert", "-db", db, "-author", "", id(move.ID)}, 2, "author", ""},
		{"missing database", []string{"revert", "-db", filepath.Join(t.TempDir(), "x.db"), "1"}, 1, "does not exist", ""},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			before, err := store.Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runCLI(t, "", s.args...)
			if code != s.code || !strings.Contains(stderr, s.stderr) {
				t.Fatalf("exit %d (want %d), stderr %q (want %q)", code, s.code, stderr, s.stderr)
			}
			time.Sleep(sqlite.Recheck) // the command's write, as another process's, is seen within it
			after, err := store.Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if s.code != 0 {
				if after.Version() != before.Version() || stdout != "" {
					t.Errorf("a failed revert wrote version %d (was %d), printed %q", after.Version(), before.Version(), stdout)
				}
				return
			}
			n, err := strconv.ParseInt(strings.TrimSpace(stdout), 10, 64)
			if err != nil || n != after.Version() {
				t.Fatalf("stdout %q is not the new changeset's id %d", stdout, after.Version())
			}
			cs, _, err := after.Changeset(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			wantAuthor := "revert"
			if strings.Contains(strings.Join(s.args, " "), "-author desk") {
				wantAuthor = "desk"
			}
			if cs.Author != wantAuthor || cs.Comment != s.comment {
				t.Errorf("changeset %d: author %q comment %q, want %q %q", n, cs.Author, cs.Comment, wantAuthor, s.comment)
			}
			reverts = append(reverts, n)
		})
	}
	if len(reverts) != 2 {
		t.Fatalf("%d reverts succeeded, want 2", len(reverts))
	}
	snap, err = store.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a, err := snap.Feature(ctx, "test", "a"); err != nil || !orb.Equal(a.Geometry, original) || a.Version != 3 {
		t.Errorf("after reverting the move, a is %+v (%v), want its first geometry as version 3", a, err)
	}
	if b, err := snap.Feature(ctx, "test", "b"); err != nil || b.Version != 2 {
		t.Errorf("after reverting the delete, b is %+v (%v), want version 2", b, err)
	}
	// A revert is a changeset like any other: it can be reverted too.
	code, stdout, stderr := runCLI(t, "", "revert", "-db", db, id(reverts[1]))
	if code != 0 {
		t.Fatalf("revert of the revert: %s", stderr)
	}
	time.Sleep(sqlite.Recheck)
	snap, _ = store.Snapshot(ctx)
	if _, err := snap.Feature(ctx, "test", "b"); !errors.Is(err, geo.ErrNotFound) || strings.TrimSpace(stdout) != id(snap.Version()) {
		t.Errorf("after reverting the revert of its delete, b: %v; stdout %q", err, stdout)
	}
}
