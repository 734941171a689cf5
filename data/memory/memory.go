// Package memory is a geo.Store held in memory: small data sets that are
// loaded at start-up and served read-mostly, such as the offline basemap
// drawn into vector tiles, and the reference that other stores are tested
// beside. Each layer's features are searched through a space-time index
// (internal/spacetime), as in every store; nothing is kept on disk.
//
// # Design
//
// Every version of every feature is kept once, as an immutable fver, in a
// history shared by all states: per layer, the versions in the order
// written and, per id, its chain of versions by number; and the list of
// changesets by id. A version is "closed" by the changeset that replaced
// or deleted it; that pointer is set once, under the history's lock, and
// a reader at version V treats a version closed after V as current.
//
// The data is copy-on-write: a state is one version of the data and is
// never changed once published, so a Snapshot is the state it was taken
// from. A write builds anew only the views of the layers it touched (the
// current versions in stable order, as pointers, and their index) and
// shares the others; it then records its versions in the history and
// publishes the new state, both under the history's lock.
//
// Only the current state is kept. SnapshotAt(t) makes a state for the
// version of the last changeset recorded at or before t, with today's
// layers: a layer not changed since then shares the current view; the
// others are built when first read, from the versions current then, and
// the last few views built are cached. So memory grows with the versions
// written, not with the number of writes times the size of a layer.
package memory

import (
	"cmp"
	"context"
	"errors"
	"iter"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"

	"strata/geo"
	"strata/internal/offheap"
	"strata/internal/spacetime"
)

var (
	_ geo.Store    = (*Store)(nil)
	_ geo.Snapshot = (*state)(nil)
)

// Store is an in-memory geo.Store, safe for concurrent use. The zero value
// is not usable; call New.
type Store struct {
	mu     sync.Mutex // serialises writes; guards lastAt, tokens, and history fields only writers read
	lastAt time.Time  // RecordedAt of the last changeset
	tokens map[string]geo.Token
	// briefings maps ids to briefings as JSON; the map is never changed
	// once stored (see briefings.go).
	briefings atomic.Pointer[map[string][]byte]

	// hmu guards the history and orders publishing with SnapshotAt:
	// writers change hist and store cur under it.
	hmu  sync.RWMutex
	hist history
	cur  atomic.Pointer[state]

	views viewCache
}

// history is every version and changeset ever written.
type history struct {
	changesets []*record // by id
	layers     map[string]*hlayer
}

// hlayer is the history of one layer.
type hlayer struct {
	all     []*fver            // every version, in the order written
	chains  map[string][]*fver // by id, then number - 1
	nextKey int64              // the next place in the stable order; read and written by writers only
}

// record is one changeset and what it did.
type record struct {
	cs      geo.Changeset
	entries []geo.ChangeEntry
}

// fver is one version of a feature. Everything but closed is set before
// it is shared; closed is set once, under Store.hmu.
type fver struct {
	f      geo.Feature // Layer and Version set
	rec    *record     // the changeset that wrote it
	key    int64       // its place in the layer's stable order
	closed *record     // the changeset that replaced or deleted it
}

// openAt reports whether fv is current in the state of version v. The
// caller holds hmu (for reading) or is the writer.
func (fv *fver) openAt(v int64) bool {
	return fv.rec.cs.ID <= v && (fv.closed == nil || fv.closed.cs.ID > v)
}

// state is the data as of one version; it is never changed once
// published.
type state struct {
	s       *Store
	version int64
	list    []geo.Layer // by order, then id
	layers  map[string]*layer
}

// layer is a layer's metadata and its features as of one state. In a past
// state, the view is built by build when first needed.
type layer struct {
	meta  geo.Layer
	once  sync.Once
	build func() (*view, error)
	v     *view
	err   error
}

// view returns the layer's features.
func (l *layer) view() (*view, error) {
	if l.build != nil {
		l.once.Do(func() { l.v, l.err = l.build() })
	}
	return l.v, l.err
}

// view is the current versions of one layer's features at some version,
// in stable order, and their index. It is immutable.
type view struct {
	rows   []*fver
	ix     *spacetime.Index // row = index in rows
	extent geo.Extent
	since  int64 // the version since which these are the layer's features
}

// New returns an empty store.
func New() *Store {
	s := &Store{tokens: map[string]geo.Token{}}
	s.briefings.Store(&map[string][]byte{})
	s.hist.layers = map[string]*hlayer{}
	s.cur.Store(&state{s: s, version: 1, layers: map[string]*layer{}})
	return s
}

// Snapshot returns the current state.
func (s *Store) Snapshot(ctx context.Context) (geo.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.cur.Load(), nil
}

// next returns a new state one version after the current one, with the
// layers of changed set (their views replaced, or new layers added). The
// caller holds s.mu.
func (s *Store) next(changed map[string]*layer) *state {
	old := s.cur.Load()
	st := &state{s: s, version: old.version + 1, layers: make(map[string]*layer, len(old.layers)+len(changed))}
	for id, l := range old.layers {
		st.layers[id] = l
	}
	for id, l := range changed {
		st.layers[id] = l
	}
	for _, l := range st.layers {
		st.list = append(st.list, l.meta)
	}
	slices.SortFunc(st.list, func(a, b geo.Layer) int {
		return cmp.Or(cmp.Compare(a.Order, b.Order), cmp.Compare(a.ID, b.ID))
	})
	return st
}

// PutLayer creates a layer or updates its metadata. ErrInvalid for bad
// metadata.
func (s *Store) PutLayer(ctx context.Context, l geo.Layer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := l.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.cur.Load()
	nl := &layer{meta: l}
	if old, ok := cur.layers[l.ID]; ok {
		nl.v = old.v
	} else {
		v, err := newView(nil, cur.version+1)
		if err != nil {
			return err
		}
		nl.v = v
	}
	st := s.next(map[string]*layer{l.ID: nl})
	s.hmu.Lock()
	s.cur.Store(st)
	s.hmu.Unlock()
	return nil
}

// Import stores the features of seq in layer l as one changeset, all or
// nothing: the features are checked and copied first, and the layer is
// published anew only when every one is valid and its id free.
func (s *Store) Import(ctx context.Context, note geo.ChangeNote, l geo.Layer, mode geo.ImportMode, seq iter.Seq2[*geo.Feature, error]) (int, error) {
	if err := note.Check(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.cur.Load()
	meta := l
	var created *geo.Layer
	if old, exists := cur.layers[l.ID]; exists {
		meta = old.meta
	} else if err := l.Validate(); err != nil {
		return 0, err
	} else {
		created = &meta
	}
	hl := s.hist.layers[l.ID]
	var writes []write
	seen := map[string]bool{}
	for f, err := range seq {
		if err != nil {
			return 0, err
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if err := geo.CheckImport(&meta, f); err != nil {
			return 0, err
		}
		if seen[f.ID] {
			return 0, geo.Conflictf("feature id %q appears twice in the import into layer %q", f.ID, l.ID)
		}
		seen[f.ID] = true
		w := write{layer: l.ID, id: f.ID, op: geo.OpCreate, f: f}
		w.old, w.last = hl.current(f.ID)
		if w.old != nil {
			if mode != geo.Replace {
				return 0, geo.Conflictf("feature id %q already exists in layer %q", f.ID, l.ID)
			}
			w.op = geo.OpReplace
		}
		writes = append(writes, w)
	}
	added := len(writes)
	reorder := map[string]bool{}
	if mode == geo.Replace {
		reorder[l.ID] = true
		if v := cur.layers[l.ID]; v != nil {
			for _, fv := range v.v.rows {
				if !seen[fv.f.ID] {
					writes = append(writes, write{layer: l.ID, id: fv.f.ID, op: geo.OpDelete, old: fv, last: fv.f.Version})
				}
			}
		}
	}
	if _, err := s.apply(note, created, []string{l.ID}, writes, reorder); err != nil {
		return 0, err
	}
	return added, nil
}

// deepCopy returns a copy of f in layer id that shares nothing with f.
func deepCopy(f *geo.Feature, id string) geo.Feature {
	c := *f
	c.Layer = id
	c.Geometry = orb.Clone(f.Geometry)
	c.Properties = slices.Clone(f.Properties)
	c.Sources = slices.Clone(f.Sources)
	return c
}

// newView returns the view of rows, which are in stable order, with its
// index and extent.
func newView(rows []*fver, since int64) (*view, error) {
	n := len(rows)
	a := &offheap.Arena{}
	c := &spacetime.Columns{
		Row:  offheap.Make[int64](a, n),
		MinX: offheap.Make[float64](a, n), MinY: offheap.Make[float64](a, n),
		MaxX: offheap.Make[float64](a, n), MaxY: offheap.Make[float64](a, n),
		From: offheap.Make[int64](a, n), To: offheap.Make[int64](a, n),
	}
	v := &view{rows: rows, since: since, extent: geo.Extent{Empty: n == 0}}
	for i, fv := range rows {
		f := &fv.f
		b := f.Geometry.Bound()
		c.Row[i] = int64(i)
		c.MinX[i], c.MinY[i], c.MaxX[i], c.MaxY[i] = b.Min[0], b.Min[1], b.Max[0], b.Max[1]
		c.From[i], c.To[i] = f.Valid.Start, f.Valid.End
		if i == 0 {
			v.extent.BBox, v.extent.Time = b, f.Valid
		} else {
			v.extent.BBox = v.extent.BBox.Union(b)
			v.extent.Time.Start = min(v.extent.Time.Start, f.Valid.Start)
			v.extent.Time.End = max(v.extent.Time.End, f.Valid.End)
		}
	}
	ix, err := spacetime.Build(c, a)
	if err != nil {
		return nil, err
	}
	v.ix = ix
	return v, nil
}

// Close does nothing: the data goes with the store.
func (s *Store) Close() error { return nil }

// Version identifies the state.
func (st *state) Version() int64 { return st.version }

// Layers returns every layer, by Order then ID.
func (st *state) Layers() []geo.Layer { return slices.Clone(st.list) }

// Layer returns one layer, or ErrNotFound.
func (st *state) Layer(id string) (geo.Layer, error) {
	l, ok := st.layers[id]
	if !ok {
		return geo.Layer{}, geo.NotFoundf("layer %q does not exist", id)
	}
	return l.meta, nil
}

// view returns the features of layer id.
func (st *state) view(id string) (*view, error) {
	l, ok := st.layers[id]
	if !ok {
		return nil, geo.NotFoundf("layer %q does not exist", id)
	}
	return l.view()
}

// Extent returns the layer's extent, computed when its view was built.
func (st *state) Extent(ctx context.Context, id string) (geo.Extent, error) {
	if err := ctx.Err(); err != nil {
		return geo.Extent{}, err
	}
	l, err := st.view(id)
	if err != nil {
		return geo.Extent{}, err
	}
	return l.extent, nil
}

// Search streams the features matching f in stable order, with the count.
func (st *state) Search(ctx context.Context, f geo.Filter, fn func(*geo.Feature) error) (int, error) {
	l, err := st.view(f.Layer)
	if err != nil {
		return 0, err
	}
	q := spacetime.FilterQuery(f)
	if fn == nil {
		f.Offset = math.MaxInt // count only
	}
	var ranks []uint32
	rows, n, err := l.ix.Page(&q, f.Offset, f.Limit, &ranks, nil, l.exact(f.BBox))
	if err != nil {
		return 0, err
	}
	// What fn is given is a copy whose slices are this call's own, so a
	// caller that breaks the contract cannot change the stored feature.
	var (
		out     geo.Feature
		props   []byte
		sources []geo.Source
	)
	for _, r := range rows {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		out = l.rows[r].f
		if f.Light {
			out.Properties, out.Sources = nil, nil
		} else {
			props = append(props[:0], out.Properties...)
			sources = append(sources[:0], out.Sources...)
			out.Properties, out.Sources = props, sources
		}
		if err := fn(&out); err != nil {
			return 0, err
		}
	}
	return n, ctx.Err()
}

// exact returns the test of partial candidates against box's geometry.
func (l *view) exact(box *geo.BBox) spacetime.Exact {
	if box == nil {
		return nil
	}
	return func(ranks []uint32) ([]uint32, error) {
		out := ranks[:0]
		for _, r := range ranks {
			if r&spacetime.Partial != 0 {
				r &^= spacetime.Partial
				if !box.IntersectsGeometry(l.rows[l.ix.Row(r)].f.Geometry) {
					continue
				}
			}
			out = append(out, r)
		}
		return out, nil
	}
}

// Feature returns a deep copy of one feature, or ErrNotFound.
func (st *state) Feature(ctx context.Context, layerID, id string) (*geo.Feature, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if _, err := st.Layer(layerID); err != nil {
		return nil, err
	}
	st.s.hmu.RLock()
	fv, _ := st.s.hist.layers[layerID].currentAt(id, st.version)
	st.s.hmu.RUnlock()
	if fv == nil {
		return nil, geo.NotFoundf("feature %q does not exist in layer %q", id, layerID)
	}
	f := deepCopy(&fv.f, layerID)
	return &f, nil
}

// each calls fn with the row of every feature matching f, exactly.
func (l *view) each(ctx context.Context, f geo.Filter, fn func(leaf int, row int64) error) error {
	q := spacetime.FilterQuery(f)
	seen := 0
	return l.ix.Leaves(&q, func(p int, partial bool) error {
		if seen++; seen%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		row := l.ix.Row(l.ix.Rank(p))
		if partial && !f.BBox.IntersectsGeometry(l.rows[row].f.Geometry) {
			return nil
		}
		return fn(p, row)
	})
}

// Days counts the matching features by day.
func (st *state) Days(ctx context.Context, f geo.Filter) (geo.DayCounts, error) {
	l, err := st.view(f.Layer)
	if err != nil {
		return geo.DayCounts{}, err
	}
	var werr error
	c := geo.CountDays(func(yield func(geo.Interval) bool) {
		werr = l.each(ctx, f, func(_ int, row int64) error {
			yield(l.rows[row].f.Valid)
			return nil
		})
	})
	if werr != nil {
		return geo.DayCounts{}, werr
	}
	return c, ctx.Err()
}

// Points calls fn with each matching Point feature.
func (st *state) Points(ctx context.Context, f geo.Filter, fn func(geo.PointHit) error) (geo.PointAttrs, int, error) {
	l, err := st.view(f.Layer)
	if err != nil {
		return nil, 0, err
	}
	err = l.each(ctx, f, func(p int, row int64) error {
		pt, ok := l.rows[row].f.Geometry.(orb.Point)
		if !ok {
			return errNotPoint
		}
		return fn(geo.PointHit{Lon: pt[0], Lat: pt[1], MercY: geo.MercatorY(pt[1]), Rank: l.ix.Rank(p), Ref: int(row)})
	})
	if err == errNotPoint {
		return nil, 1, nil
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return nil, 0, err
	}
	return func(ref int, out *geo.Feature) {
		src := &l.rows[ref].f
		out.ID, out.Name, out.Kind, out.Valid, out.PrecisionM = src.ID, src.Name, src.Kind, src.Valid, src.PrecisionM
	}, 0, nil
}

// errNotPoint stops Points at a feature that is not a Point.
var errNotPoint = errors.New("not a point")
