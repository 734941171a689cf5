package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"strata/api"
	"strata/data/sqlite"
	"strata/geo"
)

// pointsDB returns an SQLite store whose layer "pts" holds n points.
func pointsDB(t *testing.T, n int) *sqlite.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "points.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	_, err = db.Import(ctx, geo.ChangeNote{Author: "test"}, geo.Layer{ID: "pts", Title: "Points", Kind: geo.KindPoint}, geo.Append, func(yield func(*geo.Feature, error) bool) {
		for i := range n {
			f := &geo.Feature{ID: fmt.Sprint(i), Name: fmt.Sprintf("point %d", i), Geometry: orb.Point{34 + float64(i)/1000, 31},
				Valid: geo.Always, PrecisionM: 10, Sources: []geo.Source{{Title: "Test"}}}
			if !yield(f, nil) {
				return
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// pausingStore stops in the middle of its first page, after the given
// number of features, until resume is closed.
type pausingStore struct {
	*sqlite.DB
	after  int
	paused chan struct{} // closed when the store stops
	resume chan struct{}
	once   sync.Once
}

func (s *pausingStore) Snapshot(ctx context.Context) (geo.Snapshot, error) {
	sn, err := s.DB.Snapshot(ctx)
	return pausingSnap{sn, s}, err
}

type pausingSnap struct {
	geo.Snapshot
	s *pausingStore
}

func (p pausingSnap) Search(ctx context.Context, f geo.Filter, fn func(*geo.Feature) error) (int, error) {
	n, s := 0, p.s
	return p.Snapshot.Search(ctx, f, func(ft *geo.Feature) error {
		if n++; n == s.after {
			s.once.Do(func() {
				close(s.paused)
				<-s.resume
			})
		}
		return fn(ft)
	})
}

// signalWriter closes first at its first Write.
type signalWriter struct {
	*httptest.ResponseRecorder
	first chan struct{}
	once  sync.Once
}

func (w *signalWriter) Write(b []byte) (int, error) {
	w.once.Do(func() { close(w.first) })
	return w.ResponseRecorder.Write(b)
}

// TestItemsStream: a page is written as it is read, not built whole
// first, so a request's memory does not grow with its limit. The store
// pauses after 300 of 400 features; the client must have bytes by then.
func TestItemsStream(t *testing.T) {
	store := &pausingStore{DB: pointsDB(t, 400), after: 300, paused: make(chan struct{}), resume: make(chan struct{})}
	h := api.New(api.Config{Store: store}).Handler()
	w := &signalWriter{ResponseRecorder: httptest.NewRecorder(), first: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/collections/pts/items?limit=400", nil))
	}()
	<-store.paused
	select {
	case <-w.first:
	case <-time.After(20 * time.Second):
		t.Error("nothing written after 300 features: the page is not streamed")
	}
	close(store.resume)
	<-done
	checkPage(t, "streamed page", w.Body.Bytes(), 400)
}

// checkPage checks that body is a complete page of n features.
func checkPage(t *testing.T, what string, body []byte, n int) {
	t.Helper()
	var fc struct {
		Features       []json.RawMessage `json:"features"`
		NumberReturned int               `json:"numberReturned"`
	}
	if err := json.Unmarshal(body, &fc); err != nil || len(fc.Features) != n || fc.NumberReturned != n {
		t.Errorf("%s: %d features, numberReturned %d, %v; want %d", what, len(fc.Features), fc.NumberReturned, err, n)
	}
}

// TestBusy: with the only query place taken, a request that waits longer
// than the queue timeout gets 503 with Retry-After, and the server goes
// on serving.
func TestBusy(t *testing.T) {
	store := &pausingStore{DB: pointsDB(t, 50), after: 1, paused: make(chan struct{}), resume: make(chan struct{})}
	h := api.New(api.Config{Store: store, MaxQueries: 1, QueueTimeout: 50 * time.Millisecond}).Handler()
	done := make(chan *httptest.ResponseRecorder)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/collections/pts/items", nil))
		done <- rec
	}()
	<-store.paused // holds the only place
	for _, path := range []string{"/collections/pts/items?limit=5", "/tiles/WebMercatorQuad/8/152/105"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "ServiceUnavailable") {
			t.Errorf("%s while busy: %d, Retry-After %q, %s", path, rec.Code, rec.Header().Get("Retry-After"), rec.Body)
		}
	}
	close(store.resume)
	if rec := <-done; rec.Code != http.StatusOK {
		t.Errorf("the query that held the place: %d", rec.Code)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/collections/pts/items?limit=5", nil))
	checkPage(t, "after the busy spell", rec.Body.Bytes(), 5)
}

// panicStore panics in its first query of each kind.
type panicStore struct {
	*sqlite.DB
	items, points atomic.Int32
}

func (s *panicStore) Snapshot(ctx context.Context) (geo.Snapshot, error) {
	sn, err := s.DB.Snapshot(ctx)
	return panicSnap{sn, s}, err
}

type panicSnap struct {
	geo.Snapshot
	s *panicStore
}

func (p panicSnap) Search(ctx context.Context, f geo.Filter, fn func(*geo.Feature) error) (int, error) {
	if p.s.items.Add(1) == 1 {
		panic("store failure")
	}
	return p.Snapshot.Search(ctx, f, fn)
}

func (p panicSnap) Points(ctx context.Context, f geo.Filter, fn func(geo.PointHit) error) (geo.PointAttrs, int, error) {
	if p.s.points.Add(1) == 1 {
		panic("store failure")
	}
	return p.Snapshot.Points(ctx, f, fn)
}

// TestPanicFreesPlace: a query that panics answers 500 and gives its
// place back, so the server, with a single place, goes on serving.
func TestPanicFreesPlace(t *testing.T) {
	store := &panicStore{DB: pointsDB(t, 20)}
	h := api.New(api.Config{Store: store, MaxQueries: 1, QueueTimeout: 5 * time.Second, Logger: slog.New(slog.DiscardHandler)}).Handler()
	for _, path := range []string{"/collections/pts/items", "/collections/pts/tiles/WebMercatorQuad/8/105/152"} {
		for i, want := range []int{http.StatusInternalServerError, http.StatusOK} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != want && !(i == 1 && rec.Code == http.StatusNoContent) {
				t.Errorf("%s, request %d: status %d, want %d: %s", path, i+1, rec.Code, want, rec.Body)
			}
		}
	}
}

// stalledWriter is a client that stops reading: its first Write blocks
// until release is closed.
type stalledWriter struct {
	*httptest.ResponseRecorder
	blocked chan struct{} // closed at the first Write
	release chan struct{}
}

func (w *stalledWriter) Write(b []byte) (int, error) {
	select {
	case <-w.blocked:
	default:
		close(w.blocked)
		<-w.release
	}
	return w.ResponseRecorder.Write(b)
}

// TestStalledClientHoldsNoPlace: with one query place, a client that
// stops reading a long page must not keep other requests waiting.
func TestStalledClientHoldsNoPlace(t *testing.T) {
	const n = 400 // about 100 KB of GeoJSON: several writes
	db := pointsDB(t, n)
	h := api.New(api.Config{Store: db, MaxQueries: 1}).Handler()

	slow := &stalledWriter{httptest.NewRecorder(), make(chan struct{}), make(chan struct{})}
	slowDone := make(chan struct{})
	go func() {
		defer close(slowDone)
		h.ServeHTTP(slow, httptest.NewRequest(http.MethodGet, fmt.Sprintf("/collections/pts/items?limit=%d", n), nil))
	}()
	<-slow.blocked

	fast := make(chan *httptest.ResponseRecorder)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/collections/pts/items?limit=5", nil))
		fast <- rec
	}()
	select {
	case rec := <-fast:
		if rec.Code != http.StatusOK {
			t.Errorf("second request: status %d: %s", rec.Code, rec.Body)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a client that stopped reading kept the only query place")
	}
	close(slow.release)
	<-slowDone
	checkPage(t, "stalled client's page", slow.Body.Bytes(), n)
}
