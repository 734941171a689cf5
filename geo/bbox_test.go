package geo_test

import (
	"errors"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"strata/geo"
)

func TestParseBBox(t *testing.T) {
	cases := []struct {
		in   string
		want geo.BBox
	}{
		{"34,31,35,32", geo.BBox{34, 31, 35, 32}},
		{" 34.5 , 31.25,35,32 ", geo.BBox{34.5, 31.25, 35, 32}},
		{"34,31,-10,35,32,100", geo.BBox{34, 31, 35, 32}},
		{"-180,-90,180,90", geo.World},
		{"179,-20,-179,-10", geo.BBox{179, -20, -179, -10}},
		{"34,31,34,31", geo.BBox{34, 31, 34, 31}},
		{"3.4E+1,31e0,-0,32.000", geo.BBox{34, 31, 0, 32}},
		{"034,31,35,32", geo.BBox{34, 31, 35, 32}},
	}
	for _, c := range cases {
		got, err := geo.ParseBBox(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseBBox(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"", "1,2,3", "1,2,3,4,5", "1,2,3,4,5,6,7", "a,b,c,d", "NaN,1,2,3", "Inf,1,2,3", "1,,2,3",
		"-181,0,1,1", "0,0,181,1", "0,-91,1,1", "0,0,1,91", "0,2,1,1", "0,0,0,1,1,-1",
		// Only plain decimal numbers, not what else Go's parser takes.
		"1_0,0,11,1", "0x1p-2,0,1,1", "+1,0,2,1", ".5,0,1,1", "5.,0,6,1", "infinity,0,1,1", "nan,0,1,1", "1e,0,1,1",
		"--1,0,1,1", "1e+,0,1,1", "0,0,1,1e5000", "1 0,0,11,1"} {
		_, err := geo.ParseBBox(in)
		var ge *geo.Error
		if !errors.As(err, &ge) || ge.Param != "bbox" || !errors.Is(err, geo.ErrInvalid) {
			t.Errorf("ParseBBox(%q) error = %v, want ErrInvalid naming bbox", in, err)
		}
	}
}

func TestBBoxIntersects(t *testing.T) {
	r := orb.Bound{Min: orb.Point{34, 31}, Max: orb.Point{35, 32}}
	cases := []struct {
		b    geo.BBox
		want bool
	}{
		{geo.BBox{34.5, 31.5, 36, 33}, true},
		{geo.BBox{35, 32, 36, 33}, true},
		{geo.BBox{35.1, 31, 36, 32}, false},
		{geo.BBox{34, 32.1, 35, 33}, false},
		{geo.BBox{170, 31, 34.5, 32}, true},
		{geo.BBox{170, 31, 33, 32}, false},
	}
	for _, c := range cases {
		if got := c.b.Intersects(r); got != c.want {
			t.Errorf("%+v intersects %v = %v, want %v", c.b, r, got, c.want)
		}
	}
}

// decimal matches a plain decimal number, as ParseBBox takes them.
var decimal = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

func FuzzParseBBox(f *testing.F) {
	for _, s := range []string{"34,31,35,32", "179,-20,-179,-10", "1,2,3", "a,b,c,d", "0,0,0,1,1,1", "1e308,0,1,1", "1_0,0,11,1", "0x1p-2,0,1,1", "+1,0,2,1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := geo.ParseBBox(s)
		if err != nil {
			if !errors.Is(err, geo.ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		for _, p := range strings.Split(s, ",") {
			if !decimal.MatchString(strings.TrimSpace(p)) {
				t.Fatalf("%q accepted, but %q is not a plain decimal number", s, p)
			}
		}
		for _, v := range []float64{b.MinLon, b.MinLat, b.MaxLon, b.MaxLat} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%q parsed to a non-finite box %+v", s, b)
			}
		}
		if b.MinLat > b.MaxLat || b.MinLon < -180 || b.MaxLon > 180 || b.MinLat < -90 || b.MaxLat > 90 {
			t.Fatalf("%q parsed to an impossible box %+v", s, b)
		}
	})
}
