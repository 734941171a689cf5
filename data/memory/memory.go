// Package memory is a geo.Store held in memory: small data sets that are
// loaded at start-up and served read-mostly, such as the offline basemap
// drawn into vector tiles. Queries scan a layer's features in import order
// and test each one's bounds and valid time, which is fast for a few
// thousand features; it keeps nothing on disk.
package memory

import (
	"cmp"
	"context"
	"iter"
	"slices"
	"sync"

	"github.com/paulmach/orb"

	"strata/geo"
)

var _ geo.Store = (*Store)(nil)

// Store is an in-memory geo.Store, safe for concurrent use. The zero value
// is not usable; call New.
type Store struct {
	mu      sync.RWMutex
	layers  map[string]*layer
	version int64
}

type layer struct {
	meta     geo.Layer
	features []*entry
	byID     map[string]*entry
}

type entry struct {
	f     geo.Feature
	bound orb.Bound
}

// New returns an empty store.
func New() *Store {
	return &Store{layers: map[string]*layer{}, version: 1}
}

// Layers returns every layer, by Order then ID.
func (s *Store) Layers(ctx context.Context) ([]geo.Layer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]geo.Layer, 0, len(s.layers))
	for _, l := range s.layers {
		out = append(out, l.meta)
	}
	slices.SortFunc(out, func(a, b geo.Layer) int {
		return cmp.Or(cmp.Compare(a.Order, b.Order), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// Layer returns one layer, or ErrNotFound.
func (s *Store) Layer(ctx context.Context, id string) (geo.Layer, error) {
	if err := ctx.Err(); err != nil {
		return geo.Layer{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	l, ok := s.layers[id]
	if !ok {
		return geo.Layer{}, notFound(id)
	}
	return l.meta, nil
}

func notFound(id string) error {
	return geo.NotFoundf("layer %q does not exist", id)
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
	if old, ok := s.layers[l.ID]; ok {
		old.meta = l
	} else {
		s.layers[l.ID] = &layer{meta: l, byID: map[string]*entry{}}
	}
	s.version++
	return nil
}

// Extent computes a layer's extent from its features. ErrNotFound for an
// unknown layer.
func (s *Store) Extent(ctx context.Context, id string) (geo.Extent, error) {
	if err := ctx.Err(); err != nil {
		return geo.Extent{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	l, ok := s.layers[id]
	if !ok {
		return geo.Extent{}, notFound(id)
	}
	if len(l.features) == 0 {
		return geo.Extent{Empty: true}, nil
	}
	e := geo.Extent{BBox: l.features[0].bound, Time: l.features[0].f.Valid}
	for _, en := range l.features[1:] {
		e.BBox = e.BBox.Union(en.bound)
		e.Time.Start = min(e.Time.Start, en.f.Valid.Start)
		e.Time.End = max(e.Time.End, en.f.Valid.End)
	}
	return e, nil
}

// match reports whether a feature passes the filter's bbox and time.
func match(en *entry, f *geo.Filter) bool {
	if f.BBox != nil && !f.BBox.Intersects(en.bound) {
		return false
	}
	return en.f.Valid.Overlaps(f.Time)
}

// FindFeatures calls fn for each feature matching f, in import order.
// ErrNotFound for an unknown layer.
func (s *Store) FindFeatures(ctx context.Context, f geo.Filter, fn func(*geo.Feature) error) error {
	s.mu.RLock()
	l, ok := s.layers[f.Layer]
	var all []*entry
	if ok {
		all = l.features // entries are never changed in place, only replaced
	}
	s.mu.RUnlock()
	if !ok {
		return notFound(f.Layer)
	}
	skip, n := f.Offset, 0
	for _, en := range all {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !match(en, &f) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		if f.Limit > 0 && n >= f.Limit {
			return nil
		}
		n++
		out := en.f
		if f.Light {
			out.Properties, out.Sources = nil, nil
		}
		if err := fn(&out); err != nil {
			return err
		}
	}
	return nil
}

// CountFeatures counts the features matching f, ignoring Limit and
// Offset. ErrNotFound for an unknown layer.
func (s *Store) CountFeatures(ctx context.Context, f geo.Filter) (int, error) {
	f.Limit, f.Offset, f.Light = 0, 0, true
	n := 0
	err := s.FindFeatures(ctx, f, func(*geo.Feature) error { n++; return nil })
	return n, err
}

// FindFeatureByID returns one feature, or ErrNotFound.
func (s *Store) FindFeatureByID(ctx context.Context, layerID, id string) (*geo.Feature, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	l, ok := s.layers[layerID]
	if !ok {
		return nil, notFound(layerID)
	}
	en, ok := l.byID[id]
	if !ok {
		return nil, geo.NotFoundf("feature %q does not exist in layer %q", id, layerID)
	}
	f := en.f
	return &f, nil
}

// Import stores the features of seq in layer l, all or nothing: the
// features are checked and gathered first and the layer is changed only
// when every one is valid and its id free.
func (s *Store) Import(ctx context.Context, l geo.Layer, mode geo.ImportMode, seq iter.Seq2[*geo.Feature, error]) (int, error) {
	s.mu.RLock()
	_, exists := s.layers[l.ID]
	s.mu.RUnlock()
	if !exists {
		if err := l.Validate(); err != nil {
			return 0, err
		}
	}
	var added []*entry
	seen := map[string]bool{}
	for f, err := range seq {
		if err != nil {
			return 0, err
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if err := f.Validate(); err != nil {
			return 0, err
		}
		if seen[f.ID] {
			return 0, geo.Conflictf("feature id %q appears twice in the import into layer %q", f.ID, l.ID)
		}
		seen[f.ID] = true
		c := *f
		c.Layer = l.ID
		c.Properties = append([]byte(nil), f.Properties...)
		c.Sources = slices.Clone(f.Sources)
		added = append(added, &entry{f: c, bound: c.Geometry.Bound()})
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.layers[l.ID]
	if !ok {
		if err := l.Validate(); err != nil {
			return 0, err
		}
		cur = &layer{meta: l, byID: map[string]*entry{}}
	}
	keep := cur.features
	if mode == geo.Replace {
		keep = nil
	}
	if mode != geo.Replace {
		for _, en := range added {
			if _, taken := cur.byID[en.f.ID]; taken {
				return 0, geo.Conflictf("feature id %q already exists in layer %q", en.f.ID, l.ID)
			}
		}
	}
	// A new slice and map: readers holding the old ones are not disturbed.
	features := append(slices.Clip(keep), added...)
	byID := make(map[string]*entry, len(features))
	for _, en := range features {
		byID[en.f.ID] = en
	}
	cur.features, cur.byID = features, byID
	s.layers[l.ID] = cur
	s.version++
	return len(added), nil
}

// Version changes whenever stored data changes.
func (s *Store) Version(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.version, nil
}

// Close does nothing: the data goes with the store.
func (s *Store) Close() error { return nil }
