// Package memory is a geo.Store held in memory: small data sets that are
// loaded at start-up and served read-mostly, such as the offline basemap
// drawn into vector tiles, and the reference that other stores are tested
// beside. Each layer's features are searched through a space-time index
// (internal/spacetime), as in every store; nothing is kept on disk.
//
// The data is copy-on-write: a write builds the changed layer anew and
// publishes a new state, so a Snapshot is the state it was taken from and
// never changes.
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
	mu  sync.Mutex // serialises writes
	cur atomic.Pointer[state]
}

// state is the data as of one version; it is never changed once
// published.
type state struct {
	version int64
	list    []geo.Layer // by order, then id
	layers  map[string]*layer
}

// layer is one layer's features, in import order, and their index.
type layer struct {
	meta     geo.Layer
	features []geo.Feature
	byID     map[string]int
	ix       *spacetime.Index // row = index in features
	extent   geo.Extent
}

// New returns an empty store.
func New() *Store {
	s := &Store{}
	s.cur.Store(&state{version: 1, layers: map[string]*layer{}})
	return s
}

// Snapshot returns the current state.
func (s *Store) Snapshot(ctx context.Context) (geo.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.cur.Load(), nil
}

// publish makes a new state from the current one with layer l set, and
// returns it. The caller holds s.mu.
func (s *Store) publish(l *layer) {
	old := s.cur.Load()
	next := &state{version: old.version + 1, layers: make(map[string]*layer, len(old.layers)+1)}
	for id, ol := range old.layers {
		next.layers[id] = ol
	}
	next.layers[l.meta.ID] = l
	for _, nl := range next.layers {
		next.list = append(next.list, nl.meta)
	}
	slices.SortFunc(next.list, func(a, b geo.Layer) int {
		return cmp.Or(cmp.Compare(a.Order, b.Order), cmp.Compare(a.ID, b.ID))
	})
	s.cur.Store(next)
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
	nl := &layer{meta: l}
	if old, ok := s.cur.Load().layers[l.ID]; ok {
		nl.features, nl.byID, nl.ix, nl.extent = old.features, old.byID, old.ix, old.extent
	} else if err := nl.index(); err != nil {
		return err
	}
	s.publish(nl)
	return nil
}

// Import stores the features of seq in layer l, all or nothing: the
// features are checked and copied first, and the layer is published anew
// only when every one is valid and its id free.
func (s *Store) Import(ctx context.Context, note geo.ChangeNote, l geo.Layer, mode geo.ImportMode, seq iter.Seq2[*geo.Feature, error]) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, exists := s.cur.Load().layers[l.ID]
	meta := l
	if exists {
		meta = cur.meta
	} else if err := l.Validate(); err != nil {
		return 0, err
	}
	nl := &layer{meta: meta, byID: map[string]int{}}
	if exists && mode != geo.Replace {
		nl.features = slices.Clone(cur.features)
		for i, f := range nl.features {
			nl.byID[f.ID] = i
		}
	}
	added := 0
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
		if _, taken := nl.byID[f.ID]; taken {
			return 0, geo.Conflictf("feature id %q already exists in layer %q", f.ID, l.ID)
		}
		nl.byID[f.ID] = len(nl.features)
		nl.features = append(nl.features, deepCopy(f, l.ID))
		added++
	}
	if err := nl.index(); err != nil {
		return 0, err
	}
	s.publish(nl)
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

// index builds the layer's index and extent from its features.
func (l *layer) index() error {
	n := len(l.features)
	a := &offheap.Arena{}
	c := &spacetime.Columns{
		Row:  offheap.Make[int64](a, n),
		MinX: offheap.Make[float64](a, n), MinY: offheap.Make[float64](a, n),
		MaxX: offheap.Make[float64](a, n), MaxY: offheap.Make[float64](a, n),
		From: offheap.Make[int64](a, n), To: offheap.Make[int64](a, n),
	}
	l.extent = geo.Extent{Empty: n == 0}
	for i := range l.features {
		f := &l.features[i]
		b := f.Geometry.Bound()
		c.Row[i] = int64(i)
		c.MinX[i], c.MinY[i], c.MaxX[i], c.MaxY[i] = b.Min[0], b.Min[1], b.Max[0], b.Max[1]
		c.From[i], c.To[i] = f.Valid.Start, f.Valid.End
		if i == 0 {
			l.extent.BBox, l.extent.Time = b, f.Valid
		} else {
			l.extent.BBox = l.extent.BBox.Union(b)
			l.extent.Time.Start = min(l.extent.Time.Start, f.Valid.Start)
			l.extent.Time.End = max(l.extent.Time.End, f.Valid.End)
		}
	}
	ix, err := spacetime.Build(c, a)
	if err != nil {
		return err
	}
	l.ix = ix
	return nil
}

// Close does nothing: the data goes with the store.
func (s *Store) Close() error { return nil }

// Version identifies the state.
func (st *state) Version() int64 { return st.version }

// Layers returns every layer, by Order then ID.
func (st *state) Layers() []geo.Layer { return slices.Clone(st.list) }

// Layer returns one layer, or ErrNotFound.
func (st *state) Layer(id string) (geo.Layer, error) {
	l, err := st.layer(id)
	if err != nil {
		return geo.Layer{}, err
	}
	return l.meta, nil
}

func (st *state) layer(id string) (*layer, error) {
	l, ok := st.layers[id]
	if !ok {
		return nil, geo.NotFoundf("layer %q does not exist", id)
	}
	return l, nil
}

// Extent returns the layer's extent, computed at import.
func (st *state) Extent(ctx context.Context, id string) (geo.Extent, error) {
	if err := ctx.Err(); err != nil {
		return geo.Extent{}, err
	}
	l, err := st.layer(id)
	if err != nil {
		return geo.Extent{}, err
	}
	return l.extent, nil
}

// Search streams the features matching f in import order, with the count.
func (st *state) Search(ctx context.Context, f geo.Filter, fn func(*geo.Feature) error) (int, error) {
	l, err := st.layer(f.Layer)
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
		out = l.features[r]
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
func (l *layer) exact(box *geo.BBox) spacetime.Exact {
	if box == nil {
		return nil
	}
	return func(ranks []uint32) ([]uint32, error) {
		out := ranks[:0]
		for _, r := range ranks {
			if r&spacetime.Partial != 0 {
				r &^= spacetime.Partial
				if !box.IntersectsGeometry(l.features[l.ix.Row(r)].Geometry) {
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
	l, err := st.layer(layerID)
	if err != nil {
		return nil, err
	}
	i, ok := l.byID[id]
	if !ok {
		return nil, geo.NotFoundf("feature %q does not exist in layer %q", id, layerID)
	}
	f := deepCopy(&l.features[i], layerID)
	return &f, nil
}

// each calls fn with the row of every feature matching f, exactly.
func (l *layer) each(ctx context.Context, f geo.Filter, fn func(leaf int, row int64) error) error {
	q := spacetime.FilterQuery(f)
	seen := 0
	return l.ix.Leaves(&q, func(p int, partial bool) error {
		if seen++; seen%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		row := l.ix.Row(l.ix.Rank(p))
		if partial && !f.BBox.IntersectsGeometry(l.features[row].Geometry) {
			return nil
		}
		return fn(p, row)
	})
}

// Days counts the matching features by day.
func (st *state) Days(ctx context.Context, f geo.Filter) (geo.DayCounts, error) {
	l, err := st.layer(f.Layer)
	if err != nil {
		return geo.DayCounts{}, err
	}
	var werr error
	c := geo.CountDays(func(yield func(geo.Interval) bool) {
		werr = l.each(ctx, f, func(_ int, row int64) error {
			yield(l.features[row].Valid)
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
	l, err := st.layer(f.Layer)
	if err != nil {
		return nil, 0, err
	}
	err = l.each(ctx, f, func(p int, row int64) error {
		pt, ok := l.features[row].Geometry.(orb.Point)
		if !ok {
			return errNotPoint
		}
		return fn(geo.PointHit{Lon: pt[0], Lat: pt[1], Rank: l.ix.Rank(p), Ref: int(row)})
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
		src := &l.features[ref]
		out.ID, out.Name, out.Kind, out.Valid, out.PrecisionM = src.ID, src.Name, src.Kind, src.Valid, src.PrecisionM
	}, 0, nil
}

// errNotPoint stops Points at a feature that is not a Point.
var errNotPoint = errors.New("not a point")
