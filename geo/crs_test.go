package geo_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"strata/geo"
)

// Reference coordinates in EPSG:3857 (as epsg.io and PROJ give them) for
// positions in CRS84.
var mercatorRefs = []struct{ lonlat, xy orb.Point }{
	{orb.Point{0, 0}, orb.Point{0, 0}},
	{orb.Point{10, 50}, orb.Point{1113194.9079327357, 6446275.841017158}},
	{orb.Point{-10, 45}, orb.Point{-1113194.9079327357, 5621521.486192066}},
	{orb.Point{180, 85.05112877980659}, orb.Point{20037508.342789244, 20037508.342789244}},
	{orb.Point{-180, -85.05112877980659}, orb.Point{-20037508.342789244, -20037508.342789244}},
}

func near(a, b orb.Point, tol float64) bool {
	return math.Abs(a[0]-b[0]) <= tol && math.Abs(a[1]-b[1]) <= tol
}

func TestCRSProject(t *testing.T) {
	c3857, err := geo.ParseCRS("crs", geo.EPSG3857)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range mercatorRefs {
		if got := c3857.Project(r.lonlat).(orb.Point); !near(got, r.xy, 1e-6) {
			t.Errorf("%v in EPSG:3857 = %v, want %v", r.lonlat, got, r.xy)
		}
		if got := c3857.ToCRS84(r.xy); !near(got, r.lonlat, 1e-9) {
			t.Errorf("%v from EPSG:3857 = %v, want %v", r.xy, got, r.lonlat)
		}
	}
	c4326, _ := geo.ParseCRS("crs", geo.EPSG4326)
	line := orb.LineString{{34.5, 31.5}, {34.6, 31.4}}
	got := c4326.Project(line).(orb.LineString)
	if want := (orb.LineString{{31.5, 34.5}, {31.4, 34.6}}); !orb.Equal(got, want) {
		t.Errorf("EPSG:4326 = %v, want latitude first %v", got, want)
	}
	if line[0] != (orb.Point{34.5, 31.5}) {
		t.Errorf("Project changed its input: %v", line)
	}
	if p := c4326.ToCRS84(orb.Point{31.5, 34.5}); p != (orb.Point{34.5, 31.5}) {
		t.Errorf("EPSG:4326 to CRS84 = %v", p)
	}
	var zero geo.CRS
	if !zero.IsCRS84() || zero.URI() != geo.CRS84 || zero.Project(line).(orb.LineString)[0] != line[0] {
		t.Error("the zero CRS is not CRS84")
	}
	poly := orb.Polygon{{{34, 31}, {35, 31}, {35, 32}, {34, 31}}}
	if got := c3857.Project(poly).(orb.Polygon); len(got[0]) != 4 || !near(c3857.ToCRS84(got[0][2]), orb.Point{35, 32}, 1e-9) {
		t.Errorf("polygon in EPSG:3857 = %v", got)
	}
}

func TestParseCRS(t *testing.T) {
	for _, u := range geo.CRSList() {
		c, err := geo.ParseCRS("crs", u)
		if err != nil || c.URI() != u {
			t.Errorf("ParseCRS(%q) = %v, %v", u, c.URI(), err)
		}
	}
	if l := geo.CRSList(); len(l) != 3 || l[0] != geo.CRS84 {
		t.Errorf("CRSList() = %v, want CRS84 first of 3", l)
	}
	for _, bad := range []string{"", "EPSG:4326", "http://www.opengis.net/def/crs/EPSG/0/2039", geo.CRS84 + " ", strings.Repeat("x", 500)} {
		_, err := geo.ParseCRS("bbox-crs", bad)
		var ge *geo.Error
		if !errors.Is(err, geo.ErrInvalid) || !errors.As(err, &ge) || ge.Param != "bbox-crs" {
			t.Errorf("ParseCRS(%q) = %v, want ErrInvalid naming bbox-crs", bad, err)
		}
	}
}

func TestParseBBoxIn(t *testing.T) {
	c4326, _ := geo.ParseCRS("bbox-crs", geo.EPSG4326)
	c3857, _ := geo.ParseCRS("bbox-crs", geo.EPSG3857)
	cases := []struct {
		s    string
		c    geo.CRS
		want geo.BBox
		ok   bool
	}{
		{"34,31,35,32", geo.CRS{}, geo.BBox{MinLon: 34, MinLat: 31, MaxLon: 35, MaxLat: 32}, true},
		{"31,34,32,35", c4326, geo.BBox{MinLon: 34, MinLat: 31, MaxLon: 35, MaxLat: 32}, true},
		{"31,34,0,32,35,10", c4326, geo.BBox{MinLon: 34, MinLat: 31, MaxLon: 35, MaxLat: 32}, true},
		{"-1113194.9079327357,5621521.486192066,1113194.9079327357,6446275.841017158", c3857, geo.BBox{MinLon: -10, MinLat: 45, MaxLon: 10, MaxLat: 50}, true},
		{"34,31,35,32", c4326, geo.BBox{MinLon: 31, MinLat: 34, MaxLon: 32, MaxLat: 35}, true}, // latitude first
		{"100,0,0,1", c4326, geo.BBox{}, false},       // latitude 100
		{"-30000000,0,0,1", c3857, geo.BBox{}, false}, // beyond the square
		{"0,2,1,1", c3857, geo.BBox{}, false},         // minimum northing above the maximum
	}
	for _, c := range cases {
		got, err := geo.ParseBBoxIn(c.s, c.c)
		if c.ok != (err == nil) {
			t.Errorf("ParseBBoxIn(%q, %s) error %v, want ok %v", c.s, c.c.URI(), err, c.ok)
			continue
		}
		if c.ok && !(near(orb.Point{got.MinLon, got.MinLat}, orb.Point{c.want.MinLon, c.want.MinLat}, 1e-9) && near(orb.Point{got.MaxLon, got.MaxLat}, orb.Point{c.want.MaxLon, c.want.MaxLat}, 1e-9)) {
			t.Errorf("ParseBBoxIn(%q, %s) = %+v, want %+v", c.s, c.c.URI(), got, c.want)
		}
	}
}

// FuzzParseBBoxIn checks that a box read in any CRS is an error naming
// bbox, or a possible CRS84 box.
func FuzzParseBBoxIn(f *testing.F) {
	for _, s := range []string{"31,34,32,35", "-1113194.9,5621521.4,1113194.9,6446275.8", "34,31,35,32", "1e308,0,1,1", "-30000000,0,0,1", "0,2,1,1,5,3"} {
		for k := range geo.CRSList() {
			f.Add(s, k)
		}
	}
	f.Fuzz(func(t *testing.T, s string, k int) {
		list := geo.CRSList()
		c, err := geo.ParseCRS("bbox-crs", list[uint(k)%uint(len(list))])
		if err != nil {
			t.Fatal(err)
		}
		b, err := geo.ParseBBoxIn(s, c)
		if err != nil {
			var ge *geo.Error
			if !errors.As(err, &ge) || ge.Param != "bbox" {
				t.Fatalf("error %v does not name bbox", err)
			}
			return
		}
		for _, v := range []float64{b.MinLon, b.MinLat, b.MaxLon, b.MaxLat} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%q in %s parsed to a non-finite box %+v", s, c.URI(), b)
			}
		}
		if b.MinLat > b.MaxLat || b.MinLon < -180 || b.MaxLon > 180 || b.MinLat < -90 || b.MaxLat > 90 {
			t.Fatalf("%q in %s parsed to an impossible box %+v", s, c.URI(), b)
		}
	})
}
