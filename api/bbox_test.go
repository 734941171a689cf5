package api_test

import (
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/paulmach/orb/geojson"

	"strata/geo"
)

// TestBBoxIsExact checks that bbox selects features by their geometry,
// not their bounding box, and that the page, numberMatched and the
// histogram agree. The first box is the issue's: the yellow line's
// bounds hold it, but the line runs about 20 km away.
func TestBBoxIsExact(t *testing.T) { forEachStore(t, testBBoxIsExact) }

func testBBoxIsExact(t *testing.T, srv *httptest.Server) {
	for _, c := range []struct {
		layer, bbox string
		want        int // -1: count the geometries that meet the box
	}{
		{"lines", "34.2356,31.545,34.2456,31.556", 0},
		{"lines", "34.3,31.3,34.5,31.5", -1},
		{"areas", "34.2356,31.545,34.2456,31.556", -1},
		{"areas", "34.4,31.45,34.41,31.46", -1},
		{"borders", "34.2,31.2,34.3,31.3", -1},
		{"towns", "34.2,31.2,34.7,31.7", -1},
	} {
		t.Run(c.layer+" "+c.bbox, func(t *testing.T) {
			box, err := geo.ParseBBox(c.bbox)
			if err != nil {
				t.Fatal(err)
			}
			want := c.want
			if want < 0 {
				// The geometries of the whole layer, tested one by one.
				all := get(t, srv.URL+"/collections/"+c.layer+"/items?limit=10000")
				fc, err := geojson.UnmarshalFeatureCollection(all.body)
				if err != nil {
					t.Fatal(err)
				}
				want = 0
				for _, f := range fc.Features {
					if box.IntersectsGeometry(f.Geometry) {
						want++
					}
				}
				if want == len(fc.Features) {
					t.Logf("every feature of %s meets the box", c.layer)
				}
			}
			q := "?bbox=" + url.QueryEscape(c.bbox)
			page := decode[featureCollection](t, get(t, srv.URL+"/collections/"+c.layer+"/items"+q+"&limit=10000"))
			if page.NumberMatched != want || page.NumberReturned != want {
				t.Errorf("items: numberMatched %d, numberReturned %d; want %d", page.NumberMatched, page.NumberReturned, want)
			}
			h := decode[struct {
				Features int `json:"features"`
			}](t, get(t, srv.URL+"/collections/"+c.layer+"/histogram"+q))
			if h.Features != want {
				t.Errorf("histogram: %d features, want %d", h.Features, want)
			}
		})
	}
}
