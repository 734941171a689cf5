package baselayers

import (
	"encoding/json"
	"fmt"

	"github.com/paulmach/orb"
)

// topology is the part of a TopoJSON document (topojson-specification 1.0)
// that the basemap files use.
type topology struct {
	Type      string `json:"type"`
	Transform *struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Arcs    [][][2]float64          `json:"arcs"`
	Objects map[string]topoGeometry `json:"objects"`
	// Clip is Strata's own member: the box the region was clipped to.
	Clip []float64 `json:"clip"`
}

type topoGeometry struct {
	Type       string          `json:"type"`
	Arcs       json.RawMessage `json:"arcs"`
	Geometries []topoGeometry  `json:"geometries"`
	Properties map[string]any  `json:"properties"`
}

// decodeTopology parses a TopoJSON document and decodes its arcs into
// positions: quantised arcs are delta-encoded, then scaled and
// translated.
func decodeTopology(data []byte) (*topology, [][]orb.Point, error) {
	var t topology
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, nil, err
	}
	if t.Type != "Topology" {
		return nil, nil, fmt.Errorf("type %q is not Topology", t.Type)
	}
	arcs := make([][]orb.Point, len(t.Arcs))
	for i, a := range t.Arcs {
		pts := make([]orb.Point, len(a))
		var x, y float64
		for j, p := range a {
			if t.Transform == nil {
				pts[j] = orb.Point{p[0], p[1]}
				continue
			}
			x, y = x+p[0], y+p[1]
			pts[j] = orb.Point{x*t.Transform.Scale[0] + t.Transform.Translate[0], y*t.Transform.Scale[1] + t.Transform.Translate[1]}
		}
		arcs[i] = pts
	}
	return &t, arcs, nil
}

// stitch joins arcs by index into one line: a negative index ~i is arc i
// reversed, and each arc after the first starts where the last ended, so
// its first position is dropped.
func stitch(arcs [][]orb.Point, idx []int) ([]orb.Point, error) {
	var out []orb.Point
	for k, i := range idx {
		rev := i < 0
		if rev {
			i = ^i
		}
		if i >= len(arcs) {
			return nil, fmt.Errorf("arc %d out of range", i)
		}
		a := arcs[i]
		start := 0
		if k > 0 {
			start = 1
		}
		for j := start; j < len(a); j++ {
			if rev {
				out = append(out, a[len(a)-1-j])
			} else {
				out = append(out, a[j])
			}
		}
	}
	return out, nil
}

// geometries turns a TopoJSON object into orb geometries, one per
// member of a GeometryCollection; null geometries are skipped.
func geometries(g topoGeometry, arcs [][]orb.Point) ([]orb.Geometry, error) {
	ring := func(idx []int) (orb.Ring, error) {
		pts, err := stitch(arcs, idx)
		return orb.Ring(pts), err
	}
	switch g.Type {
	case "GeometryCollection":
		var out []orb.Geometry
		for _, m := range g.Geometries {
			gs, err := geometries(m, arcs)
			if err != nil {
				return nil, err
			}
			out = append(out, gs...)
		}
		return out, nil
	case "LineString":
		var idx []int
		if err := json.Unmarshal(g.Arcs, &idx); err != nil {
			return nil, err
		}
		pts, err := stitch(arcs, idx)
		return []orb.Geometry{orb.LineString(pts)}, err
	case "MultiLineString", "Polygon":
		var idx [][]int
		if err := json.Unmarshal(g.Arcs, &idx); err != nil {
			return nil, err
		}
		if g.Type == "Polygon" {
			p, err := polygon(idx, ring)
			return []orb.Geometry{p}, err
		}
		ml := make(orb.MultiLineString, 0, len(idx))
		for _, l := range idx {
			pts, err := stitch(arcs, l)
			if err != nil {
				return nil, err
			}
			ml = append(ml, pts)
		}
		return []orb.Geometry{ml}, nil
	case "MultiPolygon":
		var idx [][][]int
		if err := json.Unmarshal(g.Arcs, &idx); err != nil {
			return nil, err
		}
		mp := make(orb.MultiPolygon, 0, len(idx))
		for _, p := range idx {
			poly, err := polygon(p, ring)
			if err != nil {
				return nil, err
			}
			mp = append(mp, poly)
		}
		return []orb.Geometry{mp}, nil
	case "", "null":
		return nil, nil
	default:
		return nil, fmt.Errorf("geometry type %q is not supported", g.Type)
	}
}

func polygon(idx [][]int, ring func([]int) (orb.Ring, error)) (orb.Polygon, error) {
	p := make(orb.Polygon, 0, len(idx))
	for _, r := range idx {
		rr, err := ring(r)
		if err != nil {
			return nil, err
		}
		p = append(p, rr)
	}
	return p, nil
}
