package geo

import (
	"fmt"
	"time"

	"github.com/paulmach/orb"
)

// Strata keeps two time axes. Valid time (Feature.Valid) is when a thing
// was true on the ground. Record time is when Strata knew it: every write
// is a Changeset, recorded at one instant, that creates new immutable
// versions of features and closes the versions they replace. Nothing is
// updated in place or removed: a delete closes the current version.
//
// A changeset's ID is the data version it produced (Snapshot.Version), so
// the state "as known on" an instant is the Snapshot of the last
// changeset recorded at or before it (Store.SnapshotAt).

// ChangeNote says who makes a change and why: every Commit and Import
// carries one, and it becomes the author and comment of its Changeset.
type ChangeNote struct {
	// Author is the name of the token that wrote the change over HTTP,
	// or the name given to the command line ("import" by default).
	Author string
	// Comment is the writer's free text, possibly empty.
	Comment string
}

// MaxCommentLen is the longest comment, in bytes, a change may carry.
const MaxCommentLen = 4096

// Check returns ErrInvalid for an empty author or a comment that is too
// long or not valid UTF-8.
func (n ChangeNote) Check() error {
	if n.Author == "" {
		return Invalidf("author", "a change needs an author")
	}
	if err := CheckUTF8("author", n.Author); err != nil {
		return err
	}
	if len(n.Comment) > MaxCommentLen {
		return Invalidf("comment", "comment is longer than %d bytes", MaxCommentLen)
	}
	return CheckUTF8("comment", n.Comment)
}

// EditOp is what an Edit does to one feature.
type EditOp int

// Edit operations.
const (
	// OpCreate adds a feature whose id is not current in its layer (a
	// deleted id may be created again: its history goes on). ErrConflict
	// when the id is current.
	OpCreate EditOp = iota + 1
	// OpReplace writes a new version of a current feature. ErrNotFound when
	// the id is not current.
	OpReplace
	// OpDelete closes the current version of a feature. ErrNotFound when the
	// id is not current.
	OpDelete
)

// String names the operation as the API does: "create", "replace",
// "delete".
func (op EditOp) String() string {
	switch op {
	case OpCreate:
		return "create"
	case OpReplace:
		return "replace"
	case OpDelete:
		return "delete"
	}
	return "unknown"
}

// Edit is one change to one feature within a Commit.
type Edit struct {
	Op EditOp
	// Layer and ID name the feature.
	Layer, ID string
	// Feature is the new version, for OpCreate and OpReplace: its ID and Layer
	// must equal the edit's. It is checked as an import's features are
	// (CheckImport). Nil for OpDelete.
	Feature *Feature
	// IfVersion, when above 0, is the version number the writer last saw
	// (the ETag it sent in If-Match): for OpReplace and OpDelete the edit is
	// refused with a *StaleError unless the current version has that
	// number. For OpCreate it is the number of the feature's last, closed
	// version (a revert restoring a deleted feature), refused likewise if
	// another version came since. 0 means unconditional.
	IfVersion int
}

// StaleError is the error of an Edit whose IfVersion is not the current
// version of its feature: another write came first. It wraps
// ErrPrecondition.
type StaleError struct {
	Layer, ID string
	// Current is the current version number, 0 when the feature is not
	// current (deleted, or never created).
	Current int
	// Want is the edit's IfVersion.
	Want int
}

// Error names the feature and both versions.
func (e *StaleError) Error() string {
	if e.Current == 0 {
		return fmt.Sprintf("feature %q in layer %q has no current version; version %d is stale", e.ID, e.Layer, e.Want)
	}
	return fmt.Sprintf("feature %q in layer %q is at version %d, not %d", e.ID, e.Layer, e.Current, e.Want)
}

// Unwrap returns ErrPrecondition.
func (e *StaleError) Unwrap() error { return ErrPrecondition }

// Commit is a set of edits written together as one Changeset, all or
// nothing.
type Commit struct {
	Note  ChangeNote
	Edits []Edit
}

// Check checks what a Commit holds before a store reads anything: its
// note, the number of its edits, their operations, that no two edit one
// feature, and that every new version is of its edit's feature. Errors
// wrap ErrInvalid and name the edits.
func (c *Commit) Check() error {
	if err := c.Note.Check(); err != nil {
		return err
	}
	if len(c.Edits) == 0 {
		return Invalidf("edits", "a commit needs at least one edit")
	}
	if len(c.Edits) > MaxEdits {
		return Invalidf("edits", "a commit holds at most %d edits, not %d", MaxEdits, len(c.Edits))
	}
	type editKey struct{ layer, id string }
	seen := make(map[editKey]int, len(c.Edits))
	for i := range c.Edits {
		e := &c.Edits[i]
		if j, ok := seen[editKey{e.Layer, e.ID}]; ok {
			return Invalidf("edits", "edits %d and %d both change feature %q in layer %q", j, i, e.ID, e.Layer)
		}
		seen[editKey{e.Layer, e.ID}] = i
		switch e.Op {
		case OpCreate, OpReplace:
			if e.Feature == nil {
				return Invalidf("edits", "edit %d (%s of %q in layer %q) has no feature", i, e.Op, e.ID, e.Layer)
			}
			if e.Feature.ID != e.ID || e.Feature.Layer != e.Layer {
				return Invalidf("edits", "edit %d (%s of %q in layer %q) holds feature %q of layer %q", i, e.Op, e.ID, e.Layer, e.Feature.ID, e.Feature.Layer)
			}
		case OpDelete:
		default:
			return Invalidf("edits", "edit %d (feature %q in layer %q): unknown operation %d", i, e.ID, e.Layer, int(e.Op))
		}
		if e.IfVersion < 0 {
			return Invalidf("edits", "edit %d (%s of %q in layer %q): negative version %d", i, e.Op, e.ID, e.Layer, e.IfVersion)
		}
	}
	return nil
}

// MaxEdits is the most edits one Commit may hold.
const MaxEdits = 10000

// Version describes one version of a feature: its number and its record
// time.
type Version struct {
	Layer, ID string
	// Number counts a feature's versions from 1, across deletes and
	// re-creations of its id; it names the version in URLs and ETags.
	Number int
	// Changeset is the id of the changeset that wrote the version.
	Changeset int64
	// RecordedFrom is when that changeset was recorded; RecordedTo when
	// the changeset that replaced or deleted the version was (its id in
	// ClosedBy), or the zero time while the version is current (in the
	// snapshot that describes it: see Snapshot.History).
	RecordedFrom, RecordedTo time.Time
	ClosedBy                 int64
	// Author and Comment are the changeset's.
	Author, Comment string
}

// Current reports whether the version is current in the snapshot that
// described it.
func (v Version) Current() bool { return v.ClosedBy == 0 }

// Changeset is one recorded write: a Commit, an import or a revert.
type Changeset struct {
	// ID is the data version the changeset produced.
	ID      int64
	Author  string
	Comment string
	// RecordedAt is when the changeset was committed, to the microsecond
	// and in UTC. It strictly increases with ID: a store records a
	// changeset at max(now, the previous one's + 1µs).
	RecordedAt time.Time
	// Layers lists the layers it changed, sorted.
	Layers []string
	// Created, Changed and Deleted count the features it created (a new id,
	// or a deleted id created again), replaced and deleted.
	Created, Changed, Deleted int
	// BBox bounds the old and new geometries it touched; Empty when it
	// touched none.
	BBox  orb.Bound
	Empty bool
	// Written is set in what Commit returns, and only there: the number
	// of the version each edit wrote, in the order of the edits (for an
	// OpDelete, the number it closed), so that a writer can read back
	// what it wrote.
	Written []int
}

// Extend grows the changeset's bounding box by b (the first bound
// touched makes it not Empty).
func (c *Changeset) Extend(b orb.Bound) {
	if c.Empty {
		c.BBox, c.Empty = b, false
		return
	}
	c.BBox = c.BBox.Union(b)
}

// ChangeEntry is what a changeset did to one feature.
type ChangeEntry struct {
	Op        EditOp
	Layer, ID string
	// Version is the number of the version the changeset wrote (OpCreate,
	// OpReplace) or closed (OpDelete).
	Version int
	// Previous is the number of the version it replaced (OpReplace, OpDelete,
	// and OpCreate of a deleted id), 0 for a new id.
	Previous int
}

// ChangeFilter selects changesets; zero fields select all.
type ChangeFilter struct {
	// Since and Until bound RecordedAt: Since <= RecordedAt < Until.
	Since, Until time.Time
	// After selects changesets whose ID is above it (a change feed's
	// cursor).
	After int64
	// Layers keeps changesets that changed any of these layers.
	Layers []string
	// BBox keeps changesets whose BBox meets it.
	BBox *BBox
	// Limit caps how many are returned, newest first (0: no cap).
	Limit int
}

// Token is a writer's credential as stored: never the secret, only its
// hash.
type Token struct {
	// Name identifies the token and becomes the author of its writes.
	Name string
	// Hash is the SHA-256 of the secret.
	Hash []byte
	// Layers are the layers it may write; "*" alone means all.
	Layers  []string
	Created time.Time
	// Expires is when it stops working; zero for never.
	Expires time.Time
	// Revoked is when it was revoked; zero while it is not.
	Revoked time.Time
	// Unconditional lets writes made with the token omit If-Match: they
	// then apply to whatever version is current, the last write winning.
	// It is for clients that never send If-Match, such as QGIS; writes
	// that send it are checked all the same.
	Unconditional bool
}

// Valid reports whether the token works at instant now.
func (t *Token) Valid(now time.Time) bool {
	return t.Revoked.IsZero() && (t.Expires.IsZero() || now.Before(t.Expires))
}

// CanWrite reports whether the token may write layer.
func (t *Token) CanWrite(layer string) bool {
	for _, l := range t.Layers {
		if l == "*" || l == layer {
			return true
		}
	}
	return false
}

// Check returns ErrInvalid for a token that cannot be stored: a name
// that is not a valid id, a hash that is not 32 bytes, no layers, or a
// layer that is neither "*" nor a valid id.
func (t *Token) Check() error {
	if !ValidID(t.Name) {
		return Invalidf("name", "token name %q must be 1-128 letters, digits, '.', '_', '~' or '-'", t.Name)
	}
	if len(t.Hash) != 32 {
		return Invalidf("hash", "token hash must be 32 bytes (SHA-256)")
	}
	if len(t.Layers) == 0 {
		return Invalidf("layers", "token %q has no layers", t.Name)
	}
	for _, l := range t.Layers {
		if l != "*" && !ValidID(l) {
			return Invalidf("layers", "token layer %q is not a layer id or *", l)
		}
	}
	return nil
}
