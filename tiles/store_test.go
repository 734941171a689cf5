package tiles

import (
	"context"
	"iter"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"

	"strata/geo"
)

// memStore is an in-memory geo.Store for testing the tile encoder. It
// filters by bounding box (geo.BBox.Intersects on each feature's bound)
// and valid time (geo.Interval.Overlaps) for real, and counts the queries
// it answers.
type memStore struct {
	mu       sync.RWMutex
	layers   []geo.Layer
	features map[string][]memFeature
	version  int64

	// finds counts FindFeatures calls, versions Version calls.
	finds, versions atomic.Int64
	// started, when not nil, receives a value as each FindFeatures starts;
	// gate, when not nil, is waited on before it answers.
	started chan struct{}
	gate    chan struct{}
}

type memFeature struct {
	f     geo.Feature
	bound orb.Bound
}

var _ geo.Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{features: map[string][]memFeature{}}
}

func (s *memStore) Layers(ctx context.Context) ([]geo.Layer, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.layers), nil
}

func (s *memStore) Layer(ctx context.Context, id string) (geo.Layer, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, l := range s.layers {
		if l.ID == id {
			return l, nil
		}
	}
	return geo.Layer{}, geo.NotFoundf("layer %q not found", id)
}

func (s *memStore) PutLayer(ctx context.Context, l geo.Layer) error {
	if err := l.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version++
	for i := range s.layers {
		if s.layers[i].ID == l.ID {
			s.layers[i] = l
			return nil
		}
	}
	s.layers = append(s.layers, l)
	if s.features[l.ID] == nil {
		s.features[l.ID] = []memFeature{}
	}
	return nil
}

func (s *memStore) Extent(ctx context.Context, layer string) (geo.Extent, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fs, ok := s.features[layer]
	if !ok {
		return geo.Extent{}, geo.NotFoundf("layer %q not found", layer)
	}
	if len(fs) == 0 {
		return geo.Extent{Empty: true}, nil
	}
	x := geo.Extent{BBox: fs[0].bound, Time: fs[0].f.Valid}
	for _, f := range fs[1:] {
		x.BBox = x.BBox.Union(f.bound)
		x.Time.Start = min(x.Time.Start, f.f.Valid.Start)
		x.Time.End = max(x.Time.End, f.f.Valid.End)
	}
	return x, nil
}

func (s *memStore) match(layer string, f geo.Filter) ([]memFeature, error) {
	fs, ok := s.features[layer]
	if !ok {
		return nil, geo.NotFoundf("layer %q not found", layer)
	}
	var out []memFeature
	for _, m := range fs {
		if f.BBox != nil && !f.BBox.Intersects(m.bound) {
			continue
		}
		if !m.f.Valid.Overlaps(f.Time) {
			continue
		}
		out = append(out, m)
	}
	return out, nil
}

func (s *memStore) FindFeatures(ctx context.Context, f geo.Filter, fn func(*geo.Feature) error) error {
	s.finds.Add(1)
	if s.started != nil {
		s.started <- struct{}{}
	}
	if s.gate != nil {
		<-s.gate
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	fs, err := s.match(f.Layer, f)
	if err != nil {
		return err
	}
	fs = fs[min(max(f.Offset, 0), len(fs)):]
	if f.Limit > 0 && len(fs) > f.Limit {
		fs = fs[:f.Limit]
	}
	for i := range fs {
		if err := ctx.Err(); err != nil {
			return err
		}
		c := fs[i].f
		if f.Light {
			c.Properties, c.Sources = nil, nil
		}
		if err := fn(&c); err != nil {
			return err
		}
	}
	return nil
}

func (s *memStore) CountFeatures(ctx context.Context, f geo.Filter) (int, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fs, err := s.match(f.Layer, f)
	return len(fs), err
}

func (s *memStore) FindFeatureByID(ctx context.Context, layer, id string) (*geo.Feature, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, m := range s.features[layer] {
		if m.f.ID == id {
			f := m.f
			return &f, nil
		}
	}
	return nil, geo.NotFoundf("feature %q not found in layer %q", id, layer)
}

func (s *memStore) Import(ctx context.Context, l geo.Layer, mode geo.ImportMode, seq iter.Seq2[*geo.Feature, error]) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, exists := s.features[l.ID]
	if !exists {
		if err := l.Validate(); err != nil {
			return 0, err
		}
	}
	var fs []memFeature
	if mode == geo.Append {
		fs = slices.Clone(old)
	}
	ids := map[string]bool{}
	for _, m := range fs {
		ids[m.f.ID] = true
	}
	n := 0
	for f, err := range seq {
		if err != nil {
			return 0, err
		}
		if err := f.Validate(); err != nil {
			return 0, err
		}
		if ids[f.ID] {
			return 0, geo.Conflictf("feature %q exists", f.ID)
		}
		ids[f.ID] = true
		c := *f
		c.Layer = l.ID
		fs = append(fs, memFeature{f: c, bound: c.Geometry.Bound()})
		n++
	}
	if !exists {
		s.layers = append(s.layers, l)
	}
	s.features[l.ID] = fs
	s.version++
	return n, nil
}

func (s *memStore) Version(ctx context.Context) (int64, error) {
	s.versions.Add(1)
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.version, nil
}

func (s *memStore) Close() error { return nil }

// put adds a layer with the features, failing the test on error.
func (s *memStore) put(tb interface{ Fatal(...any) }, layer string, kind geo.GeometryKind, fs ...*geo.Feature) {
	l := geo.Layer{ID: layer, Title: layer, Kind: kind}
	if _, err := s.Import(context.Background(), l, geo.Append, seqOf(fs)); err != nil {
		tb.Fatal(err)
	}
}

// seqOf yields the features without error.
func seqOf(fs []*geo.Feature) iter.Seq2[*geo.Feature, error] {
	return func(yield func(*geo.Feature, error) bool) {
		for _, f := range fs {
			if !yield(f, nil) {
				return
			}
		}
	}
}
