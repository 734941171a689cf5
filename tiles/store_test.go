package tiles

import (
	"context"
	"iter"
	"sync/atomic"
	"testing"

	"strata/data/memory"
	"strata/geo"
)

// memStore is the in-memory store, counting the queries the encoder
// makes of its snapshots.
type memStore struct {
	*memory.Store
	// finds counts Search and Points calls, versions Snapshot calls.
	finds, versions atomic.Int64
	// started, when not nil, receives a value as each query starts; gate,
	// when not nil, is waited on before it answers.
	started chan struct{}
	gate    chan struct{}
}

func newMemStore() *memStore { return &memStore{Store: memory.New()} }

// Snapshot returns a snapshot that counts its queries.
func (s *memStore) Snapshot(ctx context.Context) (geo.Snapshot, error) {
	s.versions.Add(1)
	sn, err := s.Store.Snapshot(ctx)
	return countingSnap{sn, s}, err
}

// countingSnap counts the queries of the encoder in its store.
type countingSnap struct {
	geo.Snapshot
	s *memStore
}

func (c countingSnap) enter() {
	c.s.finds.Add(1)
	if c.s.started != nil {
		c.s.started <- struct{}{}
	}
	if c.s.gate != nil {
		<-c.s.gate
	}
}

func (c countingSnap) Search(ctx context.Context, f geo.Filter, fn func(*geo.Feature) error) (int, error) {
	c.enter()
	return c.Snapshot.Search(ctx, f, fn)
}

func (c countingSnap) Points(ctx context.Context, f geo.Filter, fn func(geo.PointHit) error) (geo.PointAttrs, int, error) {
	c.enter()
	return c.Snapshot.Points(ctx, f, fn)
}

// snapOf returns s's current snapshot, failing the test on error.
func snapOf(tb testing.TB, s geo.Store) geo.Snapshot {
	tb.Helper()
	sn, err := s.Snapshot(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return sn
}

// searchOnly hides a snapshot's Points: every layer is drawn from Search.
type searchOnly struct{ geo.Snapshot }

func (searchOnly) Points(context.Context, geo.Filter, func(geo.PointHit) error) (geo.PointAttrs, int, error) {
	return nil, 1, nil
}

// put adds a layer with the features, failing the test on error.
func (s *memStore) put(tb interface{ Fatal(...any) }, layer string, kind geo.GeometryKind, fs ...*geo.Feature) {
	l := geo.Layer{ID: layer, Title: layer, Kind: kind}
	if _, err := s.Import(context.Background(), geo.ChangeNote{Author: "test"}, l, geo.Append, seqOf(fs)); err != nil {
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
