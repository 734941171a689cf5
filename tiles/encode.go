package tiles

import (
	"context"
	"math"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"

	"strata/geo"
)

// maxLat is the latitude at which Web Mercator ends.
const maxLat = 85.05112877980659

// render draws tile t of the layers ids, which are sorted and distinct.
func (r *Renderer) render(ctx context.Context, t maptile.Tile, ids []string, when geo.Interval) ([]byte, error) {
	e := newEncoder(t, r.opt)
	box := e.queryBox()
	layers := make(mvt.Layers, 0, len(ids))
	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	for _, id := range ids {
		sc.reset()
		lb := layerBuilder{e: e, ctx: ctx, scratch: sc}
		f := geo.Filter{Layer: id, BBox: &box, Time: when, Light: true}
		if err := r.store.FindFeatures(ctx, f, lb.add); err != nil {
			return nil, err
		}
		if l := lb.finish(id); l != nil {
			layers = append(layers, l)
		}
	}
	if len(layers) == 0 {
		return []byte{}, nil
	}
	return mvt.Marshal(layers)
}

// encoder holds what drawing one tile needs.
type encoder struct {
	t   maptile.Tile
	opt Options
	// world is the width of the world in tile units at the tile's zoom;
	// (ox, oy) is the tile's top left corner in those units.
	world, ox, oy float64
	// clip is the buffered tile in tile units.
	clip orb.Bound
	// simplifier is nil where lines are not simplified.
	simplifier *simplify.DouglasPeuckerSimplifier
	// bounds remembers the text of valid-time bounds: tiles repeat them.
	bounds map[int64]string
}

func newEncoder(t maptile.Tile, opt Options) *encoder {
	world := float64(Extent) * math.Exp2(float64(t.Z))
	b := float64(opt.Buffer)
	e := &encoder{
		t:      t,
		opt:    opt,
		world:  world,
		ox:     float64(t.X) * Extent,
		oy:     float64(t.Y) * Extent,
		clip:   orb.Bound{Min: orb.Point{-b, -b}, Max: orb.Point{Extent + b, Extent + b}},
		bounds: make(map[int64]string),
	}
	if opt.Tolerance > 0 && t.Z < MaxZoom {
		e.simplifier = simplify.DouglasPeucker(opt.Tolerance)
	}
	return e
}

// queryBox returns the buffered tile in longitude and latitude. A tile on
// the top or bottom row reaches the pole, since positions beyond Web
// Mercator's latitude limit are drawn at the limit.
func (e *encoder) queryBox() geo.BBox {
	b := float64(e.opt.Buffer)
	lon := func(x float64) float64 { return min(max(x/e.world*360-180, -180), 180) }
	lat := func(y float64) float64 {
		return math.Atan(math.Sinh(math.Pi*(1-2*y/e.world))) * 180 / math.Pi
	}
	box := geo.BBox{
		MinLon: lon(e.ox - b), MaxLon: lon(e.ox + Extent + b),
		MinLat: lat(e.oy + Extent + b), MaxLat: lat(e.oy - b),
	}
	if e.t.Y == 0 {
		box.MaxLat = 90
	}
	if uint64(e.t.Y) == uint64(1)<<e.t.Z-1 {
		box.MinLat = -90
	}
	box.MinLat, box.MaxLat = max(box.MinLat, -90), min(box.MaxLat, 90)
	return box
}

// project returns the position of p in tile units, rounded down.
func (e *encoder) project(p orb.Point) orb.Point {
	lat := min(max(p[1], -maxLat), maxLat)
	s := math.Sin(lat * math.Pi / 180)
	x := (p[0] + 180) / 360 * e.world
	y := (0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)) * e.world
	return orb.Point{math.Floor(x - e.ox), math.Floor(y - e.oy)}
}

// boundText returns geo.FormatBound(ms), remembered.
func (e *encoder) boundText(ms int64) string {
	s, ok := e.bounds[ms]
	if !ok {
		s = geo.FormatBound(ms)
		e.bounds[ms] = s
	}
	return s
}

// props is what a tile feature says about its feature.
type props struct {
	id, name, kind string
	valid          geo.Interval
	precision      float64
}

// properties returns the MVT properties of a feature.
func (e *encoder) properties(p *props) geojson.Properties {
	m := make(geojson.Properties, 6)
	m["id"] = p.id
	if p.name != "" {
		m["name"] = p.name
	}
	if p.kind != "" {
		m["kind"] = p.kind
	}
	if !p.valid.IsOpenStart() {
		m["valid_from"] = e.boundText(p.valid.Start)
	}
	if !p.valid.IsOpenEnd() {
		m["valid_to"] = e.boundText(p.valid.End)
	}
	m["precision_m"] = p.precision
	return m
}

// tileFeature is a feature drawn in a tile: either a line or polygon
// geometry in tile units, or n points from first in layerBuilder.points.
type tileFeature struct {
	props    props
	geom     orb.Geometry
	first, n int
}

// tilePoint is a point in tile units and the index of its tileFeature.
type tilePoint struct {
	x, y int32
	feat int32
}

// layerBuilder gathers the features of one layer of a tile.
type layerBuilder struct {
	e   *encoder
	ctx context.Context
	*scratch
	seen int
}

// scratch is the memory a layer is drawn in, reused from tile to tile.
type scratch struct {
	feats  []tileFeature
	points []tilePoint
	keys   []uint64
	cells  []cell
	index  map[uint64]int32
}

// cell is a thinning grid cell: the sum of its points' positions, their
// number and the index of the first.
type cell struct {
	sx, sy int64
	n      int
	first  int
}

var scratchPool = sync.Pool{New: func() any { return &scratch{index: map[uint64]int32{}} }}

// maxPooledPoints bounds the scratch memory kept for reuse.
const maxPooledPoints = 1 << 16

// reset empties the scratch for another layer.
func (s *scratch) reset() {
	clear(s.feats) // drop references to the last layer's strings
	s.feats, s.points, s.keys, s.cells = s.feats[:0], s.points[:0], s.keys[:0], s.cells[:0]
	clear(s.index)
}

// release returns the scratch to the pool unless it has grown large.
func (s *scratch) release() {
	if cap(s.points) > maxPooledPoints || cap(s.feats) > maxPooledPoints || len(s.index) > maxPooledPoints {
		return
	}
	s.reset()
	scratchPool.Put(s)
}

// add draws f; the store calls it for each feature.
func (lb *layerBuilder) add(f *geo.Feature) error {
	if lb.seen++; lb.seen%1024 == 0 {
		if err := lb.ctx.Err(); err != nil {
			return err
		}
	}
	p := props{id: f.ID, name: f.Name, kind: f.Kind, valid: f.Valid, precision: f.PrecisionM}
	lb.addGeometry(&p, f.Geometry)
	return nil
}

func (lb *layerBuilder) addGeometry(p *props, g orb.Geometry) {
	switch g := g.(type) {
	case orb.Point:
		lb.addPoints(p, g)
	case orb.MultiPoint:
		lb.addPoints(p, g...)
	case orb.Collection:
		for _, m := range g {
			lb.addGeometry(p, m)
		}
	default:
		if s := lb.e.shape(g); s != nil {
			lb.feats = append(lb.feats, tileFeature{props: *p, geom: s})
		}
	}
}

func (lb *layerBuilder) addPoints(p *props, pts ...orb.Point) {
	first := len(lb.points)
	fi := int32(len(lb.feats))
	for _, pt := range pts {
		q := lb.e.project(pt)
		if lb.e.clip.Contains(q) {
			lb.points = append(lb.points, tilePoint{x: int32(q[0]), y: int32(q[1]), feat: fi})
		}
	}
	if n := len(lb.points) - first; n > 0 {
		lb.feats = append(lb.feats, tileFeature{props: *p, first: first, n: n})
	}
}

// finish returns the MVT layer, nil if it has no features.
func (lb *layerBuilder) finish(name string) *mvt.Layer {
	if len(lb.feats) == 0 {
		return nil
	}
	e := lb.e
	thin := len(lb.points) > e.opt.MaxPoints
	l := &mvt.Layer{Name: name, Version: 2, Extent: Extent, Features: make([]*geojson.Feature, 0, min(len(lb.feats), e.opt.MaxPoints+1))}
	for i := range lb.feats {
		f := &lb.feats[i]
		var g orb.Geometry
		switch {
		case f.geom != nil:
			g = f.geom
		case thin:
			continue
		case f.n == 1:
			g = lb.point(f.first)
		default:
			mp := make(orb.MultiPoint, f.n)
			for j := range mp {
				mp[j] = lb.point(f.first + j)
			}
			g = mp
		}
		l.Features = append(l.Features, &geojson.Feature{Geometry: g, Properties: e.properties(&f.props)})
	}
	if thin {
		l.Features = lb.cluster(l.Features)
	}
	return l
}

func (lb *layerBuilder) point(i int) orb.Point {
	return orb.Point{float64(lb.points[i].x), float64(lb.points[i].y)}
}

// cellKey packs the cell (cx, cy) into a map key.
func cellKey(cx, cy int32) uint64 { return uint64(uint32(cx))<<32 | uint64(uint32(cy)) }

// cellOf unpacks a cellKey.
func cellOf(k uint64) (cx, cy int32) { return int32(uint32(k >> 32)), int32(uint32(k)) }

// cluster appends the layer's points, thinned on a grid as the package
// documentation describes.
func (lb *layerBuilder) cluster(out []*geojson.Feature) []*geojson.Feature {
	e := lb.e
	var shift uint
	shift, lb.keys = cellShift(lb.keys, lb.points, e.opt.Cell, e.opt.MaxPoints)
	cells, index := lb.cells, lb.index
	for i, p := range lb.points {
		k := cellKey(p.x>>shift, p.y>>shift)
		ci, ok := index[k]
		if !ok {
			ci = int32(len(cells))
			index[k] = ci
			cells = append(cells, cell{first: i})
		}
		c := &cells[ci]
		c.sx += int64(p.x)
		c.sy += int64(p.y)
		c.n++
	}
	lb.cells = cells
	for _, c := range cells {
		if c.n == 1 {
			f := &lb.feats[lb.points[c.first].feat]
			out = append(out, &geojson.Feature{Geometry: lb.point(c.first), Properties: e.properties(&f.props)})
			continue
		}
		mean := orb.Point{floorDiv(c.sx, c.n), floorDiv(c.sy, c.n)}
		out = append(out, &geojson.Feature{
			Geometry:   mean,
			Properties: geojson.Properties{"cluster": true, "point_count": c.n},
		})
	}
	return out
}

// floorDiv returns ⌊s/n⌋ as a float64.
func floorDiv(s int64, n int) float64 { return math.Floor(float64(s) / float64(n)) }

// cellShift returns log2 of the side of the thinning cells: the smallest
// side from cell up to Extent at which the points occupy at most max cells.
// It uses and returns keys as scratch memory.
func cellShift(keys []uint64, points []tilePoint, cell, max int) (uint, []uint64) {
	shift := uint(0)
	for 1<<shift < cell {
		shift++
	}
	keys = keys[:0]
	for _, p := range points {
		keys = append(keys, cellKey(p.x>>shift, p.y>>shift))
	}
	keys = sortedUnique(keys)
	for len(keys) > max && 1<<shift < Extent {
		shift++
		for i, k := range keys {
			cx, cy := cellOf(k)
			keys[i] = cellKey(cx>>1, cy>>1)
		}
		keys = sortedUnique(keys)
	}
	return shift, keys
}
