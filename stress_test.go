package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"strata/geo"
)

// writeRecord is one write a stress writer sent and what came of it.
type writeRecord struct {
	writer int
	method string
	id     string
	// sent is the If-Match version (0 for a POST); got the ETag's version.
	sent, got, status int
}

// TestWritesUnderLoad runs 16 writers and 16 readers against the real
// server on a real SQLite file (issue 12: for 60 s; about 5 s with
// -short). Writers create points and replace or patch 32 shared ones
// with If-Match, so that they race each other. Afterwards: no answer was
// a 5xx or a transport error; every 2xx write is in the history, which
// holds nothing else; every 412 is explained by another writer's write
// that replaced the version sent; and each reader saw a feature's
// versions only go up.
func TestWritesUnderLoad(t *testing.T) {
	duration := 60 * time.Second
	if testing.Short() {
		duration = 5 * time.Second
	}
	const writers, readers, shared = 16, 16, 32
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "strata.db")
	if code, _, stderr := runCLI(t, pointFC("s", shared), "import", "-db", db, "-layer", "stress", "-kind", "point", "-q", "-"); code != 0 {
		t.Fatal(stderr)
	}
	token := makeToken(t, db, "stress-writer", "stress")
	srv := startServer(t, db, "-access-log=false", "-prewarm=false")
	items := srv.url + "/collections/stress/items"
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d, %v", seed, duration)

	var (
		mu       sync.Mutex
		records  []writeRecord
		failures []string // transport errors and 5xx, of reads and writes
		reads    = map[int]int{}
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 20 {
			failures = append(failures, fmt.Sprintf(format, args...))
		} else {
			failures[19] = "…and more"
		}
	}
	client := newClient(writers+readers, 30*time.Second)
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			rnd := rand.New(rand.NewPCG(seed, uint64(w)))
			known := map[string]int{} // the last version this writer saw of each shared id
			var mine []writeRecord
			for n := 0; time.Now().Before(deadline); n++ {
				lon, lat := 34.2+rnd.Float64()*0.4, 31.2+rnd.Float64()*0.4
				rec := writeRecord{writer: w}
				var a answer
				var err error
				switch op := rnd.IntN(10); {
				case op < 2: // a new point
					rec.method, rec.id = http.MethodPost, fmt.Sprintf("w%d-%d", w, n)
					a, err = send(ctx, client, rec.method, items, token, 0, "application/geo+json", pointJSON(rec.id, lon, lat, "new"))
				default: // replace or patch a shared point, with the version last seen
					rec.id = "s" + strconv.Itoa(rnd.IntN(shared))
					rec.sent = known[rec.id]
					if rec.sent == 0 {
						if a, err = send(ctx, client, http.MethodGet, items+"/"+rec.id, "", 0, "", nil); err != nil || a.status != 200 {
							fail("GET %s: %v %d %s", rec.id, err, a.status, a.body)
							continue
						}
						rec.sent = a.etag
					}
					if op < 6 {
						rec.method = http.MethodPut
						a, err = send(ctx, client, rec.method, items+"/"+rec.id, token, rec.sent, "application/geo+json", pointJSON(rec.id, lon, lat, "moved"))
					} else {
						rec.method = http.MethodPatch
						patch := fmt.Appendf(nil, `{"properties":{"name":"patched by %d"}}`, w)
						a, err = send(ctx, client, rec.method, items+"/"+rec.id, token, rec.sent, "application/merge-patch+json", patch)
					}
				}
				if err != nil {
					fail("%s %s: %v", rec.method, rec.id, err)
					continue
				}
				rec.status, rec.got = a.status, a.etag
				if a.status >= 500 {
					fail("%s %s: %d %s", rec.method, rec.id, a.status, a.body)
				}
				if rec.sent > 0 {
					// A 2xx or a 412 names the current version; anything
					// else leaves the writer to look again.
					known[rec.id] = a.etag
				}
				mine = append(mine, rec)
			}
			mu.Lock()
			records = append(records, mine...)
			mu.Unlock()
		})
	}
	for r := range readers {
		wg.Go(func() {
			rnd := rand.New(rand.NewPCG(seed, uint64(1000+r)))
			seen := map[string]int{}
			counts := map[int]int{}
			for time.Now().Before(deadline) {
				id := "s" + strconv.Itoa(rnd.IntN(shared))
				var url string
				switch rnd.IntN(5) {
				case 0:
					x, y := 34.2+rnd.Float64()*0.3, 31.2+rnd.Float64()*0.3
					url = fmt.Sprintf("%s?bbox=%.3f,%.3f,%.3f,%.3f&limit=100", items, x, y, x+0.1, y+0.1)
				case 1, 2:
					url = items + "/" + id
				case 3:
					url = items + "/" + id + "/versions"
				case 4:
					url = srv.url + "/changes?limit=20"
				}
				a, err := send(ctx, client, http.MethodGet, url, "", 0, "", nil)
				if err != nil {
					fail("GET %s: %v", url, err)
					continue
				}
				counts[a.status]++
				if a.status >= 500 {
					fail("GET %s: %d %s", url, a.status, a.body)
				}
				if url == items+"/"+id && a.status == 200 {
					if a.etag < seen[id] {
						fail("reader %d saw %s at version %d after version %d", r, id, a.etag, seen[id])
					}
					seen[id] = a.etag
				}
			}
			mu.Lock()
			for code, n := range counts {
				reads[code] += n
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}

	// Which writer made each version of each feature, from the 2xx answers.
	type version struct {
		id string
		n  int
	}
	madeBy := map[version]int{}
	statuses := map[string]int{}
	ok := 0
	for _, r := range records {
		statuses[r.method+" "+strconv.Itoa(r.status)]++
		switch {
		case r.status >= 200 && r.status <= 299:
			ok++
			want := r.sent + 1 // a write makes the next version
			if r.got != want {
				t.Errorf("%s %s with If-Match %d answered version %d, want %d", r.method, r.id, r.sent, r.got, want)
			}
			if by, dup := madeBy[version{r.id, r.got}]; dup {
				t.Errorf("version %d of %s was answered to writers %d and %d", r.got, r.id, by, r.writer)
			}
			madeBy[version{r.id, r.got}] = r.writer
		case r.status == http.StatusPreconditionFailed || r.status >= 500:
		default:
			t.Errorf("%s %s with If-Match %d: status %d", r.method, r.id, r.sent, r.status)
		}
	}
	stale := 0
	for _, r := range records {
		if r.status != http.StatusPreconditionFailed {
			continue
		}
		stale++
		// The version sent was replaced, by another writer's 2xx write.
		by, found := madeBy[version{r.id, r.sent + 1}]
		if !found || by == r.writer || r.got <= r.sent {
			t.Errorf("412 to writer %d for %s %s with If-Match %d (current %d) is not explained: version %d made by writer %d (found %v)",
				r.writer, r.method, r.id, r.sent, r.got, r.sent+1, by, found)
		}
	}
	t.Logf("%d writes (%d 2xx, %.0f/s; %d 412): %v; reads by status: %v", len(records), ok, float64(ok)/duration.Seconds(), stale, statuses, reads)
	if ok == 0 || stale == 0 || reads[200] == 0 {
		t.Errorf("the run proves little: %d 2xx writes, %d 412, %d reads", ok, stale, reads[200])
	}

	// Every 2xx write is in the history, with its author, and the history
	// holds nothing else: the import's versions and the writes.
	store := openDB(t, db)
	snap, err := store.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	recorded := 0
	for _, r := range records {
		if r.status < 200 || r.status > 299 {
			continue
		}
		_, v, err := snap.FeatureVersion(ctx, "stress", r.id, r.got)
		if err != nil || v.Author != "stress-writer" {
			t.Errorf("%s %s answered version %d, which the history lacks: %v (author %q)", r.method, r.id, r.got, err, v.Author)
			continue
		}
		recorded++
	}
	mine, err := snap.Changes(ctx, geo.ChangeFilter{Layers: []string{"stress"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != ok+1 {
		t.Errorf("the history holds %d changesets of layer stress, want the import and %d writes", len(mine), ok)
	}
	for i := range shared {
		id := "s" + strconv.Itoa(i)
		hist, err := snap.History(ctx, "stress", id)
		if err != nil {
			t.Fatal(err)
		}
		for j, v := range hist {
			if want := len(hist) - j; v.Number != want {
				t.Errorf("%s: history numbers %d at %d, want %d", id, v.Number, j, want)
				break
			}
			if _, ours := madeBy[version{id, v.Number}]; !ours && v.Number != 1 {
				t.Errorf("%s: version %d is in the history but no writer was answered it", id, v.Number)
			}
		}
	}
	// The API lists the same history.
	var vs struct {
		Versions []struct {
			Version int    `json:"version"`
			Author  string `json:"author"`
		} `json:"versions"`
	}
	getJSON(t, items+"/s0/versions", &vs)
	if hist, _ := snap.History(ctx, "stress", "s0"); len(vs.Versions) != len(hist) || len(hist) == 0 || vs.Versions[0].Version != hist[0].Number {
		t.Errorf("GET …/s0/versions lists %d versions, the store %d", len(vs.Versions), len(hist))
	}
	checkChangesetsWhole(t, ctx, snap, 0)
	t.Logf("%d 2xx writes found in the history", recorded)
}
