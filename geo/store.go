package geo

import (
	"context"
	"iter"
)

// Filter selects features of one layer. The zero BBox pointer means no
// spatial filter; Time is a closed query interval (Always for none).
type Filter struct {
	Layer string
	BBox  *BBox
	Time  Interval
	// Limit caps the number of features returned (0 or less: no cap);
	// Offset skips that many matching features first. Features are always
	// returned in the same order, so Offset pages are stable while the data
	// does not change.
	Limit  int
	Offset int
	// Light asks only for ID, Name, Kind, Geometry, Valid and PrecisionM:
	// a store may then leave Properties and Sources empty. Tiles use it.
	Light bool
}

// ImportMode says what an import does with a layer's existing features.
type ImportMode int

// Import modes.
const (
	// Append adds the features; an id already in the layer is a conflict.
	Append ImportMode = iota
	// Replace removes the layer's existing features first.
	Replace
)

// Store keeps layers and features. Implementations are safe for
// concurrent use. Methods return errors wrapping ErrNotFound, ErrInvalid
// or ErrConflict as documented; any other error is an internal failure.
type Store interface {
	// Layers returns every layer, by Order then ID.
	Layers(ctx context.Context) ([]Layer, error)
	// Layer returns one layer, or ErrNotFound.
	Layer(ctx context.Context, id string) (Layer, error)
	// PutLayer creates a layer or updates its metadata. ErrInvalid for bad
	// metadata.
	PutLayer(ctx context.Context, l Layer) error
	// Extent computes a layer's spatial and temporal extent from its
	// features. ErrNotFound for an unknown layer.
	Extent(ctx context.Context, layer string) (Extent, error)
	// FindFeatures calls fn for each feature matching f, in a stable order,
	// until fn returns an error, which FindFeatures then returns. The
	// *Feature passed to fn is only valid during the call. ErrNotFound for
	// an unknown layer.
	FindFeatures(ctx context.Context, f Filter, fn func(*Feature) error) error
	// CountFeatures counts the features matching f, ignoring Limit and
	// Offset. ErrNotFound for an unknown layer.
	CountFeatures(ctx context.Context, f Filter) (int, error)
	// FindFeatureByID returns one feature, or ErrNotFound.
	FindFeatureByID(ctx context.Context, layer, id string) (*Feature, error)
	// Import stores the features of seq in layer l as one transaction. A
	// missing layer is created with l's metadata in that transaction; an
	// existing layer keeps its metadata. If seq yields an error, or a
	// feature is invalid (ErrInvalid) or its id is taken (ErrConflict),
	// nothing at all is stored, the layer included. It returns the number
	// of features stored.
	Import(ctx context.Context, l Layer, mode ImportMode, seq iter.Seq2[*Feature, error]) (int, error)
	// Version is a number that changes whenever stored data changes, for
	// cache keys and ETags.
	Version(ctx context.Context) (int64, error)
	// Close releases the store.
	Close() error
}

// Pinner is an optional interface of a Store that reads what it knows of
// the layers (which exist, their metadata and numbers, the data version)
// from storage that other processes may write. Pin reads them once and
// returns a context under which the store answers from that read: a
// request made under it costs one such read, not one a call, and sees one
// version of the layers throughout, the Version included. Writes
// committed after Pin may not be seen under the returned context.
type Pinner interface {
	Pin(ctx context.Context) (context.Context, error)
}
