package api_test

import (
	"bytes"
	"regexp"
	"testing"

	"strata/api"
)

// stamp matches an items page's timeStamp, which is written anew for
// every answer.
var stamp = regexp.MustCompile(`"timeStamp":"[^"]*"`)

// TestItemsPageCache: a page asked again at the same data version comes
// from the cache (X-Cache: hit) with the same body but for its timeStamp;
// a write makes a new version, whose page is computed again and shows the
// write; other queries and pages are separate entries.
func TestItemsPageCache(t *testing.T) {
	for _, e := range writeStores(t, api.Config{PageCacheBytes: 1 << 20}) {
		t.Run(e.name, func(t *testing.T) {
			json1 := map[string]string{"token": "bob", "Content-Type": "application/geo+json"}
			for _, id := range []string{"p1", "p2", "p3"} {
				if r := e.send(t, "POST", "/collections/a/items", pointFeature(id, 34.4, 31.5, ""), json1); r.status != 201 {
					t.Fatalf("POST %s: %d %s", id, r.status, r.body)
				}
			}
			items := e.srv.URL + "/collections/a/items?bbox=34,31,35,32&limit=2"
			first := get(t, items)
			if first.status != 200 || first.header.Get("X-Cache") != "miss" {
				t.Fatalf("first GET: %d X-Cache %q", first.status, first.header.Get("X-Cache"))
			}
			again := get(t, items)
			if again.header.Get("X-Cache") != "hit" {
				t.Fatalf("second GET: X-Cache %q", again.header.Get("X-Cache"))
			}
			if a, b := stamp.ReplaceAll(first.body, nil), stamp.ReplaceAll(again.body, nil); !bytes.Equal(a, b) {
				t.Errorf("cached page differs:\n%s\n%s", a, b)
			}
			fc := decode[featureCollection](t, again)
			if fc.NumberMatched != 3 || fc.NumberReturned != 2 || fc.link("next") == "" {
				t.Errorf("cached page: matched %d returned %d next %q", fc.NumberMatched, fc.NumberReturned, fc.link("next"))
			}
			if next := get(t, fc.link("next")); next.header.Get("X-Cache") != "miss" || decode[featureCollection](t, next).NumberReturned != 1 {
				t.Errorf("next page: X-Cache %q, %s", next.header.Get("X-Cache"), next.body)
			}
			// A write: the same query is computed again and shows it.
			if r := e.send(t, "POST", "/collections/a/items", pointFeature("p4", 34.5, 31.5, ""), json1); r.status != 201 {
				t.Fatalf("POST p4: %d %s", r.status, r.body)
			}
			after := get(t, items)
			if after.header.Get("X-Cache") != "miss" || decode[featureCollection](t, after).NumberMatched != 4 {
				t.Errorf("after a write: X-Cache %q, %s", after.header.Get("X-Cache"), after.body)
			}
		})
	}
}

// TestItemsPageCacheOff: with no budget, nothing is cached and no
// X-Cache header is sent.
func TestItemsPageCacheOff(t *testing.T) {
	e := writeStores(t, api.Config{})[0]
	for range 2 {
		if r := get(t, e.srv.URL+"/collections/a/items"); r.status != 200 || r.header.Get("X-Cache") != "" {
			t.Fatalf("items: %d X-Cache %q", r.status, r.header.Get("X-Cache"))
		}
	}
}
