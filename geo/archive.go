package geo

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
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

// ArchiveCheck checks the records of an archive, one by one in order, as
// a Store's Restore reads them, so that every engine refuses the same
// archives: the order Record describes; each layer, token and briefing
// valid and named once; changesets with increasing ids and record times
// (whole microseconds), a valid note, declared and sorted layers and
// counts that match their rows; rows valid (Feature.Validate,
// CheckStoredInterval) in a layer their changeset lists, numbered from 1
// by id, each written after its previous version was closed, closed by a
// later changeset of the archive that lists its layer, no two current in
// a layer at one Pos; a final Version not below the last changeset's id.
// Errors wrap ErrInvalid and name the record by its number (from 1) and
// what it holds. The zero value is ready to use.
type ArchiveCheck struct {
	n     int // records checked
	stage int // of the last record: see the stage constants
	// layers holds the ids of the Layer records.
	layers    map[string]bool
	lastLayer Layer  // the last Layer record, Order and ID
	lastName  string // of the last Token or Briefing
	// cs is the changeset whose rows are being read, and its tallies.
	cs                *Changeset
	written, replaced int
	lastRow           rowKey // of the changeset's last row; layer "" before the first
	// ids is the state of every (layer, id) seen in a row.
	ids map[idKey]idState
	// closes holds, by changeset id, the closures it must make.
	closes map[int64]*closures
}

// Stages of an archive, in order.
const (
	stageLayers = iota
	stageTokens
	stageBriefings
	stageChangesets
	stageDone
)

type idKey struct{ layer, id string }

// rowKey orders the rows of one changeset.
type rowKey struct {
	layer, id string
	pos       int64
}

// idState is what the check knows of a feature: its last version's
// number, Pos and the changesets that wrote and closed it (0: current).
type idState struct {
	ver      int
	pos      int64
	from, to int64
}

// closures are the rows a changeset must close: how many, and for each
// layer, one feature, to name in an error.
type closures struct {
	n      int
	layers map[string]string
}

// Check checks the next record of the archive.
func (c *ArchiveCheck) Check(r Record) error {
	c.n++
	set := 0
	for _, p := range []bool{r.Layer != nil, r.Token != nil, r.Briefing != nil, r.Changeset != nil, r.Row != nil} {
		if p {
			set++
		}
	}
	if c.stage == stageDone {
		return c.errorf("%s comes after the version record, which ends the archive", describeRecord(r))
	}
	if set > 1 || (set == 1 && r.Version != 0) {
		return c.errorf("a record holds more than one item")
	}
	switch {
	case r.Layer != nil:
		return c.layer(r.Layer)
	case r.Token != nil:
		return c.token(r.Token)
	case r.Briefing != nil:
		return c.briefing(r.Briefing)
	case r.Changeset != nil:
		return c.changeset(r.Changeset)
	case r.Row != nil:
		return c.row(r.Row)
	}
	return c.version(r.Version)
}

// Done checks the end of the archive, after its last record.
func (c *ArchiveCheck) Done() error {
	if c.stage != stageDone {
		return Invalidf("archive", "the archive ends after %d records without its version record: it is incomplete", c.n)
	}
	for to, cl := range c.closes {
		for l, id := range cl.layers {
			return Invalidf("archive", "feature %q in layer %q is closed by changeset %d, which the archive does not hold", id, l, to)
		}
	}
	// Two current versions at one Pos would leave the stable order
	// undecided.
	at := map[Row]string{}
	for k, st := range c.ids {
		if st.to != 0 {
			continue
		}
		p := Row{Layer: k.layer, Pos: st.pos}
		if other, dup := at[p]; dup {
			return Invalidf("archive", "features %q and %q of layer %q are both current at pos %d", min(other, k.id), max(other, k.id), k.layer, st.pos)
		}
		at[p] = k.id
	}
	return nil
}

// errorf returns an ErrInvalid error naming the current record.
func (c *ArchiveCheck) errorf(format string, args ...any) error {
	return Invalidf("archive", "archive record %d: %s", c.n, fmt.Sprintf(format, args...))
}

// describeRecord names what a record holds, for errors.
func describeRecord(r Record) string {
	switch {
	case r.Layer != nil:
		return fmt.Sprintf("layer %q", r.Layer.ID)
	case r.Token != nil:
		return fmt.Sprintf("token %q", r.Token.Name)
	case r.Briefing != nil:
		return fmt.Sprintf("briefing %q", r.Briefing.ID)
	case r.Changeset != nil:
		return fmt.Sprintf("changeset %d", r.Changeset.ID)
	case r.Row != nil && r.Row.Feature != nil:
		return fmt.Sprintf("version %d of feature %q in layer %q", r.Row.Feature.Version, r.Row.Feature.ID, r.Row.Layer)
	case r.Row != nil:
		return fmt.Sprintf("a row of layer %q", r.Row.Layer)
	}
	return fmt.Sprintf("version %d", r.Version)
}

// enter moves the check to stage s, which must not be before the current
// one.
func (c *ArchiveCheck) enter(s int, what string) error {
	if s < c.stage {
		return c.errorf("%s comes too late: an archive holds layers, then tokens, then briefings, then changesets with their rows", what)
	}
	c.stage = s
	return nil
}

func (c *ArchiveCheck) layer(l *Layer) error {
	what := fmt.Sprintf("layer %q", l.ID)
	if err := c.enter(stageLayers, what); err != nil {
		return err
	}
	if err := l.Validate(); err != nil {
		return c.errorf("%s: %v", what, err)
	}
	if c.layers[l.ID] {
		return c.errorf("%s appears twice", what)
	}
	if p := c.lastLayer; len(c.layers) > 0 && (p.Order > l.Order || (p.Order == l.Order && p.ID > l.ID)) {
		return c.errorf("%s comes after layer %q: layers are sorted by order, then id", what, p.ID)
	}
	if c.layers == nil {
		c.layers = map[string]bool{}
	}
	c.layers[l.ID], c.lastLayer = true, Layer{ID: l.ID, Order: l.Order}
	return nil
}

func (c *ArchiveCheck) token(t *Token) error {
	what := fmt.Sprintf("token %q", t.Name)
	if c.stage < stageTokens {
		c.lastName = ""
	}
	if err := c.enter(stageTokens, what); err != nil {
		return err
	}
	if err := t.Check(); err != nil {
		return c.errorf("%s: %v", what, err)
	}
	if t.Name <= c.lastName {
		return c.errorf("%s comes after token %q: tokens are sorted by name, each once", what, c.lastName)
	}
	c.lastName = t.Name
	return nil
}

func (c *ArchiveCheck) briefing(b *Briefing) error {
	what := fmt.Sprintf("briefing %q", b.ID)
	if c.stage < stageBriefings {
		c.lastName = ""
	}
	if err := c.enter(stageBriefings, what); err != nil {
		return err
	}
	if err := b.Validate(); err != nil {
		return c.errorf("%s: %v", what, err)
	}
	if b.ID <= c.lastName {
		return c.errorf("%s comes after briefing %q: briefings are sorted by id, each once", what, c.lastName)
	}
	c.lastName = b.ID
	return nil
}

func (c *ArchiveCheck) changeset(cs *Changeset) error {
	what := fmt.Sprintf("changeset %d", cs.ID)
	if err := c.enter(stageChangesets, what); err != nil {
		return err
	}
	if err := c.endChangeset(); err != nil {
		return err
	}
	prev := c.cs
	switch {
	case cs.ID < 1:
		return c.errorf("%s: a changeset id is positive", what)
	case prev != nil && cs.ID <= prev.ID:
		return c.errorf("%s comes after changeset %d: changesets are sorted by id, each once", what, prev.ID)
	case cs.RecordedAt.IsZero() || cs.RecordedAt.Nanosecond()%1000 != 0:
		return c.errorf("%s: recorded_at %v is not a whole microsecond", what, cs.RecordedAt)
	case prev != nil && !cs.RecordedAt.After(prev.RecordedAt):
		return c.errorf("%s is recorded at %v, not after changeset %d (%v)", what, cs.RecordedAt, prev.ID, prev.RecordedAt)
	case cs.Written != nil:
		return c.errorf("%s carries Written, which only Commit returns", what)
	case cs.Created < 0 || cs.Changed < 0 || cs.Deleted < 0:
		return c.errorf("%s: negative counts", what)
	case !cs.Empty && !(cs.BBox.Min[0] <= cs.BBox.Max[0] && cs.BBox.Min[1] <= cs.BBox.Max[1]):
		return c.errorf("%s: its bounding box is not a box", what)
	}
	if err := (ChangeNote{Author: cs.Author, Comment: cs.Comment}).Check(); err != nil {
		return c.errorf("%s: %v", what, err)
	}
	for i, l := range cs.Layers {
		if !c.layers[l] {
			return c.errorf("%s changed layer %q, which the archive does not hold", what, l)
		}
		if i > 0 && cs.Layers[i-1] >= l {
			return c.errorf("%s: its layers are not sorted, each once", what)
		}
	}
	if cl := c.closes[cs.ID]; cl != nil {
		for l, id := range cl.layers {
			if !slices.Contains(cs.Layers, l) {
				return c.errorf("%s closes feature %q of layer %q but does not list the layer", what, id, l)
			}
		}
	}
	keep := *cs // the caller may reuse cs
	c.cs, c.written, c.replaced, c.lastRow = &keep, 0, 0, rowKey{}
	return nil
}

// endChangeset checks the counts of the changeset whose rows were read
// against those rows and the rows it closed.
func (c *ArchiveCheck) endChangeset() error {
	cs := c.cs
	if cs == nil {
		return nil
	}
	closed := 0
	if cl := c.closes[cs.ID]; cl != nil {
		closed = cl.n
		delete(c.closes, cs.ID)
	}
	created, changed, deleted := c.written-c.replaced, c.replaced, closed-c.replaced
	if cs.Created != created || cs.Changed != changed || cs.Deleted != deleted {
		return Invalidf("archive", "changeset %d counts %d created, %d changed, %d deleted, but its rows make %d, %d, %d",
			cs.ID, cs.Created, cs.Changed, cs.Deleted, created, changed, deleted)
	}
	return nil
}

func (c *ArchiveCheck) row(r *Row) error {
	f := r.Feature
	if f == nil {
		return c.errorf("a row of layer %q has no feature", r.Layer)
	}
	what := fmt.Sprintf("version %d of feature %q in layer %q", f.Version, f.ID, r.Layer)
	cs := c.cs
	switch {
	case c.stage != stageChangesets || cs == nil:
		return c.errorf("%s comes before any changeset: a row follows the changeset that wrote it", what)
	case r.From != cs.ID:
		return c.errorf("%s, written by changeset %d, follows changeset %d", what, r.From, cs.ID)
	case f.Layer != r.Layer:
		return c.errorf("%s: its feature is of layer %q", what, f.Layer)
	case !slices.Contains(cs.Layers, r.Layer):
		return c.errorf("%s: changeset %d does not list layer %q", what, cs.ID, r.Layer)
	case r.To != 0 && r.To <= r.From:
		return c.errorf("%s is closed by changeset %d, not after the one that wrote it", what, r.To)
	case f.JSON != nil:
		return c.errorf("%s carries encoded JSON", what)
	}
	if err := f.Validate(); err != nil {
		return c.errorf("%s: %v", what, err)
	}
	if err := CheckStoredInterval(f.Valid); err != nil {
		return c.errorf("%s: %v", what, err)
	}
	if p := c.lastRow; p.layer != "" {
		if cmp.Or(strings.Compare(p.layer, r.Layer), cmp.Compare(p.pos, r.Pos), strings.Compare(p.id, f.ID)) >= 0 {
			return c.errorf("%s (pos %d) comes after feature %q of layer %q (pos %d): a changeset's rows are sorted by layer, pos and id, each once",
				what, r.Pos, p.id, p.layer, p.pos)
		}
	}
	k := idKey{r.Layer, f.ID}
	st := c.ids[k]
	switch {
	case f.Version != st.ver+1:
		return c.errorf("%s: the version after %d must be numbered %d", what, st.ver, st.ver+1)
	case st.ver > 0 && st.to == 0:
		return c.errorf("%s: version %d, written by changeset %d, is never closed", what, st.ver, st.from)
	case st.ver > 0 && st.to > r.From:
		return c.errorf("%s: version %d is closed by changeset %d, after this one", what, st.ver, st.to)
	}
	if st.ver > 0 && st.to == r.From {
		c.replaced++
	}
	c.written++
	if r.To != 0 {
		if c.closes == nil {
			c.closes = map[int64]*closures{}
		}
		cl := c.closes[r.To]
		if cl == nil {
			cl = &closures{layers: map[string]string{}}
			c.closes[r.To] = cl
		}
		cl.n++
		cl.layers[r.Layer] = f.ID
	}
	if c.ids == nil {
		c.ids = map[idKey]idState{}
	}
	c.ids[k] = idState{ver: f.Version, pos: r.Pos, from: r.From, to: r.To}
	c.lastRow = rowKey{layer: r.Layer, id: f.ID, pos: r.Pos}
	return nil
}

func (c *ArchiveCheck) version(v int64) error {
	if err := c.endChangeset(); err != nil {
		return err
	}
	switch {
	case v < 0:
		return c.errorf("version %d is negative", v)
	case c.cs != nil && v < c.cs.ID:
		return c.errorf("version %d is below the last changeset's id %d", v, c.cs.ID)
	}
	c.stage = stageDone
	return nil
}

// CheckedArchive passes the records of seq through, checked by an
// ArchiveCheck: at the first invalid record, or at the end of an archive
// that fails Done, it yields that error (wrapping ErrInvalid) and stops;
// an error of seq is passed on as it is. A Restore that writes what it
// yields, and commits when it ends without an error, stores a valid
// archive whole or nothing.
func CheckedArchive(seq iter.Seq2[Record, error]) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		var c ArchiveCheck
		for r, err := range seq {
			if err == nil {
				err = c.Check(r)
			}
			if err != nil {
				yield(Record{}, err)
				return
			}
			if !yield(r, nil) {
				return
			}
		}
		if err := c.Done(); err != nil {
			yield(Record{}, err)
		}
	}
}
