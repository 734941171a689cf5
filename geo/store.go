package geo

import (
	"context"
	"iter"
	"time"
)

// Filter selects features of one layer. The zero BBox pointer means no
// spatial filter; Time is a closed query interval (Always for none).
//
// A feature matches when its valid time overlaps Time (Interval.Overlaps)
// and, with a BBox, its geometry meets the box (BBox.IntersectsGeometry):
// not merely its bounding box.
type Filter struct {
	Layer string
	BBox  *BBox
	Time  Interval
	// Limit caps the number of features returned (0 or less: no cap);
	// Offset skips that many matching features first. Features are always
	// returned in the layer's stable order (the order they were imported
	// in), so Offset pages of one Snapshot never overlap or skip.
	Limit  int
	Offset int
	// Light asks only for ID, Name, Kind, Geometry, Valid and PrecisionM:
	// a store may then leave Properties and Sources empty. Tiles use it.
	Light bool
	// Encoded asks for each feature's GeoJSON, exactly as
	// geo/geojson.AppendFeature writes it, in Feature.JSON: a store that
	// keeps encoded versions (they never change once written) may then
	// give ID and JSON only. A store may also ignore it and fill the
	// feature as usual, leaving JSON nil. Items pages use it.
	Encoded bool
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

// Store keeps layers of dated features. It is the whole contract of a
// storage engine: every store implements all of it, and the contract
// suite in data/storetest checks it. Implementations are safe for
// concurrent use. Methods return errors wrapping ErrNotFound, ErrInvalid
// or ErrConflict as documented; any other error is an internal failure.
//
// Reads go through a Snapshot: one consistent state of the data, however
// many queries a request makes and whatever writes commit meanwhile.
// Writes (PutLayer, Import, Commit) are each all or nothing, and each
// gives the data a new Version. Import and Commit are changesets (see
// history.go): every version they write or close stays readable through
// SnapshotAt, History and FeatureVersion for ever. A store also keeps
// briefings (BriefingStore), and exports and restores its whole content
// (Archiver, see archive.go). A store whose database cannot be reached
// returns errors wrapping ErrUnavailable.
type Store interface {
	BriefingStore
	Archiver

	// Snapshot returns the current state of the data, to read from.
	Snapshot(ctx context.Context) (Snapshot, error)
	// SnapshotAt returns the state as known at instant t: the snapshot of
	// the last changeset recorded at or before t, holding the layers of
	// today (layer metadata has no history) with the features current
	// then. Before the first changeset every layer is empty. A snapshot
	// for an instant in the past gives the same answers for ever, except
	// for an instant so recent that a write being committed may still be
	// recorded before it: callers treat only instants older than
	// RecordSkew as past.
	SnapshotAt(ctx context.Context, t time.Time) (Snapshot, error)
	// PutLayer creates a layer or updates its metadata. ErrInvalid for bad
	// metadata.
	PutLayer(ctx context.Context, l Layer) error
	// Import stores the features of seq in layer l as one changeset, all
	// or nothing. A missing layer is created with l's metadata in that
	// transaction; an existing layer keeps its metadata. If seq yields an
	// error, or a feature is invalid (ErrInvalid: see CheckImport) or its
	// id is current (ErrConflict; Append only), nothing at all is stored,
	// the layer included. Replace closes the layer's current versions
	// first; an id that was current gets its next version number. It
	// returns the number of features stored. Snapshots taken before the
	// import keep their view.
	Import(ctx context.Context, note ChangeNote, l Layer, mode ImportMode, seq iter.Seq2[*Feature, error]) (int, error)
	// Commit writes the edits of c as one changeset, all or nothing, and
	// returns it. Errors, naming the edit's feature: ErrInvalid for a bad
	// note, no edits, more than MaxEdits, two edits of one feature, or an
	// invalid feature (CheckImport against the stored layer); ErrNotFound
	// for an unknown layer, or a Replace or Delete of a feature that is
	// not current; ErrConflict for a Create of a current id; a
	// *StaleError (ErrPrecondition) when an IfVersion does not hold.
	Commit(ctx context.Context, c Commit) (Changeset, error)

	// PutToken stores a new writer's token. ErrInvalid (Token.Check),
	// ErrConflict when a token of that name exists, revoked or not:
	// names are authors and stay unique.
	PutToken(ctx context.Context, t Token) error
	// Tokens returns every token, revoked ones included, by name.
	Tokens(ctx context.Context) ([]Token, error)
	// RevokeToken marks a token revoked at instant at. ErrNotFound for an
	// unknown name; revoking twice keeps the first instant.
	RevokeToken(ctx context.Context, name string, at time.Time) error

	// Close releases the store.
	Close() error
}

// RecordSkew bounds how long before its commit a changeset's record time
// may be taken: a SnapshotAt instant older than now minus RecordSkew is
// past and its answers never change.
const RecordSkew = 5 * time.Second

// Snapshot is the data of a Store as of one Version. It never changes:
// every answer of one Snapshot is consistent with every other, counts
// with pages included. A Snapshot holds no resources beyond memory and
// may be used from several goroutines at once, for as long as the caller
// likes; queries take a context for cancellation.
//
// Results: a Feature passed to a callback is valid only during the call
// and must not be modified or retained (copy what must outlive the call);
// the *Feature returned by Feature, and the slices of Layers, belong to
// the caller, share nothing with the store or with other results, and may
// be modified.
type Snapshot interface {
	// Version identifies the state of the data: it changes with every
	// write, for cache keys and ETags.
	Version() int64
	// Layers returns every layer, by Order then ID.
	Layers() []Layer
	// Layer returns one layer, or ErrNotFound.
	Layer(id string) (Layer, error)
	// Extent returns a layer's spatial and temporal extent, computed from
	// its features. ErrNotFound for an unknown layer.
	Extent(ctx context.Context, layer string) (Extent, error)
	// Search calls fn with each feature matching f (Limit and Offset
	// applied), in the layer's stable order, until fn returns an error,
	// which Search returns. It returns the number of features matching f
	// regardless of Limit and Offset, counted in the same pass. With fn
	// nil it only counts, reading no feature. ErrNotFound for an unknown
	// layer.
	Search(ctx context.Context, f Filter, fn func(*Feature) error) (matched int, err error)
	// Feature returns one feature, or ErrNotFound.
	Feature(ctx context.Context, layer, id string) (*Feature, error)
	// Days counts the features matching f (Limit, Offset and Light
	// ignored) by UTC day (see CountDays). ErrNotFound for an unknown
	// layer.
	Days(ctx context.Context, f Filter) (DayCounts, error)
	// History returns the versions of a feature recorded in the snapshot,
	// newest first; a version closed after the snapshot is current in it.
	// A deleted feature keeps its history. ErrNotFound for an unknown
	// layer or an id that never had a version.
	History(ctx context.Context, layer, id string) ([]Version, error)
	// FeatureVersion returns one version of a feature, recorded in the
	// snapshot, with its description. ErrNotFound when there is none.
	FeatureVersion(ctx context.Context, layer, id string, number int) (*Feature, Version, error)
	// Changes returns the changesets recorded in the snapshot that match
	// f, newest first.
	Changes(ctx context.Context, f ChangeFilter) ([]Changeset, error)
	// Changeset returns one changeset recorded in the snapshot and what it
	// did to each feature, by layer then id. ErrNotFound when there is
	// none.
	Changeset(ctx context.Context, id int64) (Changeset, []ChangeEntry, error)
	// Points is the light query of vector tiles for a layer of points: it
	// calls fn, in no particular order, with each feature matching f
	// (Limit, Offset and Light ignored), until fn returns an error, which
	// Points returns. It then returns a PointAttrs that gives the other
	// attributes of the features fn saw, by their PointHit.Ref, and
	// others 0. If a matching feature is not a Point, it returns others
	// above 0 instead, and may have stopped early without calling fn for
	// every Point: a caller that must draw every feature then uses
	// Search. ErrNotFound for an unknown layer.
	Points(ctx context.Context, f Filter, fn func(PointHit) error) (attrs PointAttrs, others int, err error)
}

// PointHit is one point found by Snapshot.Points.
type PointHit struct {
	Lon, Lat float64
	// MercY is MercatorY(Lat), which a store may keep computed.
	MercY float64
	// Rank orders the points as Search orders their features.
	Rank uint32
	// Distinct promises that the feature's id, and its name unless
	// empty, each occur once among the ids, non-empty names and kinds
	// of the features Points may find in the layer (the feature's own
	// included), and that neither could be the text of a valid-time
	// bound (MayBeBoundText): a vector tile need not look them up among
	// its other values. False promises nothing.
	Distinct bool
	// Ref names the feature to the PointAttrs that Points returns.
	Ref int
}

// PointAttrs sets the ID, Name, Kind, Valid and PrecisionM of the feature
// of a PointHit's Ref in f. It may be called from the goroutine that
// called Points at any time after Points returned. The strings it sets
// may share the store's memory, which lives as long as the PointAttrs:
// they may be read only while the PointAttrs is reachable (a caller that
// reads them after its last call keeps it alive with runtime.KeepAlive),
// and must be copied to be kept longer. That saves an allocation for
// every point a vector tile draws.
type PointAttrs func(ref int, f *Feature)
