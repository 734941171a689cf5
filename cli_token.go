package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"strata/geo"
	"strata/internal/auth"
)

// tokenCmd runs `strata token create|list|revoke`: the writers' tokens
// of a database.
func tokenCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			fmt.Fprint(stderr, tokenUsage)
			return nil
		}
		return usagef("give a subcommand: create, list or revoke\n\n%s", tokenUsage)
	}
	switch sub, rest := args[0], args[1:]; sub {
	case "create":
		return tokenCreateCmd(ctx, rest, stdout, stderr)
	case "list":
		return tokenListCmd(ctx, rest, stdout, stderr)
	case "revoke":
		return tokenRevokeCmd(ctx, rest, stderr)
	default:
		return usagef("unknown subcommand %q: want create, list or revoke\n\n%s", sub, tokenUsage)
	}
}

const tokenUsage = `usage:
  strata token create -db PATH -name NAME -layers ID,ID|* [-expires DURATION] [-unconditional]
  strata token list -db PATH
  strata token revoke -db PATH NAME
`

// tokenCreateCmd runs `strata token create`: a new secret, of which only
// the hash is stored, printed once as the last line of stdout.
func tokenCreateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("token create", stderr)
	dbPath := fs.String("db", env("STRATA_DB", "strata.db"), "SQLite database file or postgres:// URL (env STRATA_DB)")
	name := fs.String("name", "", "`NAME` of the token, unique for ever: it becomes the author of its writes")
	layers := fs.String("layers", "", "comma-separated `IDS` of the layers the token may write, or * for every layer")
	expires := fs.Duration("expires", 0, "lifetime of the token, such as 720h (default: it never expires)")
	unconditional := fs.Bool("unconditional", false, "let the token's writes omit If-Match, the last write winning: for clients that never send it, such as QGIS")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *name == "" {
		return usagef("-name is required")
	}
	if !geo.ValidID(*name) {
		return usagef("-name %q: a token name is 1-128 letters, digits, '.', '_', '~' or '-'", *name)
	}
	ids, err := parseTokenLayers(*layers)
	if err != nil {
		return err
	}
	if *expires < 0 {
		return usagef("-expires must be positive, such as 720h")
	}
	db, err := openExisting(ctx, *dbPath, true)
	if err != nil {
		return fmt.Errorf("no token created: %w", err)
	}
	defer db.Close()
	snap, err := db.Snapshot(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if id == "*" {
			continue
		}
		if _, err := snap.Layer(id); errors.Is(err, geo.ErrNotFound) {
			// A token may be made before its layer: it writes it once it exists.
			fmt.Fprintf(stderr, "warning: layer %q does not exist (yet); the token can write it once it is created\n", id)
		} else if err != nil {
			return err
		}
	}
	secret, hash, err := auth.NewSecret()
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Second)
	tok := geo.Token{Name: *name, Hash: hash, Layers: ids, Created: now, Unconditional: *unconditional}
	if *expires > 0 {
		tok.Expires = now.Add(*expires)
	}
	if err := db.PutToken(ctx, tok); err != nil {
		if errors.Is(err, geo.ErrConflict) {
			return fmt.Errorf("no token created: a token named %q exists (names stay taken after a revoke, as they name the authors of past writes)", *name)
		}
		return fmt.Errorf("no token created: %w", err)
	}
	until := "never expires"
	if !tok.Expires.IsZero() {
		until = "expires " + tok.Expires.Format(time.RFC3339)
	}
	if tok.Unconditional {
		until += "; its writes may omit If-Match"
	}
	fmt.Fprintf(stderr, "created token %q for layers %s (%s).\nThe secret below is shown only now and cannot be shown again: only its hash is stored.\n", tok.Name, strings.Join(ids, ","), until)
	_, err = fmt.Fprintln(stdout, secret)
	return err
}

// parseTokenLayers splits the -layers flag into layer ids: "*" alone, or
// valid ids without repeats.
func parseTokenLayers(s string) ([]string, error) {
	ids := splitList(s)
	if len(ids) == 0 {
		return nil, usagef("-layers is required: comma-separated layer ids, or * for every layer")
	}
	for i, id := range ids {
		switch {
		case id == "*" && len(ids) > 1:
			return nil, usagef("-layers: * means every layer and stands alone")
		case id != "*" && !geo.ValidID(id):
			return nil, usagef("-layers: %q is not a layer id", id)
		case slices.Contains(ids[:i], id):
			return nil, usagef("-layers: %q is given twice", id)
		}
	}
	return ids, nil
}

// tokenListCmd runs `strata token list`: every token, revoked ones
// included, as a table. Secrets are never stored and hashes never shown.
func tokenListCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("token list", stderr)
	dbPath := fs.String("db", env("STRATA_DB", "strata.db"), "SQLite database file or postgres:// URL (env STRATA_DB)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	db, err := openExisting(ctx, *dbPath, false)
	if err != nil {
		return err
	}
	defer db.Close()
	tokens, err := db.Tokens(ctx)
	if err != nil {
		return err
	}
	if len(tokens) == 0 {
		fmt.Fprintln(stderr, "no tokens: the server is read-only; make one with strata token create")
		return nil
	}
	return writeTokenTable(stdout, tokens, time.Now())
}

// writeTokenTable writes one line per token: name, layers, created,
// expires, revoked and whether it works at now.
func writeTokenTable(w io.Writer, tokens []geo.Token, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tLAYERS\tCREATED\tEXPIRES\tREVOKED\tSTATE")
	for _, t := range tokens {
		state := "active"
		switch {
		case !t.Revoked.IsZero():
			state = "revoked"
		case !t.Valid(now):
			state = "expired"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, strings.Join(t.Layers, ","),
			instant(t.Created, "-"), instant(t.Expires, "never"), instant(t.Revoked, "-"), state)
	}
	return tw.Flush()
}

// instant formats t in RFC 3339 UTC, or none for the zero time.
func instant(t time.Time, none string) string {
	if t.IsZero() {
		return none
	}
	return t.UTC().Format(time.RFC3339)
}

// tokenRevokeCmd runs `strata token revoke NAME`. The token stays listed,
// and its name taken, as the author of its past writes.
func tokenRevokeCmd(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlags("token revoke", stderr)
	dbPath := fs.String("db", env("STRATA_DB", "strata.db"), "SQLite database file or postgres:// URL (env STRATA_DB)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("give the NAME of one token to revoke")
	}
	name := fs.Arg(0)
	db, err := openExisting(ctx, *dbPath, true)
	if err != nil {
		return err
	}
	defer db.Close()
	tokens, err := db.Tokens(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(tokens, func(t geo.Token) bool { return t.Name == name })
	if i < 0 {
		return fmt.Errorf("no token named %q (strata token list shows them)", name)
	}
	if !tokens[i].Revoked.IsZero() {
		fmt.Fprintf(stderr, "token %q was already revoked at %s\n", name, instant(tokens[i].Revoked, ""))
		return nil
	}
	if err := db.RevokeToken(ctx, name, time.Now().UTC()); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "revoked token %q: a running server refuses its writes within a second\n", name)
	return nil
}

// openExisting opens the database at path, which must exist: the
// history and token commands never create one (a mistyped path would
// otherwise get a token nobody serves). With write, a database that
// cannot be written is an error naming why. A PostgreSQL URL is opened
// as it is.
func openExisting(ctx context.Context, path string, write bool) (geo.Store, error) {
	if !isPostgres(path) {
		if _, err := os.Stat(path); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("database %s does not exist: strata serve creates it, or strata import", path)
			}
			return nil, fmt.Errorf("database %s: %w", path, err)
		}
	}
	return openStore(ctx, path, write)
}
