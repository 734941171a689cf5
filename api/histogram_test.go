package api_test

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestHistogram checks each seed collection's counts by day against its
// items: for every day from first to last, the features whose valid time
// touches the day.
func TestHistogram(t *testing.T) { forEachStore(t, testHistogram) }

func testHistogram(t *testing.T, srv *httptest.Server) {
	for _, layer := range []string{"towns", "facilities", "crossings", "lines", "schematics", "borders", "areas", "events"} {
		t.Run(layer, func(t *testing.T) {
			r := get(t, srv.URL+"/collections/"+layer+"/histogram")
			if r.status != 200 || r.header.Get("ETag") == "" {
				t.Fatalf("status %d, ETag %q: %s", r.status, r.header.Get("ETag"), r.body)
			}
			h := decode[struct {
				Features  int            `json:"features"`
				First     *string        `json:"first"`
				Last      *string        `json:"last"`
				Valid     []int          `json:"valid"`
				Starts    map[string]int `json:"starts"`
				OpenStart int            `json:"openStart"`
				OpenEnd   int            `json:"openEnd"`
			}](t, r)
			// Revalidation by the ETag answers 304, without counting again:
			// the tag is the data version's (weak), not the body's.
			if !strings.HasPrefix(r.header.Get("ETag"), `W/"`) {
				t.Errorf("ETag %q is not the weak, version-based one", r.header.Get("ETag"))
			}
			if again := do(t, "GET", srv.URL+"/collections/"+layer+"/histogram", map[string]string{"If-None-Match": r.header.Get("ETag")}); again.status != 304 {
				t.Errorf("If-None-Match: status %d, want 304", again.status)
			}
			fc := decode[featureCollection](t, get(t, srv.URL+"/collections/"+layer+"/items?limit=10000"))
			if h.Features != len(fc.Features) || len(fc.Features) == 0 {
				t.Fatalf("%d features counted, %d in the items", h.Features, len(fc.Features))
			}
			if h.First == nil || h.Last == nil {
				// Only when every feature is valid always.
				if h.First != h.Last || h.OpenStart != h.Features || h.OpenEnd != h.Features || len(h.Valid) != 0 {
					t.Errorf("first %v, last %v: %+v", h.First, h.Last, h)
				}
				return
			}
			first, err1 := time.Parse(time.DateOnly, *h.First)
			last, err2 := time.Parse(time.DateOnly, *h.Last)
			if err1 != nil || err2 != nil || len(h.Valid) != int(last.Sub(first)/(24*time.Hour))+1 {
				t.Fatalf("first %s last %s and %d days: %v %v", *h.First, *h.Last, len(h.Valid), err1, err2)
			}
			bound := func(v any, open time.Time) time.Time {
				if v == nil {
					return open
				}
				s := fmt.Sprint(v)
				if tm, err := time.Parse(time.DateOnly, s); err == nil {
					return tm
				}
				tm, err := time.Parse(time.RFC3339, s)
				if err != nil {
					t.Fatalf("bound %q: %v", s, err)
				}
				return tm
			}
			starts, openStart, openEnd := map[string]int{}, 0, 0
			for _, f := range fc.Features {
				if f.Properties["valid_from"] == nil {
					openStart++
				} else {
					starts[bound(f.Properties["valid_from"], time.Time{}).UTC().Truncate(24*time.Hour).Format(time.DateOnly)]++
				}
				if f.Properties["valid_to"] == nil {
					openEnd++
				}
			}
			if fmt.Sprint(starts) != fmt.Sprint(h.Starts) || openStart != h.OpenStart || openEnd != h.OpenEnd {
				t.Errorf("starts %v open %d/%d; histogram %v open %d/%d", starts, openStart, openEnd, h.Starts, h.OpenStart, h.OpenEnd)
			}
			for i, n := range h.Valid {
				day := first.AddDate(0, 0, i)
				want := 0
				for _, f := range fc.Features {
					from := bound(f.Properties["valid_from"], time.Unix(-1<<40, 0))
					to := bound(f.Properties["valid_to"], time.Unix(1<<40, 0))
					if from.Before(day.AddDate(0, 0, 1)) && to.After(day) {
						want++
					}
				}
				if n != want {
					t.Errorf("%s: %d valid, the items say %d", day.Format(time.DateOnly), n, want)
				}
			}
		})
	}
}
