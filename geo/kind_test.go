package geo

import (
	"errors"
	"testing"

	"github.com/paulmach/orb"
)

func TestLayerAccepts(t *testing.T) {
	pt, line, poly := orb.Point{1, 2}, orb.LineString{{1, 2}, {3, 4}}, orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}
	tests := []struct {
		kind GeometryKind
		g    orb.Geometry
		ok   bool
	}{
		{KindPoint, pt, true},
		{KindPoint, orb.MultiPoint{pt}, true},
		{KindPoint, poly, false},
		{KindPoint, line, false},
		{KindPoint, orb.Collection{pt}, false},
		{KindLine, line, true},
		{KindLine, orb.MultiLineString{line}, true},
		{KindLine, pt, false},
		{KindPolygon, poly, true},
		{KindPolygon, orb.MultiPolygon{poly}, true},
		{KindPolygon, line, false},
		{KindMixed, orb.Collection{pt, line}, true},
		{KindMixed, poly, true},
		{KindMixed, nil, false},
	}
	for _, tt := range tests {
		l := Layer{ID: "l", Kind: tt.kind}
		err := l.Accepts(tt.g)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("%s layer, %T: error %v, want ok %v", tt.kind, tt.g, err, tt.ok)
		}
	}
}
