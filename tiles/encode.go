package tiles

import (
	"context"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"

	"strata/geo"
)

// render draws tile t of the layers ids of snap, which are sorted and
// distinct. A layer is read through Snapshot.Points, which reads no more
// than the positions of the points it does not draw singly; a layer that
// holds features other than Points (Points says so) through a light
// Search. The bytes are in a buffer of bufPool, which the caller owns and
// may give back with putBuf.
func (r *Renderer) render(ctx context.Context, snap geo.Snapshot, t maptile.Tile, ids []string, when geo.Interval) ([]byte, error) {
	e := newEncoder(t, r.opt)
	box := e.queryBox()
	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	e.bounds = sc.bounds
	w := sc.w
	w.reset()
	for _, id := range ids {
		sc.reset()
		lb := layerBuilder{e: e, ctx: ctx, scratch: sc}
		f := geo.Filter{Layer: id, BBox: &box, Time: when, Light: true}
		attrs, others, err := snap.Points(ctx, f, lb.addPoint)
		if err != nil {
			return nil, err
		}
		if others == 0 {
			lb.feature = attrs
		} else {
			sc.reset() // draw every feature from Search
			lb = layerBuilder{e: e, ctx: ctx, scratch: sc}
			if _, err := snap.Search(ctx, f, lb.add); err != nil {
				return nil, err
			}
		}
		w.startLayer()
		// The features it writes, each with at most three strings of its
		// own (id, kind, name) besides the few valid-time bounds.
		w.strings.fit(3*(min(len(lb.points), r.opt.MaxPoints)+len(lb.feats)) + 16)
		lb.finish(w)
		w.endLayer(id)
		// The strings of the layer's values may live in the store's
		// memory for as long as attrs does (see geo.PointAttrs), and
		// endLayer was the last to read them.
		runtime.KeepAlive(attrs)
	}
	// The tile's buffer goes to the caller; the writer takes another.
	data := w.tile
	w.tile = getBuf()
	return data, nil
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
	// bounds remembers the text of valid-time bounds: features and
	// tiles repeat them. render lends the pooled scratch's, so that the
	// text outlives one tile.
	bounds *boundCache
}

func newEncoder(t maptile.Tile, opt Options) *encoder {
	world := float64(Extent) * math.Exp2(float64(t.Z))
	b := float64(opt.Buffer)
	e := &encoder{
		t:     t,
		opt:   opt,
		world: world,
		ox:    float64(t.X) * Extent,
		oy:    float64(t.Y) * Extent,
		clip:  orb.Bound{Min: orb.Point{-b, -b}, Max: orb.Point{Extent + b, Extent + b}},
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
	return e.projectY(p[0], geo.MercatorY(p[1]))
}

// projectY is project of the position at longitude lon whose Web
// Mercator y (geo.MercatorY) is my.
func (e *encoder) projectY(lon, my float64) orb.Point {
	x := (lon + 180) / 360 * e.world
	y := my * e.world
	return orb.Point{math.Floor(x - e.ox), math.Floor(y - e.oy)}
}

// boundCache remembers the text of valid-time bounds and its strHash,
// by the bound's day (direct-mapped: a bound pushes out another of the
// same slot).
type boundCache [1024]boundEntry

type boundEntry struct {
	ms int64
	s  string // "" in an unused entry: no bound's text is empty
	h  uint32
}

// bound returns the entry of the valid-time bound ms: geo.FormatBound(ms)
// and its hash, remembered.
func (e *encoder) bound(ms int64) *boundEntry {
	if e.bounds == nil {
		e.bounds = new(boundCache)
	}
	b := &e.bounds[uint64(ms/geo.DayMillis)%uint64(len(e.bounds))]
	if b.s == "" || b.ms != ms {
		s := geo.FormatBound(ms)
		*b = boundEntry{ms: ms, s: s, h: strHash(s)}
	}
	return b
}

// props is what a tile feature says about its feature.
type props struct {
	id, name, kind string
	valid          geo.Interval
	precision      float64
	// distinct: the id and name need not be looked up among the layer's
	// values (geo.PointHit.Distinct).
	distinct bool
}

// tileFeature is a feature drawn in a tile: either a line or polygon
// geometry in tile units, or n points from first in layerBuilder.points.
type tileFeature struct {
	props    props
	geom     orb.Geometry
	first, n int
}

// tilePoint is a point in tile units, the index of its tileFeature (or
// its feature's geo.PointHit.Ref) and its rank in the stable order of
// features.
type tilePoint struct {
	x, y     int32
	feat     int32
	rank     uint32
	distinct bool // geo.PointHit.Distinct, from Snapshot.Points
}

// layerBuilder gathers the features of one layer of a tile.
type layerBuilder struct {
	e   *encoder
	ctx context.Context
	*scratch
	seen int
	// feature, when the layer's points came from Snapshot.Points, gives
	// their attributes; each tilePoint's feat is then the PointHit's Ref.
	// Render orders only what it draws (at most Options.MaxPoints points,
	// or the cells of a thinned layer), and reads attributes only for the
	// points it draws singly.
	feature geo.PointAttrs
	tmp     geo.Feature
	tmpP    props
}

// scratch is the memory a layer is drawn in, reused from tile to tile.
type scratch struct {
	feats   []tileFeature
	points  []tilePoint
	cells   []cell
	pprops  []props  // the properties of a layer's points, by point
	order   []uint64 // sort keys: a rank<<32 | the index of a point or cell
	tmpKeys []uint64 // scratch for sortKeys
	bounds  *boundCache
	grid    cellGrid
	w       *mvtWriter
}

// cell is a thinning grid cell: the sum of its points' positions, their
// number and the index of the first.
type cell struct {
	sx, sy int64
	n      int
	first  int
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{bounds: new(boundCache), grid: cellGrid{index: map[uint64]int32{}}, w: newMVTWriter()}
}}

// maxPooledPoints bounds the scratch memory kept for reuse.
const (
	maxPooledPoints = 1 << 16
	maxPooledTile   = 1 << 20
)

// reset empties the scratch for another layer.
func (s *scratch) reset() {
	clear(s.feats) // drop references to the last layer's strings
	clear(s.pprops)
	s.feats, s.points, s.cells, s.pprops, s.order = s.feats[:0], s.points[:0], s.cells[:0], s.pprops[:0], s.order[:0]
	s.grid.empty()
}

// release returns the scratch to the pool unless it has grown large.
func (s *scratch) release() {
	if cap(s.points) > maxPooledPoints || cap(s.feats) > maxPooledPoints || cap(s.w.tile) > maxPooledTile || len(s.w.strings.slots) > 4*maxPooledPoints {
		return
	}
	s.reset()
	s.w.startLayer()
	scratchPool.Put(s)
}

// add draws f; Search calls it for each feature.
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

// addPoint draws the point h; Snapshot.Points calls it for each point.
func (lb *layerBuilder) addPoint(h geo.PointHit) error {
	if lb.seen++; lb.seen%1024 == 0 {
		if err := lb.ctx.Err(); err != nil {
			return err
		}
	}
	q := lb.e.projectY(h.Lon, h.MercY)
	if lb.e.clip.Contains(q) {
		lb.points = append(lb.points, tilePoint{x: int32(q[0]), y: int32(q[1]), feat: int32(h.Ref), rank: h.Rank, distinct: h.Distinct})
	}
	return nil
}

// propsOf returns the properties of the feature of point i.
func (lb *layerBuilder) propsOf(i int) *props {
	feat := lb.points[i].feat
	if lb.feature == nil {
		return &lb.feats[feat].props
	}
	lb.feature(int(feat), &lb.tmp)
	f := &lb.tmp
	lb.tmpP = props{id: f.ID, name: f.Name, kind: f.Kind, valid: f.Valid, precision: f.PrecisionM, distinct: lb.points[i].distinct}
	return &lb.tmpP
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
			// Features arrive in order: a point's rank is its index.
			lb.points = append(lb.points, tilePoint{x: int32(q[0]), y: int32(q[1]), feat: fi, rank: uint32(len(lb.points))})
		}
	}
	if n := len(lb.points) - first; n > 0 {
		lb.feats = append(lb.feats, tileFeature{props: *p, first: first, n: n})
	}
}

// layerSink receives the features of a layer of a tile, in order.
type layerSink interface {
	// pointFeature is a feature of one or more points (a MultiPoint).
	pointFeature(e *encoder, p *props, pts []tilePoint)
	// shapeFeature is a line or polygon feature, g in tile units.
	shapeFeature(e *encoder, p *props, g orb.Geometry)
	// clusterFeature is a cluster of n points at (x, y).
	clusterFeature(x, y int32, n int)
}

// finish writes the layer's features to out.
func (lb *layerBuilder) finish(out layerSink) {
	e := lb.e
	thin := len(lb.points) > e.opt.MaxPoints
	if lb.feature != nil {
		// Points only, one a feature.
		if thin {
			lb.cluster(out)
			return
		}
		// Read the attributes in the order the store gave the points,
		// which is the order it holds them in, then draw in rank order
		// (ranks are distinct: sorting rank<<32 | index is that order).
		lb.order = lb.order[:0]
		for i := range lb.points {
			lb.pprops = append(lb.pprops, *lb.propsOf(i))
			lb.order = append(lb.order, uint64(lb.points[i].rank)<<32|uint64(i))
		}
		sortKeys(lb.order, &lb.tmpKeys)
		for _, k := range lb.order {
			i := uint32(k)
			out.pointFeature(e, &lb.pprops[i], lb.points[i:i+1])
		}
		return
	}
	if len(lb.feats) == 0 {
		return
	}
	for i := range lb.feats {
		f := &lb.feats[i]
		switch {
		case f.geom != nil:
			out.shapeFeature(e, &f.props, f.geom)
		case thin:
		default:
			out.pointFeature(e, &f.props, lb.points[f.first:f.first+f.n])
		}
	}
	if thin {
		lb.cluster(out)
	}
}

func (w *mvtWriter) pointFeature(e *encoder, p *props, pts []tilePoint) {
	w.props(e, p)
	w.pointsGeom(pts)
	w.feature(geomPoint)
}

func (w *mvtWriter) shapeFeature(e *encoder, p *props, g orb.Geometry) {
	w.props(e, p)
	typ := w.shapeGeom(g)
	w.feature(typ)
}

func (w *mvtWriter) clusterFeature(x, y int32, n int) {
	w.clusterProps(n)
	w.pointGeom(x, y)
	w.feature(geomPoint)
}

// cluster writes the layer's points, thinned on a grid as the package
// documentation describes.
func (lb *layerBuilder) cluster(out layerSink) {
	e := lb.e
	fr := lb.grid.frameFor(lb.points, e.opt.Cell, e.opt.MaxPoints, e.opt.Buffer)
	cells := lb.cells
	for i, p := range lb.points {
		ci, isNew := lb.grid.number(fr, p.x, p.y, int32(len(cells)))
		if isNew {
			cells = append(cells, cell{first: i})
		}
		c := &cells[ci]
		c.sx += int64(p.x)
		c.sy += int64(p.y)
		c.n++
		if p.rank < lb.points[c.first].rank {
			c.first = i
		}
	}
	lb.grid.empty()
	// In the order of each cell's first point, as if the points had come
	// in order.
	lb.cells = cells
	lb.order = lb.order[:0]
	for i := range cells {
		lb.order = append(lb.order, uint64(lb.points[cells[i].first].rank)<<32|uint64(i))
	}
	sortKeys(lb.order, &lb.tmpKeys)
	for _, k := range lb.order {
		c := &cells[uint32(k)]
		if c.n == 1 {
			out.pointFeature(e, lb.propsOf(c.first), lb.points[c.first:c.first+1])
			continue
		}
		out.clusterFeature(int32(floorDiv(c.sx, c.n)), int32(floorDiv(c.sy, c.n)), c.n)
	}
}

// floorDiv returns ⌊s/n⌋ as a float64.
func floorDiv(s int64, n int) float64 { return math.Floor(float64(s) / float64(n)) }

// sortKeys sorts keys whose low 32 bits increase in the order given (an
// index), as slices.Sort would, using tmp as scratch: where there are
// enough keys for it to beat comparisons, by a stable radix sort on the
// high 32 bits (a rank), a byte a pass, for as many bytes as the largest
// rank has.
func sortKeys(keys []uint64, tmp *[]uint64) {
	if len(keys) < 256 {
		slices.Sort(keys)
		return
	}
	var top uint64
	for _, k := range keys {
		top |= k
	}
	top >>= 32
	if cap(*tmp) < len(keys) {
		*tmp = make([]uint64, len(keys))
	}
	src, dst := keys, (*tmp)[:len(keys)]
	passes := 0
	for shift := uint(32); shift < 64 && top>>(shift-32) != 0; shift += 8 {
		var count [257]int
		for _, k := range src {
			count[(k>>shift)&0xff+1]++
		}
		for i := 1; i < len(count); i++ {
			count[i] += count[i-1]
		}
		for _, k := range src {
			d := (k >> shift) & 0xff
			dst[count[d]] = k
			count[d]++
		}
		src, dst = dst, src
		passes++
	}
	if passes%2 == 1 {
		copy(keys, src)
	}
}
