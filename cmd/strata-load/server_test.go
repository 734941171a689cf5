package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"strata/api"
	"strata/data/sqlite"
	"strata/geo"
	"strata/internal/auth"
)

// TestWriteModeAgainstStrata runs readers and writers against the real
// API on a real SQLite file, and checks what strata-load reports against
// the history the store kept.
func TestWriteModeAgainstStrata(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "strata.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	seq := func(yield func(*geo.Feature, error) bool) {
		for i := range 200 {
			f := &geo.Feature{ID: fmt.Sprint("p", i), Layer: "points", Name: "P", Kind: "test",
				Geometry: orb.Point{34.2 + float64(i%20)*0.02, 31.2 + float64(i/20)*0.04}, Properties: []byte(`{}`),
				Valid: geo.Always, PrecisionM: 10, Sources: []geo.Source{{Title: "Test"}}}
			if !yield(f, nil) {
				return
			}
		}
	}
	layer := geo.Layer{ID: "points", Title: "Points", Kind: geo.KindPoint}
	if _, err := db.Import(ctx, geo.ChangeNote{Author: "import"}, layer, geo.Append, iter.Seq2[*geo.Feature, error](seq)); err != nil {
		t.Fatal(err)
	}
	secret, hash, err := auth.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutToken(ctx, geo.Token{Name: "load", Hash: hash, Layers: []string{"points"}, Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Config{Store: db}).Handler())
	defer srv.Close()
	before, err := db.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}

	t.Setenv("STRATA_TOKEN", secret)
	paths := writePaths(t, "/collections/points/items?bbox=34.2,31.2,34.4,31.4&limit=50\n/collections/points/items/p7\n/collections/points/items?limit=100\n")
	var out, errOut bytes.Buffer
	args := []string{"-url", srv.URL, "-paths", paths, "-c", "4", "-writers", "4", "-write-rate", "200/s", "-write-layer", "points", "-warmup", "0s", "-d", "2s", "-json"}
	if err := run(ctx, args, &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	if strings.Contains(out.String()+errOut.String(), secret) {
		t.Error("the token appears in the output")
	}
	var res struct {
		Writes *writeResult `json:"writes"`
		Reads  *struct {
			Requests int     `json:"requests"`
			Rate     float64 `json:"req_per_s"`
			P99Ms    float64 `json:"p99_ms"`
			Non2xx   int     `json:"non_2xx"`
			Errors   int     `json:"errors"`
		} `json:"reads"`
		Status5xx int `json:"status_5xx"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.Writes == nil {
		t.Fatalf("%v:\n%s", err, out.String())
	}
	w, r := res.Writes, res.Reads
	t.Logf("writes %+v; reads %+v", *w, r)
	// Each writer moves only points it created, with the ETag it was
	// given: nothing can be stale, and nothing else may fail.
	if w.Created == 0 || w.Moved == 0 || w.Stale != 0 || w.Other != 0 || w.Errors != 0 || res.Status5xx != 0 {
		t.Errorf("writes: %+v, 5xx %d", *w, res.Status5xx)
	}
	if r == nil || r.Requests == 0 || r.Non2xx != 0 || r.Errors != 0 {
		t.Errorf("reads: %+v", r)
	}
	// The history holds every write reported, and at most one more per
	// writer (in flight at the end, so not counted).
	after, err := db.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := after.Changes(ctx, geo.ChangeFilter{After: before.Version()})
	if err != nil {
		t.Fatal(err)
	}
	created, moved := 0, 0
	for _, cs := range changes {
		if cs.Author != "load" || len(cs.Layers) != 1 || cs.Layers[0] != "points" || cs.Created+cs.Changed != 1 || cs.Deleted != 0 {
			t.Errorf("changeset %+v is not one write of strata-load", cs)
		}
		created += cs.Created
		moved += cs.Changed
	}
	if created < w.Created || created > w.Created+4 || moved < w.Moved || moved > w.Moved+4 {
		t.Errorf("the history holds %d creations and %d moves; strata-load reported %d and %d", created, moved, w.Created, w.Moved)
	}
	n, err := after.Search(ctx, geo.Filter{Layer: "points", Time: geo.Always}, nil)
	if err != nil || n != 200+created {
		t.Errorf("the layer holds %d points (%v), want %d", n, err, 200+created)
	}
}
