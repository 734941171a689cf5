package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestURLGivesAnEmptyPostGISDatabase(t *testing.T) {
	u := URL(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var version string
	if err := conn.QueryRow(ctx, "SELECT postgis_lib_version()").Scan(&version); err != nil {
		t.Fatalf("PostGIS is not installed in the test database: %v", err)
	}
	var tables int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'").Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("a new test database has %d tables, want 0", tables)
	}
}
