package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"strata/api"
	"strata/data/sqlite"
	"strata/geo"
)

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
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "gate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const n = 400 // about 100 KB of GeoJSON: several writes
	_, err = db.Import(ctx, geo.Layer{ID: "pts", Title: "Points", Kind: geo.KindPoint}, geo.Append, func(yield func(*geo.Feature, error) bool) {
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
	var fc struct {
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(slow.Body.Bytes(), &fc); err != nil || len(fc.Features) != n {
		t.Errorf("stalled client's page: %d features, %v", len(fc.Features), err)
	}
}
