package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"strata/geo"
)

// snapshot is the data as of one version: the layers as read when it was
// taken, and the version whose rows its queries read. Rows are never
// changed but for being closed at a later version, so its queries need no
// transaction to agree with each other.
type snapshot struct {
	s       *Store
	version int64
	// layers is meta.layers when list was read: a later version with the
	// same count shares list and byNum.
	layers int64
	list   []geo.Layer // by order, then id; never changed once read
	byID   map[string]layerEntry
}

var _ geo.Snapshot = (*snapshot)(nil)

// layerEntry is a layer's number and place in a snapshot's list.
type layerEntry struct {
	num int64
	i   int
}

// extentKey names a layer's extent at a data version.
type extentKey struct {
	version int64
	layer   string
}

// Snapshot returns the data as of the current version: the version the
// listener keeps when it is connected (no round trip when nothing
// changed), else the one read from meta.
func (s *Store) Snapshot(ctx context.Context) (geo.Snapshot, error) {
	return s.snapshot(ctx)
}

func (s *Store) snapshot(ctx context.Context) (*snapshot, error) {
	last := s.snap.Load()
	if last != nil && !s.opts.ReadVersion && s.listening.Load() && s.version.Load() <= last.version {
		return last, nil
	}
	var v, layers int64
	if err := s.pool.QueryRow(ctx, "SELECT version, layers FROM meta").Scan(&v, &layers); err != nil {
		return nil, s.wrap(ctx, fmt.Errorf("postgis: reading the data version: %w", err))
	}
	s.seen(v)
	if last != nil && last.version == v {
		return last, nil
	}
	var snap *snapshot
	if last != nil && last.layers == layers && last.version < v {
		snap = &snapshot{s: s, version: v, layers: layers, list: last.list, byID: last.byID}
	} else {
		var err error
		if snap, err = s.readSnapshot(ctx); err != nil {
			return nil, err
		}
	}
	for {
		old := s.snap.Load()
		if (old != nil && old.version >= snap.version) || s.snap.CompareAndSwap(old, snap) {
			break
		}
	}
	return snap, nil
}

const layerColumns = "l.num, l.id, l.title, l.description, l.geometry_kind, l.grp, l.style, l.attribution, l.licence, l.ord"

// readSnapshot reads the version and the layers in one statement, which
// sees one state of the database.
func (s *Store) readSnapshot(ctx context.Context) (*snapshot, error) {
	rows, err := s.pool.Query(ctx, "SELECT m.version, m.layers, "+layerColumns+
		" FROM meta m LEFT JOIN layers l ON true ORDER BY l.ord, l.id")
	if err != nil {
		return nil, s.wrap(ctx, err)
	}
	defer rows.Close()
	snap := &snapshot{s: s, byID: map[string]layerEntry{}}
	for rows.Next() {
		var (
			num                                     *int64
			id, title, desc, kind, grp, style, attr *string
			licence                                 *string
			ord                                     *int64
		)
		if err := rows.Scan(&snap.version, &snap.layers, &num, &id, &title, &desc, &kind, &grp, &style, &attr, &licence, &ord); err != nil {
			return nil, s.wrap(ctx, err)
		}
		if num == nil {
			continue // no layer at all
		}
		l, err := makeLayer(*id, *title, *desc, *kind, *grp, *style, *attr, *licence, *ord)
		if err != nil {
			return nil, err
		}
		snap.byID[l.ID] = layerEntry{num: *num, i: len(snap.list)}
		snap.list = append(snap.list, l)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap(ctx, err)
	}
	return snap, nil
}

// makeLayer makes a layer of the values of its row, which it checks.
func makeLayer(id, title, desc, kind, grp, style, attr, licence string, ord int64) (geo.Layer, error) {
	l := geo.Layer{ID: id, Title: title, Description: desc, Kind: geo.GeometryKind(kind), Group: grp,
		Attribution: attr, Licence: licence, Order: int(ord)}
	if err := json.Unmarshal([]byte(style), &l.Style); err != nil {
		return l, fmt.Errorf("postgis: layer %q is damaged: style: %v", id, err)
	}
	if err := l.Validate(); err != nil {
		return l, fmt.Errorf("postgis: layer %q is damaged: %v", id, err)
	}
	return l, nil
}

// SnapshotAt returns the snapshot of the last changeset recorded at or
// before t, with today's layers; see geo.Store.
func (s *Store) SnapshotAt(ctx context.Context, t time.Time) (geo.Snapshot, error) {
	cur, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	var v int64
	err = s.pool.QueryRow(ctx, "SELECT coalesce((SELECT id FROM changesets WHERE recorded_at <= $1 ORDER BY recorded_at DESC LIMIT 1), 0)",
		t.UnixMicro()).Scan(&v)
	if err != nil {
		return nil, s.wrap(ctx, err)
	}
	if v > cur.version {
		// A changeset committed since cur was read: its layers are
		// today's too.
		if cur, err = s.snapshot(ctx); err != nil {
			return nil, err
		}
	}
	return &snapshot{s: s, version: v, layers: cur.layers, list: cur.list, byID: cur.byID}, nil
}

// Version returns the data version the snapshot reads.
func (snap *snapshot) Version() int64 { return snap.version }

// Layers returns every layer by order, then id.
func (snap *snapshot) Layers() []geo.Layer { return slices.Clone(snap.list) }

// Layer returns one layer, or an error wrapping geo.ErrNotFound.
func (snap *snapshot) Layer(id string) (geo.Layer, error) {
	e, err := snap.entry(id)
	if err != nil {
		return geo.Layer{}, err
	}
	return snap.list[e.i], nil
}

func (snap *snapshot) entry(id string) (layerEntry, error) {
	e, ok := snap.byID[id]
	if !ok {
		return e, geo.NotFoundf("layer %q does not exist", id)
	}
	return e, nil
}

// query builds the SQL of the rows of one layer current at the
// snapshot's version that match a filter, and its arguments. Its $1 is
// the layer's number and $2 the version.
type query struct {
	args []any
}

func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// matches returns a SELECT of cols (of alias f) from the rows of layer num
// current at version v that match f: the current rows (rec_to open, read
// through the partial indexes features_geom and features_pos) and the rows
// closed since v (features_to), UNION ALL.
func (q *query) matches(num, v int64, f *geo.Filter, cols string) string {
	q.args = append(q.args[:0], num, v)
	var cond strings.Builder
	timed := f.Time.Start != geo.OpenStart || f.Time.End != geo.OpenEnd
	if timed {
		fmt.Fprintf(&cond, " AND f.valid_from <= %s AND f.valid_to > %s", q.arg(f.Time.End), q.arg(f.Time.Start))
	}
	// The first sieve, through features_st: layer, bounds and valid time.
	stBox := func(minx, miny, maxx, maxy float64) string {
		return fmt.Sprintf(" AND "+stExpr+" &&& ST_MakeLine(ST_MakePoint(%s, %s, %s, %s), ST_MakePoint(%s, %s, %s, %s))",
			q.arg(minx), q.arg(miny), q.arg(float64(f.Time.Start)/float64(geo.DayMillis)), q.arg(float64(num)),
			q.arg(maxx), q.arg(maxy), q.arg(float64(f.Time.End)/float64(geo.DayMillis)), q.arg(float64(num)))
	}
	if b := f.BBox; b != nil {
		if b.CrossesAntimeridian() {
			e := q.arg(boxWKB(b.MinLon, b.MinLat, 180, b.MaxLat))
			w := q.arg(boxWKB(-180, b.MinLat, b.MaxLon, b.MaxLat))
			// Both halves through the index, each then tested exactly.
			east, west := stBox(b.MinLon, b.MinLat, 180, b.MaxLat), stBox(-180, b.MinLat, b.MaxLon, b.MaxLat)
			fmt.Fprintf(&cond, " AND ((true%s AND ST_Intersects(f.geom, ST_GeomFromWKB(%s, 4326))) OR (true%s AND ST_Intersects(f.geom, ST_GeomFromWKB(%s, 4326))))",
				east, e, west, w)
		} else {
			e := q.arg(boxWKB(b.MinLon, b.MinLat, b.MaxLon, b.MaxLat))
			cond.WriteString(stBox(b.MinLon, b.MinLat, b.MaxLon, b.MaxLat))
			fmt.Fprintf(&cond, " AND ST_Intersects(f.geom, ST_GeomFromWKB(%s, 4326))", e)
		}
	} else if timed {
		cond.WriteString(stBox(-180, -90, 180, 90))
	}
	c := cond.String()
	return "SELECT " + cols + " FROM features f WHERE f.layer_num = $1 AND f.rec_to = 9223372036854775807 AND f.rec_from <= $2" + c +
		" UNION ALL SELECT " + cols + " FROM features f WHERE f.layer_num = $1 AND f.rec_to > $2 AND f.rec_to < 9223372036854775807 AND f.rec_from <= $2" + c
}

// stExpr is the expression features_st indexes (migrations/001_init.sql),
// written exactly so that the planner recognises it.
const stExpr = "ST_MakeLine(ST_MakePoint(f.minx, f.miny, f.valid_from::float8 / 86400000, f.layer_num::float8), " +
	"ST_MakePoint(f.maxx, f.maxy, f.valid_to::float8 / 86400000, f.layer_num::float8))"

// boxWKB is the WKB of the closed rectangle as PostGIS should test it: a
// polygon, or the line or point it comes down to when it has no width or
// height (a polygon without area would not be valid).
func boxWKB(minx, miny, maxx, maxy float64) []byte {
	var g orb.Geometry
	switch {
	case minx == maxx && miny == maxy:
		g = orb.Point{minx, miny}
	case minx == maxx || miny == maxy:
		g = orb.LineString{{minx, miny}, {maxx, maxy}}
	default:
		g = orb.Polygon{{{minx, miny}, {maxx, miny}, {maxx, maxy}, {minx, maxy}, {minx, miny}}}
	}
	b, _ := wkb.Marshal(g)
	return b
}

// Extent computes a layer's extent from its rows; the result is kept for
// the snapshot's version.
func (snap *snapshot) Extent(ctx context.Context, layer string) (geo.Extent, error) {
	e, err := snap.entry(layer)
	if err != nil {
		return geo.Extent{}, err
	}
	s := snap.s
	key := extentKey{snap.version, layer}
	s.mu.Lock()
	ext, ok := s.extents[key]
	s.mu.Unlock()
	if ok {
		return ext, nil
	}
	var (
		q                      query
		n                      int64
		minx, miny, maxx, maxy *float64
		from, to               *int64
	)
	sql := q.matches(e.num, snap.version, &geo.Filter{Time: geo.Always}, "f.minx, f.miny, f.maxx, f.maxy, f.valid_from, f.valid_to")
	err = s.pool.QueryRow(ctx, "SELECT count(*), min(minx), min(miny), max(maxx), max(maxy), min(valid_from), max(valid_to) FROM ("+sql+") m", q.args...).
		Scan(&n, &minx, &miny, &maxx, &maxy, &from, &to)
	if err != nil {
		return geo.Extent{}, s.wrap(ctx, err)
	}
	ext = geo.Extent{Empty: n == 0}
	if n > 0 {
		ext.BBox = orb.Bound{Min: orb.Point{*minx, *miny}, Max: orb.Point{*maxx, *maxy}}
		ext.Time = geo.Interval{Start: *from, End: *to}
	}
	s.mu.Lock()
	for k := range s.extents {
		if k.version != snap.version {
			delete(s.extents, k)
		}
	}
	s.extents[key] = ext
	s.mu.Unlock()
	return ext, nil
}

// featureColumns are the columns of a whole feature, of alias f.
const featureColumns = "f.seq, f.id, f.name, f.kind, ST_AsBinary(f.geom), f.valid_from, f.valid_to, f.precision_m, f.properties, f.sources, f.ver"

// lightColumns are those of a light read: no properties nor sources.
const lightColumns = "f.seq, f.id, f.name, f.kind, ST_AsBinary(f.geom), f.valid_from, f.valid_to, f.precision_m, '', '', f.ver"

// encodedColumns are those of an encoded read.
const encodedColumns = "f.seq, f.id, f.json"

// Feature returns the snapshot's version of one feature, or an error
// wrapping geo.ErrNotFound. It shares nothing with other results.
func (snap *snapshot) Feature(ctx context.Context, layer, id string) (*geo.Feature, error) {
	if !storable(id) {
		return nil, geo.NotFoundf("feature %q does not exist in layer %q", id, layer)
	}
	e, err := snap.entry(layer)
	if err != nil {
		return nil, err
	}
	rows, err := snap.s.pool.Query(ctx, "SELECT "+featureColumns+" FROM features f WHERE f.layer_num = $1 AND f.id = $2 AND f.rec_from <= $3 AND f.rec_to > $3",
		e.num, id, snap.version)
	if err != nil {
		return nil, snap.s.wrap(ctx, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, snap.s.wrap(ctx, err)
		}
		return nil, geo.NotFoundf("feature %q does not exist in layer %q", id, layer)
	}
	feat := &geo.Feature{Layer: layer}
	if _, err := snap.s.readFeature(rawOf(rows), 0, feat, false, nil); err != nil {
		return nil, err
	}
	feat.Sources = slices.Clone(feat.Sources)
	feat.Properties = slices.Clone(feat.Properties)
	rows.Close()
	return feat, snap.s.wrap(ctx, rows.Err())
}

// readFeature sets feat from the values of r from column at on, of
// featureColumns or lightColumns, checking them (once per process per row:
// see rowSet). Properties refer to the row's bytes, valid until the next
// row; sources are appended to buf[:0]. It returns buf.
func (s *Store) readFeature(r rawRow, at int, feat *geo.Feature, light bool, buf []geo.Source) ([]geo.Source, error) {
	seq, err := r.int(at)
	if err != nil {
		return buf, err
	}
	feat.ID, feat.Name, feat.Kind = r.str(at+1), r.str(at+2), r.str(at+3)
	if feat.Valid.Start, err = r.int(at + 5); err != nil {
		return buf, err
	}
	if feat.Valid.End, err = r.int(at + 6); err != nil {
		return buf, err
	}
	if feat.PrecisionM, err = r.float(at + 7); err != nil {
		return buf, err
	}
	ver, err := r.int(at + 10)
	if err != nil {
		return buf, err
	}
	feat.Version = int(ver)
	if feat.Geometry, err = unmarshalWKB(r.vals[at+4]); err != nil {
		return buf, damaged(feat.Layer, feat.ID, seq, err)
	}
	feat.Properties, feat.Sources = nil, nil
	if !light {
		feat.Properties = r.vals[at+8]
		if buf, err = s.sources.appendTo(buf[:0], r.vals[at+9]); err != nil {
			return buf, damaged(feat.Layer, feat.ID, seq, err)
		}
		feat.Sources = buf
	}
	if !s.checked.has(seq) {
		if err := checkRow(feat, !light); err != nil {
			return buf, damaged(feat.Layer, feat.ID, seq, err)
		}
		if ver < 1 {
			return buf, damaged(feat.Layer, feat.ID, seq, fmt.Errorf("version number %d", ver))
		}
		if !light {
			s.checked.add(seq)
		}
	}
	return buf, nil
}

// Search streams the features matching f in the layer's stable order
// (pos) and counts them, in one statement: the matches, their count, and
// the rows of the page.
func (snap *snapshot) Search(ctx context.Context, f geo.Filter, fn func(*geo.Feature) error) (int, error) {
	e, err := snap.entry(f.Layer)
	if err != nil {
		return 0, err
	}
	s := snap.s
	var q query
	if fn == nil {
		var n int
		sql := q.matches(e.num, snap.version, &f, "1")
		if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM ("+sql+") m", q.args...).Scan(&n); err != nil {
			return 0, s.wrap(ctx, err)
		}
		return n, nil
	}
	cols := featureColumns
	switch {
	case f.Encoded && !f.Light:
		cols = encodedColumns
	case f.Light:
		cols = lightColumns
	}
	// The matches are read in chunks, each a statement of its own, and fn
	// is called between them with no connection held: a caller may block
	// in fn (an items page waits for a slow client, or for its turn to
	// compute) without holding one of the pool's connections, which would
	// let the pool run dry while those holding a turn wait for one. The
	// snapshot's version makes the chunks one consistent answer.
	limit := f.Limit
	n, last, done := 0, int64(0), 0
	var buf []geo.Feature
	for first := true; ; first = false {
		want := searchChunk
		if limit > 0 {
			want = min(want, limit-done)
		}
		if want <= 0 {
			break
		}
		var sql string
		if first {
			m := q.matches(e.num, snap.version, &f, "f.seq, f.pos")
			page := " ORDER BY pos LIMIT " + q.arg(int64(want))
			if f.Offset > 0 {
				page += " OFFSET " + q.arg(int64(f.Offset))
			}
			// The count comes in every row, and alone in one row when
			// the page is empty.
			sql = "WITH m AS MATERIALIZED (" + m + ") SELECT c.n, p.pos, " + cols + " FROM (SELECT count(*) AS n FROM m) c" +
				" LEFT JOIN LATERAL (SELECT seq, pos FROM m" + page + ") p ON true LEFT JOIN features f ON f.seq = p.seq ORDER BY p.pos"
		} else {
			m := q.matches(e.num, snap.version, &f, "f.seq, f.pos")
			sql = "SELECT 0, p.pos, " + cols + " FROM (SELECT seq, pos FROM (" + m + ") m WHERE pos > " + q.arg(last) +
				" ORDER BY pos LIMIT " + q.arg(int64(want)) + ") p JOIN features f ON f.seq = p.seq ORDER BY p.pos"
		}
		var err error
		buf, last, err = snap.searchChunk(ctx, sql, q.args, cols, &f, first, &n, buf[:0])
		if err != nil {
			return 0, err
		}
		for i := range buf {
			if err := fn(&buf[i]); err != nil {
				return 0, err
			}
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		done += len(buf)
		if len(buf) < want {
			break
		}
	}
	return n, nil
}

// searchChunk is how many features Search reads in one statement (a
// variable for the tests).
var searchChunk = 1000

// searchChunk runs one statement of Search and returns its features,
// copied out of the rows, and the pos of the last. The first chunk's
// statement also gives the count, in *n.
func (snap *snapshot) searchChunk(ctx context.Context, sql string, args []any, cols string, f *geo.Filter, first bool, n *int, buf []geo.Feature) ([]geo.Feature, int64, error) {
	s := snap.s
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, 0, s.wrap(ctx, err)
	}
	defer rows.Close()
	var last int64
	for rows.Next() {
		r := rawOf(rows)
		if first {
			c, err := r.int(0)
			if err != nil {
				return nil, 0, err
			}
			*n = int(c)
		}
		if r.vals[2] == nil {
			break // an empty page
		}
		if last, err = r.int(1); err != nil {
			return nil, 0, err
		}
		buf = append(buf, geo.Feature{Layer: f.Layer})
		feat := &buf[len(buf)-1]
		if cols == encodedColumns {
			if err := s.readEncoded(r, 2, feat); err != nil {
				return nil, 0, err
			}
			feat.JSON = slices.Clone(feat.JSON)
		} else {
			if _, err = s.readFeature(r, 2, feat, f.Light, nil); err != nil {
				return nil, 0, err
			}
			feat.Properties = slices.Clone(feat.Properties)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, s.wrap(ctx, err)
	}
	return buf, last, nil
}

// Days counts the matching features by UTC day, from their valid times
// read in one statement.
func (snap *snapshot) Days(ctx context.Context, f geo.Filter) (geo.DayCounts, error) {
	e, err := snap.entry(f.Layer)
	if err != nil {
		return geo.DayCounts{}, err
	}
	var q query
	sql := q.matches(e.num, snap.version, &f, "f.valid_from, f.valid_to")
	rows, err := snap.s.pool.Query(ctx, sql, q.args...)
	if err != nil {
		return geo.DayCounts{}, snap.s.wrap(ctx, err)
	}
	defer rows.Close()
	var rerr error
	c := geo.CountDays(func(yield func(geo.Interval) bool) {
		for rows.Next() {
			r := rawOf(rows)
			var iv geo.Interval
			if iv.Start, rerr = r.int(0); rerr != nil {
				return
			}
			if iv.End, rerr = r.int(1); rerr != nil {
				return
			}
			if !yield(iv) {
				return
			}
		}
	})
	if rerr != nil {
		return geo.DayCounts{}, rerr
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return geo.DayCounts{}, snap.s.wrap(ctx, err)
	}
	return c, nil
}

// pointRow is what Points keeps of a feature for its PointAttrs: its text
// in one buffer.
type pointRow struct {
	text         uint32 // offset of the id, then the name, in the buffer
	idLen, nmLen uint32
	kind         uint32 // into kinds
	valid        geo.Interval
	precisionM   float64
}

// Points calls fn with each Point feature matching f, from one statement
// that reads the position and the attributes tiles show, and no more.
// The statement ends before fn is called. A match that is not a Point
// ends it: others is then 1, and the caller Searches.
func (snap *snapshot) Points(ctx context.Context, f geo.Filter, fn func(geo.PointHit) error) (geo.PointAttrs, int, error) {
	e, err := snap.entry(f.Layer)
	if err != nil {
		return nil, 0, err
	}
	var q query
	rows, err := snap.s.pool.Query(ctx, pointsQuery(&q, e.num, snap.version, &f), q.args...)
	if err != nil {
		return nil, 0, snap.s.wrap(ctx, err)
	}
	defer rows.Close()
	var (
		hits  []geo.PointHit
		pos   []int64
		attrs []pointRow
		text  []byte
		kinds = map[string]uint32{}
		names []string
		wide  bool // a pos beyond uint32
	)
	for rows.Next() {
		r := rawOf(rows)
		if r.vals[7] == nil || r.vals[8] == nil {
			return nil, 1, nil // not a Point: the caller will Search
		}
		var (
			h  geo.PointHit
			a  pointRow
			p  int64
			er error
		)
		p, er = r.int(0)
		if er == nil {
			a.valid.Start, er = r.int(4)
		}
		if er == nil {
			a.valid.End, er = r.int(5)
		}
		if er == nil {
			a.precisionM, er = r.float(6)
		}
		if er == nil {
			h.Lon, er = r.float(7)
		}
		if er == nil {
			h.Lat, er = r.float(8)
		}
		if er != nil {
			return nil, 0, er
		}
		h.MercY = geo.MercatorY(h.Lat)
		id, name, kind := r.vals[1], r.vals[2], r.vals[3]
		if err := checkPoint(h, a, id, name, kind); err != nil {
			return nil, 0, damaged(f.Layer, string(id), 0, err)
		}
		k, ok := kinds[string(kind)]
		if !ok {
			k = uint32(len(names))
			kinds[string(kind)] = k
			names = append(names, string(kind))
		}
		a.kind = k
		a.text, a.idLen, a.nmLen = uint32(len(text)), uint32(len(id)), uint32(len(name))
		if len(text)+len(id)+len(name) > math.MaxUint32 {
			return nil, 0, errors.New("postgis: too many points for one query")
		}
		text = append(append(text, id...), name...)
		h.Ref = len(attrs)
		if p < 0 || p > math.MaxUint32 {
			wide = true
		}
		h.Rank = uint32(p)
		attrs = append(attrs, a)
		hits = append(hits, h)
		pos = append(pos, p)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, snap.s.wrap(ctx, err)
	}
	rows.Close()
	if wide {
		// Rank by order of pos instead.
		order := make([]int, len(pos))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int { return int(min(max(pos[a]-pos[b], -1), 1)) })
		for r, i := range order {
			hits[i].Rank = uint32(r)
		}
	}
	for i, h := range hits {
		if i%1024 == 1023 {
			if err := ctx.Err(); err != nil {
				return nil, 0, err
			}
		}
		if err := fn(h); err != nil {
			return nil, 0, err
		}
	}
	return func(ref int, out *geo.Feature) {
		a := &attrs[ref]
		out.ID = string(text[a.text : a.text+a.idLen])
		out.Name = string(text[a.text+a.idLen : a.text+a.idLen+a.nmLen])
		out.Kind = names[a.kind]
		out.Valid, out.PrecisionM = a.valid, a.precisionM
	}, 0, nil
}

// pointsQuery is the statement of Points: the matches' pos, attributes
// and, for a Point, its coordinates (NULL otherwise).
func pointsQuery(q *query, num, v int64, f *geo.Filter) string {
	return q.matches(num, v, f, "f.pos, f.id, f.name, f.kind, f.valid_from, f.valid_to, f.precision_m, "+
		"CASE WHEN GeometryType(f.geom) = 'POINT' THEN ST_X(f.geom) END, CASE WHEN GeometryType(f.geom) = 'POINT' THEN ST_Y(f.geom) END")
}

// checkPoint checks what Points read of a row, which it does not trust.
func checkPoint(h geo.PointHit, a pointRow, id, name, kind []byte) error {
	if err := geo.CheckStoredGeometry(orb.Point{h.Lon, h.Lat}); err != nil {
		return err
	}
	if err := geo.CheckStoredInterval(a.valid); err != nil {
		return err
	}
	if !(a.precisionM >= 0 && a.precisionM <= 1e7) {
		return fmt.Errorf("precision_m %g is out of range", a.precisionM)
	}
	if !utf8.Valid(id) || !utf8.Valid(name) || !utf8.Valid(kind) {
		return errors.New("a text column is not UTF-8")
	}
	return nil
}

// storable reports whether PostgreSQL can hold s in a text column: it
// refuses the NUL character, so no stored id or name has one, and a
// lookup of such a string finds nothing.
func storable(s string) bool { return !strings.ContainsRune(s, 0) }
