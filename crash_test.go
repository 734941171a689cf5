package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"strata/data/sqlite"
	"strata/geo"
)

// acked is a write the server acknowledged with a 2xx.
type acked struct {
	method, id string
	version    int
}

// TestKillDuringWrites kills the real server with SIGKILL at a random
// moment of a stream of writes, 20 times (5 with -short), restarting it
// on the same SQLite file each time. Every third trial also kills a
// `strata import` of a new layer of 20,000 points in flight. After each
// kill: every acknowledged write is in the history, no changeset is
// partial (every version each lists is there, and its counts agree), an
// import is there whole or not at all, and PRAGMA integrity_check is ok.
func TestKillDuringWrites(t *testing.T) {
	trials := 20
	if testing.Short() {
		trials = 5
	}
	const writers, importSize = 4, 20000
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "strata.db")
	if code, _, stderr := runCLI(t, pointFC("p", 50), "import", "-db", db, "-layer", "crash", "-kind", "point", "-q", "-"); code != 0 {
		t.Fatal(stderr)
	}
	token := makeToken(t, db, "crash-writer", "crash")
	bulk := filepath.Join(dir, "bulk.geojson")
	if err := os.WriteFile(bulk, []byte(pointFC("b", importSize)), 0o644); err != nil {
		t.Fatal(err)
	}
	seed := uint64(time.Now().UnixNano())
	rnd := rand.New(rand.NewPCG(seed, 0))
	t.Logf("seed %d, %d trials", seed, trials)

	var all []acked // every acknowledged write of every trial
	trialStart := 0 // the first of all written in this trial
	imports := map[string]bool{}
	lost := 0         // writes in flight at the kill, not acknowledged
	var checked int64 // the changesets up to this id were found whole
	// Each trial's server is the restart after the previous trial's kill.
	srv := startServer(t, db, "-access-log=false", "-prewarm=false")
	for trial := range trials {
		trialStart = len(all)
		items := srv.url + "/collections/crash/items"
		client := newClient(writers, 10*time.Second)

		var imp *exec.Cmd
		layer := fmt.Sprintf("bulk%d", trial)
		if trial%3 == 2 {
			imp = exec.Command(binary, "import", "-db", db, "-layer", layer, "-kind", "point", "-q", bulk)
			if err := imp.Start(); err != nil {
				t.Fatal(err)
			}
		}
		var (
			mu    sync.Mutex
			wg    sync.WaitGroup
			stop  = make(chan struct{})
			other []string
		)
		for w := range writers {
			wg.Go(func() {
				wr := rand.New(rand.NewPCG(seed, uint64(trial*100+w)))
				var made []acked // this writer's points of this trial, at their last version
				for n := 0; ; n++ {
					select {
					case <-stop:
						return
					default:
					}
					lon, lat := 34.2+wr.Float64()*0.4, 31.2+wr.Float64()*0.4
					var (
						a   answer
						err error
						rec acked
					)
					if len(made) == 0 || wr.IntN(2) == 0 {
						rec = acked{method: http.MethodPost, id: fmt.Sprintf("t%d-w%d-%d", trial, w, n)}
						a, err = send(ctx, client, rec.method, items, token, 0, "application/geo+json", pointJSON(rec.id, lon, lat, "new"))
					} else {
						i := wr.IntN(len(made))
						rec = acked{method: http.MethodPut, id: made[i].id}
						a, err = send(ctx, client, rec.method, items+"/"+rec.id, token, made[i].version, "application/geo+json", pointJSON(rec.id, lon, lat, "moved"))
					}
					mu.Lock()
					switch {
					case err != nil:
						lost++ // the kill came first
						mu.Unlock()
						return
					case a.status == http.StatusCreated || a.status == http.StatusOK:
						rec.version = a.etag
						all = append(all, rec)
						if rec.method == http.MethodPost {
							made = append(made, rec)
						} else {
							for i := range made {
								if made[i].id == rec.id {
									made[i] = rec
								}
							}
						}
					default:
						other = append(other, fmt.Sprintf("%s %s: %d %s", rec.method, rec.id, a.status, a.body))
					}
					mu.Unlock()
				}
			})
		}
		// An import alone takes about half a second: give it the time
		// to finish, sometimes.
		wait := 200 + rnd.IntN(1300)
		if imp != nil {
			wait = 200 + rnd.IntN(2000)
		}
		time.Sleep(time.Duration(wait) * time.Millisecond)
		srv.cmd.Process.Signal(syscall.SIGKILL)
		if imp != nil {
			imp.Process.Signal(syscall.SIGKILL)
		}
		srv.cmd.Wait()
		if imp != nil {
			imp.Wait()
		}
		close(stop)
		wg.Wait()
		client.CloseIdleConnections()
		for _, o := range other {
			t.Errorf("trial %d: %s", trial, o)
		}

		// The file as the kill left it: SQLite finds it sound.
		if res := integrityCheck(t, db); res != "ok" {
			t.Fatalf("trial %d: PRAGMA integrity_check: %s", trial, res)
		}
		// The server starts again on it (the next trial writes to it), and
		// the checks read it through the store.
		srv = startServer(t, db, "-access-log=false", "-prewarm=false")
		if a, err := send(ctx, http.DefaultClient, http.MethodGet, srv.url+"/collections/crash/items?limit=1", "", 0, "", nil); err != nil || a.status != 200 {
			t.Fatalf("trial %d: after the restart: %v %d", trial, err, a.status)
		}
		store, err := sqlite.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		snap, err := store.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// This trial's writes here; all of them once more at the end.
		checkAcked(t, ctx, snap, all[trialStart:])
		checkChangesetsWhole(t, ctx, snap, checked)
		checked = snap.Version()
		if imp != nil {
			n, err := snap.Search(ctx, geo.Filter{Layer: layer, Time: geo.Always}, nil)
			switch {
			case errors.Is(err, geo.ErrNotFound):
				imports[layer] = false
			case err != nil:
				t.Fatal(err)
			case n == importSize:
				imports[layer] = true
			default:
				t.Errorf("trial %d: the import killed midway left %d of %d features in layer %s", trial, n, importSize, layer)
			}
		}
		store.Close()
		if t.Failed() {
			t.Fatalf("trial %d failed (seed %d)", trial, seed)
		}
	}
	store, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	snap, err := store.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkAcked(t, ctx, snap, all)
	t.Logf("%d acknowledged writes found after %d kills (%d in flight at a kill); imports killed, whole (true) or absent (false): %v", len(all), trials, lost, imports)
	if len(all) == 0 {
		t.Error("no write was acknowledged: the test proves nothing")
	}
}

// checkAcked checks that every acknowledged write is in snap's history,
// by the writer's token.
func checkAcked(t *testing.T, ctx context.Context, snap geo.Snapshot, writes []acked) {
	t.Helper()
	missing := 0
	for _, w := range writes {
		if _, v, err := snap.FeatureVersion(ctx, "crash", w.id, w.version); err != nil || v.Author != "crash-writer" {
			missing++
			if missing <= 5 {
				t.Errorf("acknowledged %s %s version %d is not in the history: %v (author %q)", w.method, w.id, w.version, err, v.Author)
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged writes are missing", missing, len(writes))
	}
}

// integrityCheck runs PRAGMA integrity_check on the SQLite file and
// returns its answer, "ok" when sound.
func integrityCheck(t *testing.T, path string) string {
	t.Helper()
	conn, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var res string
	rows, err := conn.Query("PRAGMA integrity_check")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		if res != "" {
			res += "; "
		}
		res += line
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return res
}
