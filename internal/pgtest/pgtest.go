// Package pgtest gives tests a real PostgreSQL database with PostGIS.
//
// The cluster is named by the environment variable STRATA_TEST_POSTGRES,
// a URL of a role that may create databases (.ci/pg-start starts a
// throwaway one and prints it). Without it, tests that need PostgreSQL
// skip, except under CI=true, where they fail: a CI run must not pass by
// skipping them.
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL is the environment variable that names the test cluster.
const EnvURL = "STRATA_TEST_POSTGRES"

// template is the database every test database is copied from: it holds
// the PostGIS extension, whose creation takes about a second.
const template = "strata_test_template"

// lockKey serialises the template's creation across test processes
// (go test runs packages in parallel).
const lockKey = 0x5354524154 // "STRAT"

var (
	templateOnce sync.Once
	templateErr  error
	counter      atomic.Int64
)

// Available reports whether a test cluster is configured.
func Available() bool { return os.Getenv(EnvURL) != "" }

// Require skips t when no test cluster is configured, or fails it under
// CI=true. It returns the cluster's URL.
func Require(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the PostgreSQL tests (.ci/pg-start starts a cluster)", EnvURL)
		}
		t.Skipf("%s is not set: no PostgreSQL to test against (.ci/pg-start starts one)", EnvURL)
	}
	return u
}

// URL returns the URL of a new, empty database with PostGIS installed,
// dropped when t ends. It skips or fails t as Require does.
func URL(t testing.TB) string {
	t.Helper()
	admin := Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	templateOnce.Do(func() { templateErr = makeTemplate(ctx, admin) })
	if templateErr != nil {
		t.Fatalf("pgtest: template database: %v", templateErr)
	}
	name := fmt.Sprintf("strata_test_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6, counter.Add(1))
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("pgtest: connecting to %s: %v", EnvURL, err)
	}
	defer conn.Close(ctx)
	// FILE_COPY copies the small template's files instead of writing
	// every page to the WAL: much faster for a throwaway database.
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s STRATEGY FILE_COPY", name, template)); err != nil {
		t.Fatalf("pgtest: creating database %s: %v", name, err)
	}
	t.Cleanup(func() { Drop(t, admin, name) })
	return WithDatabase(t, admin, name)
}

// WithDatabase returns the URL u with its database changed to name.
func WithDatabase(t testing.TB, u, name string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatalf("pgtest: %s is not a URL: %v", EnvURL, err)
	}
	p.Path = "/" + name
	return p.String()
}

// Drop removes database name, closing its connections first.
func Drop(t testing.TB, admin, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Errorf("pgtest: dropping %s: %v", name, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)); err != nil {
		t.Errorf("pgtest: dropping %s: %v", name, err)
	}
}

// makeTemplate creates the template database with PostGIS unless another
// process already has.
func makeTemplate(ctx context.Context, admin string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return err
	}
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", lockKey)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", template).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+template); err != nil {
		return err
	}
	p, err := url.Parse(admin)
	if err != nil {
		return err
	}
	p.Path = "/" + template
	tc, err := pgx.Connect(ctx, p.String())
	if err != nil {
		return err
	}
	defer tc.Close(ctx)
	if _, err := tc.Exec(ctx, "CREATE EXTENSION postgis"); err != nil {
		conn.Exec(ctx, "DROP DATABASE "+template)
		return fmt.Errorf("creating the postgis extension (is postgresql-15-postgis-3 installed?): %w", err)
	}
	return nil
}
