package sqlite

import (
	"context"
	"slices"

	"strata/geo"
)

// layerSnapshot is the layers table as of one data version, held in
// memory: every request needs a layer's number and generation, and tile
// and collection requests its metadata, so reading them once a version
// spares a statement (and a JSON decoding of each style) per layer per
// request. A write by this process or another bumps the version (see
// bumpVersion), and the next call after it reads the table anew.
type layerSnapshot struct {
	version int64
	list    []geo.Layer // by order, then id
	byID    map[string]layerEntry
}

// layerEntry is a layer's place in a layerSnapshot.
type layerEntry struct {
	ref layerRef
	i   int // index in list
}

// pinKey is the context key under which Pin keeps a DB's snapshot.
type pinKey struct{ db *DB }

var _ geo.Pinner = (*DB)(nil)

// Pin reads the data version and the layers once, and returns a context
// under which the DB answers Version, Layers, Layer and the layer lookups
// of every query from that read (see geo.Pinner).
func (s *DB) Pin(ctx context.Context) (context.Context, error) {
	snap, err := s.layers(ctx)
	if err != nil {
		return ctx, err
	}
	return context.WithValue(ctx, pinKey{s}, snap), nil
}

// pinned returns the snapshot ctx was pinned to, if any.
func (s *DB) pinned(ctx context.Context) *layerSnapshot {
	snap, _ := ctx.Value(pinKey{s}).(*layerSnapshot)
	return snap
}

// layers returns the snapshot ctx was pinned to, or else that of the
// current data version.
func (s *DB) layers(ctx context.Context) (*layerSnapshot, error) {
	if snap := s.pinned(ctx); snap != nil {
		return snap, nil
	}
	// The version is read first: a write between the two reads leaves a
	// snapshot newer than its version says, read again on the next call,
	// never an older one taken for current.
	v, err := s.Version(ctx)
	if err != nil {
		return nil, err
	}
	if snap := s.snap.Load(); snap != nil && snap.version == v {
		return snap, nil
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+layerColumns+", generation FROM layers ORDER BY ord, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	snap := &layerSnapshot{version: v, byID: map[string]layerEntry{}}
	for rows.Next() {
		var gen int64
		num, l, err := scanLayer(rows, &gen)
		if err != nil {
			return nil, err
		}
		snap.byID[l.ID] = layerEntry{ref: layerRef{num: num, gen: gen}, i: len(snap.list)}
		snap.list = append(snap.list, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	s.snap.Store(snap)
	return snap, nil
}

// entry returns layer id's place in the snapshot, or an error wrapping
// geo.ErrNotFound.
func (snap *layerSnapshot) entry(id string) (layerEntry, error) {
	e, ok := snap.byID[id]
	if !ok {
		return e, geo.NotFoundf("layer %q does not exist", id)
	}
	return e, nil
}

// Layers returns every layer by order, then id.
func (s *DB) Layers(ctx context.Context) ([]geo.Layer, error) {
	snap, err := s.layers(ctx)
	if err != nil {
		return nil, err
	}
	return slices.Clone(snap.list), nil
}

// Layer returns one layer, or an error wrapping geo.ErrNotFound.
func (s *DB) Layer(ctx context.Context, id string) (geo.Layer, error) {
	snap, err := s.layers(ctx)
	if err != nil {
		return geo.Layer{}, err
	}
	e, err := snap.entry(id)
	if err != nil {
		return geo.Layer{}, err
	}
	return snap.list[e.i], nil
}

// layerRef returns the number and generation of layer id, or an error
// wrapping geo.ErrNotFound.
func (s *DB) layerRef(ctx context.Context, id string) (layerRef, error) {
	snap, err := s.layers(ctx)
	if err != nil {
		return layerRef{}, err
	}
	e, err := snap.entry(id)
	return e.ref, err
}
