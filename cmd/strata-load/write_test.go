package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeWriteServer answers the write protocol of OGC API – Features Part 4
// as Strata does, in memory, and counts what it saw. Every staleEvery-th
// PUT finds its feature changed by someone else first (a 412); every
// failEvery-th POST fails with a 503.
type fakeWriteServer struct {
	mu                    sync.Mutex
	versions              map[string]int
	posts, puts, stale    int
	badAuth, badBody      int
	staleEvery, failEvery int
}

func (f *fakeWriteServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	const items = "/collections/pts/items"
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/collections/pts":
		w.Write([]byte(`{"id":"pts","extent":{"spatial":{"bbox":[[34.2,31.2,34.6,31.6]]}}}`))
		return
	case r.URL.Path == "/collections/pts" || !strings.HasPrefix(r.URL.Path, items):
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("Authorization") != "Bearer strata_secret" {
		f.badAuth++
		w.Header().Set("Allow", "GET, HEAD, OPTIONS")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.Method == http.MethodOptions {
		w.Header().Set("Allow", "GET, HEAD, OPTIONS, POST")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var feat struct {
		ID       string `json:"id"`
		Geometry struct {
			Type        string    `json:"type"`
			Coordinates []float64 `json:"coordinates"`
		} `json:"geometry"`
	}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &feat); err != nil || feat.Geometry.Type != "Point" || len(feat.Geometry.Coordinates) != 2 ||
		feat.Geometry.Coordinates[0] < 34.2 || feat.Geometry.Coordinates[0] > 34.6 || r.Header.Get("Content-Type") != "application/geo+json" {
		f.badBody++
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	switch id := strings.TrimPrefix(r.URL.Path, items+"/"); r.Method {
	case http.MethodPost:
		f.posts++
		if f.failEvery > 0 && f.posts%f.failEvery == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		f.versions[feat.ID] = 1
		w.Header().Set("ETag", `"1"`)
		w.WriteHeader(http.StatusCreated)
	case http.MethodPut:
		f.puts++
		v, ok := f.versions[id]
		if !ok || id != feat.ID {
			f.badBody++
			http.NotFound(w, r)
			return
		}
		if f.staleEvery > 0 && f.puts%f.staleEvery == 0 {
			v++ // another writer came first
			f.versions[id] = v
		}
		if r.Header.Get("If-Match") != strconv.Quote(strconv.Itoa(v)) {
			f.stale++
			w.Header().Set("ETag", strconv.Quote(strconv.Itoa(v)))
			w.WriteHeader(http.StatusPreconditionFailed)
			return
		}
		f.versions[id] = v + 1
		w.Header().Set("ETag", strconv.Quote(strconv.Itoa(v+1)))
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// TestRunWritesCounts runs writers alone against fakeWriteServer and
// checks what they report against what the server saw.
func TestRunWritesCounts(t *testing.T) {
	tests := []struct {
		name                  string
		staleEvery, failEvery int
		extra                 []string
	}{
		{"all succeed", 0, 0, nil},
		{"stale and failing", 4, 5, nil},
		{"paced", 0, 0, []string{"-write-rate", "400/s"}},
		{"with readers", 0, 0, []string{"-paths", "", "-c", "2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeWriteServer{versions: map[string]int{}, staleEvery: tt.staleEvery, failEvery: tt.failEvery}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			t.Setenv("STRATA_TOKEN", "strata_secret")
			readers := tt.name == "with readers"
			if readers {
				tt.extra[1] = writePaths(t, "/collections/pts\n")
			}
			args := append([]string{"-url", srv.URL, "-writers", "4", "-write-layer", "pts", "-warmup", "0s", "-d", "1s", "-json"}, tt.extra...)
			var out, errOut bytes.Buffer
			if err := run(context.Background(), args, &out, &errOut); err != nil {
				t.Fatalf("run: %v\n%s", err, errOut.String())
			}
			var res mixedResult
			if err := json.Unmarshal(out.Bytes(), &res); err != nil {
				t.Fatalf("%v:\n%s", err, out.String())
			}
			w := res.Writes
			fake.mu.Lock()
			defer fake.mu.Unlock()
			if fake.badAuth != 0 || fake.badBody != 0 {
				t.Errorf("the server saw %d requests without the token, %d bad bodies", fake.badAuth, fake.badBody)
			}
			// Writes still in flight at the end are not counted: at most one a writer.
			if w.Writes == 0 || w.Moved == 0 || w.Created == 0 || w.Writes < fake.posts+fake.puts-4 || w.Writes > fake.posts+fake.puts {
				t.Errorf("reported %d writes (%d created, %d moved, %d errors %v); the server saw %d POST, %d PUT", w.Writes, w.Created, w.Moved, w.Errors, w.ErrorKinds, fake.posts, fake.puts)
			}
			if w.Stale < fake.stale-4 || w.Stale > fake.stale || (tt.staleEvery > 0) != (w.Stale > 0) {
				t.Errorf("reported %d 412, the server sent %d", w.Stale, fake.stale)
			}
			if tt.failEvery > 0 && (res.Status5xx == 0 || res.Status5xx != w.Status[503] || w.Other != w.Status[503]) {
				t.Errorf("5xx %d, status %v, other %d", res.Status5xx, w.Status, w.Other)
			}
			if w.OK != w.Created+w.Moved || w.OK+w.Stale+w.Other != w.Writes || w.P99Ms < w.P50Ms || w.P50Ms <= 0 {
				t.Errorf("inconsistent result %+v", w)
			}
			if readers != (res.Reads != nil) || readers && (res.Reads.Requests == 0 || res.Reads.Status[200] != res.Reads.Requests) {
				t.Errorf("reads: %+v", res.Reads)
			}
			if tt.name == "paced" && (w.Writes < 200 || w.Writes > 440) {
				t.Errorf("paced at 400/s for 1 s: %d writes", w.Writes)
			}
		})
	}
}

func TestRunWritesRefuses(t *testing.T) {
	fake := &fakeWriteServer{versions: map[string]int{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	tests := []struct {
		name  string
		token string
		args  []string
		usage bool
		want  string
	}{
		{"no token", "", []string{"-writers", "2", "-write-layer", "pts"}, true, "STRATA_TOKEN"},
		{"no layer", "strata_secret", []string{"-writers", "2"}, true, "-write-layer"},
		{"negative writers", "strata_secret", []string{"-writers", "-1", "-write-layer", "pts"}, true, "-writers"},
		{"bad rate", "strata_secret", []string{"-writers", "2", "-write-layer", "pts", "-write-rate", "fast"}, false, "writes per second"},
		{"bad box", "strata_secret", []string{"-writers", "2", "-write-layer", "pts", "-write-bbox", "35,31,34,32"}, false, "minlon"},
		{"bad move share", "strata_secret", []string{"-writers", "2", "-write-layer", "pts", "-write-moves", "2"}, true, "-write-moves"},
		{"replay with writers", "strata_secret", []string{"-writers", "2", "-write-layer", "pts", "-paths", writePaths(t, "/a\n"), "-replay", "127.0.0.1:0"}, true, "-replay"},
		{"unknown layer", "strata_secret", []string{"-writers", "2", "-write-layer", "nope"}, false, "404"},
		{"wrong token", "strata_wrong", []string{"-writers", "2", "-write-layer", "pts"}, false, "does not let this token write"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("STRATA_TOKEN", tt.token)
			var out bytes.Buffer
			err := run(context.Background(), append([]string{"-url", srv.URL, "-d", "1s"}, tt.args...), &out, &out)
			if err == nil {
				t.Fatal("no error")
			}
			var u usageError
			if errors.As(err, &u) != tt.usage || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q (usage %v), want %q (usage %v)", err, errors.As(err, &u), tt.want, tt.usage)
			}
			if strings.Contains(err.Error()+out.String(), "strata_secret") {
				t.Errorf("the token appears in %q", err.Error()+out.String())
			}
		})
	}
	if fake.posts+fake.puts != 0 {
		t.Errorf("refused runs wrote %d times", fake.posts+fake.puts)
	}
}
