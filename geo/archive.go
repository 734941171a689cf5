package geo

import (
	"context"
	"iter"
)

// An archive is the whole content of a Store in a form that no engine
// owns: its layers, tokens and briefings, then every changeset with the
// feature versions it wrote, then the data version. Store.Export writes
// one and Store.Restore reads one, so that `strata copy` moves a store
// between engines, history included, and a copy's export equals the
// original's.

// Record is one item of an archive: exactly one of its fields is set.
//
// Export gives records in this order, each group sorted as said: Layer
// (as Snapshot.Layers), Token (by name), Briefing (by id), then each
// Changeset by ID followed at once by the Rows it wrote (From equal to
// its ID) by layer, Pos and ID; last, Version alone.
type Record struct {
	Layer    *Layer
	Token    *Token
	Briefing *Briefing
	// Changeset is a changeset's description; Written is never set.
	Changeset *Changeset
	Row       *Row
	// Version, in the last record, is the data version (Snapshot.Version)
	// of the exported state: at least the last changeset's ID, and more
	// when layer metadata changed after it.
	Version int64
}

// Row is one stored version of a feature.
type Row struct {
	// Layer names the feature's layer.
	Layer string
	// Pos is the feature's place in its layer's stable order (Filter):
	// rows with smaller Pos come first. A store keeps it as given.
	Pos int64
	// From is the changeset that wrote the version and To the one that
	// closed it (replaced or deleted it), 0 while it is current.
	From, To int64
	// Feature is the version, with Feature.Layer and Feature.Version (its
	// number) set and JSON nil.
	Feature *Feature
}

// Archiver is the part of the Store contract that copies whole stores.
type Archiver interface {
	// Export calls fn with the records of the store's archive, in the
	// order Record describes, from one consistent state, until fn returns
	// an error, which Export returns.
	Export(ctx context.Context, fn func(Record) error) error
	// Restore writes the archive seq into an empty store (no layers, no
	// changesets, no tokens, no briefings: ErrConflict otherwise), all or
	// nothing: if seq yields an error, or a record is invalid or out of
	// order (ErrInvalid, naming it), nothing is stored. Afterwards the
	// store's Export gives the same records, and its snapshots, history
	// and versions are the original's.
	Restore(ctx context.Context, seq iter.Seq2[Record, error]) error
}
