package memory

import (
	"cmp"
	"context"
	"maps"
	"math"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"strata/geo"
)

// write is one change to one feature, checked, about to be applied.
type write struct {
	layer, id string
	op        geo.EditOp
	f         *geo.Feature // the new version (the caller's: apply copies it); nil for OpDelete
	old       *fver        // the current version it replaces or closes; nil for OpCreate
	last      int          // the number of the feature's last version, 0 for none
}

// currentAt returns the version of id current at data version v, or nil,
// and the number of the last version recorded by v (0 for none). hl may
// be nil. The caller holds hmu, or is the writer.
func (hl *hlayer) currentAt(id string, v int64) (*fver, int) {
	if hl == nil {
		return nil, 0
	}
	ch := hl.chains[id]
	for i := len(ch) - 1; i >= 0; i-- {
		if ch[i].rec.cs.ID <= v {
			if ch[i].openAt(v) {
				return ch[i], i + 1
			}
			return nil, i + 1
		}
	}
	return nil, 0
}

// current is currentAt the newest version. The caller is the writer.
func (hl *hlayer) current(id string) (*fver, int) { return hl.currentAt(id, math.MaxInt64) }

// recordTime returns the RecordedAt of a new changeset: now, in UTC to
// the microsecond, but at least 1µs after the last one. The caller holds
// s.mu.
func (s *Store) recordTime() time.Time {
	at := time.Now().UTC().Truncate(time.Microsecond)
	if !at.After(s.lastAt) {
		at = s.lastAt.Add(time.Microsecond)
	}
	return at
}

// apply writes writes as one changeset and publishes the new state: the
// views of the layers touched are built anew, the others shared. created
// is the metadata of a layer the changeset creates (nil for none); listed
// names layers the changeset lists even if no feature of theirs changes
// (an import's). A layer in reorder (a Replace import) takes the order of
// its writes; elsewhere a replaced feature keeps its place and a created
// one goes last. Nothing is changed if building a view fails. The caller
// holds s.mu and has checked every write.
func (s *Store) apply(note geo.ChangeNote, created *geo.Layer, listed []string, writes []write, reorder map[string]bool) (geo.Changeset, error) {
	cur := s.cur.Load()
	rec := &record{cs: geo.Changeset{ID: cur.version + 1, Author: note.Author, Comment: note.Comment, RecordedAt: s.recordTime(), Empty: true}}
	grow := func(b orb.Bound) {
		if rec.cs.Empty {
			rec.cs.BBox, rec.cs.Empty = b, false
		} else {
			rec.cs.BBox = rec.cs.BBox.Union(b)
		}
	}
	touched := map[string]bool{}
	for _, l := range listed {
		touched[l] = true
	}
	written := make([]*fver, len(writes)) // the new version of each write; nil for a delete
	numbers := make([]int, len(writes))   // see geo.Changeset.Written
	for i, w := range writes {
		touched[w.layer] = true
		e := geo.ChangeEntry{Op: w.op, Layer: w.layer, ID: w.id}
		if w.old != nil {
			grow(w.old.f.Geometry.Bound())
			e.Previous = w.old.f.Version
		}
		switch w.op {
		case geo.OpDelete:
			e.Version = w.old.f.Version
			rec.cs.Deleted++
		default:
			f := deepCopy(w.f, w.layer)
			f.Version = w.last + 1
			e.Version = f.Version
			if w.op == geo.OpCreate {
				e.Previous = w.last
				rec.cs.Created++
			} else {
				rec.cs.Changed++
			}
			written[i] = &fver{f: f, rec: rec}
			grow(f.Geometry.Bound())
		}
		numbers[i] = e.Version
		rec.entries = append(rec.entries, e)
	}
	slices.SortFunc(rec.entries, func(a, b geo.ChangeEntry) int {
		return cmp.Or(cmp.Compare(a.Layer, b.Layer), cmp.Compare(a.ID, b.ID))
	})
	rec.cs.Layers = slices.Sorted(maps.Keys(touched))

	// The new views, and the next free place in each layer's order.
	changed := map[string]*layer{}
	nextKey := map[string]int64{}
	for _, id := range rec.cs.Layers {
		var (
			meta geo.Layer
			old  []*fver
		)
		if l := cur.layers[id]; l != nil {
			meta, old = l.meta, l.v.rows
		} else {
			meta = *created
		}
		next := int64(0)
		if hl := s.hist.layers[id]; hl != nil {
			next = hl.nextKey
		}
		var rows []*fver
		// The old index still serves when every write to the layer
		// replaces a feature within the same bounds and valid time: it
		// holds only those, by position, and positions do not change.
		sameIndex := !reorder[id] && cur.layers[id] != nil
		if !reorder[id] {
			repl := map[*fver]*fver{}
			for i, w := range writes {
				if w.layer == id && w.old != nil {
					repl[w.old] = written[i]
				}
				if w.layer == id {
					sameIndex = sameIndex && w.op == geo.OpReplace && w.old.f.Valid == written[i].f.Valid &&
						w.old.f.Geometry.Bound() == written[i].f.Geometry.Bound()
				}
			}
			rows = make([]*fver, 0, len(old)+len(writes))
			for _, fv := range old {
				nv, ok := repl[fv]
				if !ok {
					rows = append(rows, fv)
				} else if nv != nil {
					nv.key = fv.key
					rows = append(rows, nv)
				}
			}
		}
		for i, w := range writes {
			if w.layer == id && written[i] != nil && (reorder[id] || w.old == nil) {
				written[i].key = next
				next++
				rows = append(rows, written[i])
			}
		}
		var v *view
		if sameIndex {
			old := cur.layers[id].v
			v = &view{rows: rows, ix: old.ix, extent: old.extent, since: rec.cs.ID}
		} else {
			var err error
			if v, err = newView(rows, rec.cs.ID); err != nil {
				return geo.Changeset{}, err
			}
		}
		changed[id] = &layer{meta: meta, v: v}
		nextKey[id] = next
	}
	st := s.next(changed)

	s.hmu.Lock()
	s.hist.changesets = append(s.hist.changesets, rec)
	for i, w := range writes {
		hl := s.hist.layers[w.layer]
		if hl == nil {
			hl = &hlayer{chains: map[string][]*fver{}}
			s.hist.layers[w.layer] = hl
		}
		if w.old != nil {
			w.old.closed = rec
		}
		if nv := written[i]; nv != nil {
			hl.all = append(hl.all, nv)
			hl.chains[w.id] = append(hl.chains[w.id], nv)
		}
	}
	for id, next := range nextKey {
		if hl := s.hist.layers[id]; hl != nil {
			hl.nextKey = next
		}
	}
	s.cur.Store(st)
	s.hmu.Unlock()
	s.lastAt = rec.cs.RecordedAt
	out := copyChangeset(rec.cs)
	out.Written = numbers
	return out, nil
}

// Commit writes the edits of c as one changeset, all or nothing: every
// edit is checked against the current state before anything is written.
func (s *Store) Commit(ctx context.Context, c geo.Commit) (geo.Changeset, error) {
	if err := ctx.Err(); err != nil {
		return geo.Changeset{}, err
	}
	if err := c.Note.Check(); err != nil {
		return geo.Changeset{}, err
	}
	switch {
	case len(c.Edits) == 0:
		return geo.Changeset{}, geo.Invalidf("edits", "a commit needs at least one edit")
	case len(c.Edits) > geo.MaxEdits:
		return geo.Changeset{}, geo.Invalidf("edits", "a commit holds at most %d edits, not %d", geo.MaxEdits, len(c.Edits))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.cur.Load()
	seen := make(map[[2]string]bool, len(c.Edits))
	writes := make([]write, 0, len(c.Edits))
	for _, e := range c.Edits {
		w, err := s.check(cur, e, seen)
		if err != nil {
			return geo.Changeset{}, err
		}
		writes = append(writes, w)
	}
	return s.apply(c.Note, nil, nil, writes, nil)
}

// check returns the write of edit e against state cur, or the error that
// refuses it. seen holds the features edited before e in its commit. The
// caller holds s.mu.
func (s *Store) check(cur *state, e geo.Edit, seen map[[2]string]bool) (write, error) {
	l, ok := cur.layers[e.Layer]
	if !ok {
		return write{}, geo.NotFoundf("layer %q of feature %q does not exist", e.Layer, e.ID)
	}
	k := [2]string{e.Layer, e.ID}
	if seen[k] {
		return write{}, geo.Invalidf("edits", "feature %q in layer %q is edited twice in one commit", e.ID, e.Layer)
	}
	seen[k] = true
	switch e.Op {
	case geo.OpCreate, geo.OpReplace:
		if e.Feature == nil {
			return write{}, geo.Invalidf("feature", "the %s of feature %q in layer %q carries no feature", e.Op, e.ID, e.Layer)
		}
		if e.Feature.ID != e.ID || e.Feature.Layer != e.Layer {
			return write{}, geo.Invalidf("feature", "the %s of feature %q in layer %q carries feature %q of layer %q", e.Op, e.ID, e.Layer, e.Feature.ID, e.Feature.Layer)
		}
		if err := geo.CheckImport(&l.meta, e.Feature); err != nil {
			return write{}, err
		}
	case geo.OpDelete:
		if e.Feature != nil {
			return write{}, geo.Invalidf("feature", "the delete of feature %q in layer %q carries a feature", e.ID, e.Layer)
		}
	default:
		return write{}, geo.Invalidf("op", "the edit of feature %q in layer %q has an unknown operation %d", e.ID, e.Layer, int(e.Op))
	}
	w := write{layer: e.Layer, id: e.ID, op: e.Op, f: e.Feature}
	w.old, w.last = s.hist.layers[e.Layer].current(e.ID)
	stale := func() error {
		se := &geo.StaleError{Layer: e.Layer, ID: e.ID, Want: e.IfVersion}
		if w.old != nil {
			se.Current = w.old.f.Version
		}
		return se
	}
	switch {
	case e.Op == geo.OpCreate && e.IfVersion > 0:
		if w.old != nil || w.last != e.IfVersion {
			return write{}, stale()
		}
	case e.Op == geo.OpCreate:
		if w.old != nil {
			return write{}, geo.Conflictf("feature %q already exists in layer %q", e.ID, e.Layer)
		}
	case e.IfVersion > 0 && (w.old == nil || w.old.f.Version != e.IfVersion):
		return write{}, stale()
	case w.old == nil:
		return write{}, geo.NotFoundf("feature %q does not exist in layer %q", e.ID, e.Layer)
	}
	return w, nil
}

// SnapshotAt returns the state of the last changeset recorded at or
// before t, with today's layers: a layer unchanged since shares today's
// features; the others are built from the history when first read.
func (s *Store) SnapshotAt(ctx context.Context, t time.Time) (geo.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.hmu.RLock()
	cur := s.cur.Load()
	cs := s.hist.changesets
	i := sort.Search(len(cs), func(i int) bool { return cs[i].cs.RecordedAt.After(t) })
	s.hmu.RUnlock()
	v := int64(0)
	if i > 0 {
		v = cs[i-1].cs.ID
	}
	if v == cur.version {
		return cur, nil
	}
	st := &state{s: s, version: v, list: cur.list, layers: make(map[string]*layer, len(cur.layers))}
	for id, l := range cur.layers {
		nl := &layer{meta: l.meta}
		if l.v.since <= v {
			nl.v = l.v
		} else {
			nl.build = func() (*view, error) { return s.pastView(id, v) }
		}
		st.layers[id] = nl
	}
	return st, nil
}

// pastView returns the view of layer id at version v, from the cache or
// built from the history.
func (s *Store) pastView(id string, v int64) (*view, error) {
	if vw := s.views.get(id, v); vw != nil {
		return vw, nil
	}
	var rows []*fver
	s.hmu.RLock()
	if hl := s.hist.layers[id]; hl != nil {
		for _, fv := range hl.all {
			if fv.openAt(v) {
				rows = append(rows, fv)
			}
		}
	}
	s.hmu.RUnlock()
	slices.SortFunc(rows, func(a, b *fver) int { return cmp.Compare(a.key, b.key) })
	vw, err := newView(rows, v)
	if err != nil {
		return nil, err
	}
	s.views.put(id, v, vw)
	return vw, nil
}

// viewCache keeps the last past views built, so that repeated requests
// for one instant do not rebuild them.
type viewCache struct {
	mu    sync.Mutex
	views map[viewKey]*view
	order []viewKey // oldest first
}

type viewKey struct {
	layer   string
	version int64
}

// maxCachedViews bounds the past views kept.
const maxCachedViews = 32

func (c *viewCache) get(layer string, v int64) *view {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.views[viewKey{layer, v}]
}

func (c *viewCache) put(layer string, v int64, vw *view) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := viewKey{layer, v}
	if _, ok := c.views[k]; ok {
		return
	}
	if c.views == nil {
		c.views = map[viewKey]*view{}
	}
	if len(c.order) == maxCachedViews {
		delete(c.views, c.order[0])
		c.order = c.order[1:]
	}
	c.views[k] = vw
	c.order = append(c.order, k)
}

// PutToken stores a copy of t.
func (s *Store) PutToken(ctx context.Context, t geo.Token) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := t.Check(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tokens[t.Name]; ok {
		return geo.Conflictf("a token named %q exists already", t.Name)
	}
	s.tokens[t.Name] = copyToken(t)
	return nil
}

func copyToken(t geo.Token) geo.Token {
	t.Hash, t.Layers = slices.Clone(t.Hash), slices.Clone(t.Layers)
	return t
}

// Tokens returns copies of every token, by name.
func (s *Store) Tokens(ctx context.Context) ([]geo.Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]geo.Token, 0, len(s.tokens))
	for _, name := range slices.Sorted(maps.Keys(s.tokens)) {
		out = append(out, copyToken(s.tokens[name]))
	}
	return out, nil
}

// RevokeToken marks a token revoked at instant at, unless it was already.
func (s *Store) RevokeToken(ctx context.Context, name string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[name]
	if !ok {
		return geo.NotFoundf("no token is named %q", name)
	}
	if t.Revoked.IsZero() {
		t.Revoked = at
		s.tokens[name] = t
	}
	return nil
}

// describe returns the description of fv as the state sees it: a version
// closed after the state is current in it. The caller holds hmu.
func (st *state) describe(fv *fver) geo.Version {
	v := geo.Version{Layer: fv.f.Layer, ID: fv.f.ID, Number: fv.f.Version, Changeset: fv.rec.cs.ID,
		RecordedFrom: fv.rec.cs.RecordedAt, Author: fv.rec.cs.Author, Comment: fv.rec.cs.Comment}
	if fv.closed != nil && fv.closed.cs.ID <= st.version {
		v.RecordedTo, v.ClosedBy = fv.closed.cs.RecordedAt, fv.closed.cs.ID
	}
	return v
}

// History returns the versions of a feature recorded by the state,
// newest first.
func (st *state) History(ctx context.Context, layerID, id string) ([]geo.Version, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if _, err := st.Layer(layerID); err != nil {
		return nil, err
	}
	st.s.hmu.RLock()
	defer st.s.hmu.RUnlock()
	var out []geo.Version
	if hl := st.s.hist.layers[layerID]; hl != nil {
		ch := hl.chains[id]
		for i := len(ch) - 1; i >= 0; i-- {
			if ch[i].rec.cs.ID <= st.version {
				out = append(out, st.describe(ch[i]))
			}
		}
	}
	if len(out) == 0 {
		return nil, geo.NotFoundf("feature %q has no version in layer %q", id, layerID)
	}
	return out, nil
}

// FeatureVersion returns a copy of one version of a feature, recorded by
// the state, and its description.
func (st *state) FeatureVersion(ctx context.Context, layerID, id string, number int) (*geo.Feature, geo.Version, error) {
	if err := ctx.Err(); err != nil {
		return nil, geo.Version{}, err
	}
	if _, err := st.Layer(layerID); err != nil {
		return nil, geo.Version{}, err
	}
	st.s.hmu.RLock()
	defer st.s.hmu.RUnlock()
	if hl := st.s.hist.layers[layerID]; hl != nil {
		if ch := hl.chains[id]; number >= 1 && number <= len(ch) && ch[number-1].rec.cs.ID <= st.version {
			fv := ch[number-1]
			f := deepCopy(&fv.f, layerID)
			return &f, st.describe(fv), nil
		}
	}
	return nil, geo.Version{}, geo.NotFoundf("feature %q in layer %q has no version %d", id, layerID, number)
}

// recorded returns the changesets recorded by the state, oldest first.
// The caller holds hmu.
func (st *state) recorded() []*record {
	cs := st.s.hist.changesets
	return cs[:sort.Search(len(cs), func(i int) bool { return cs[i].cs.ID > st.version })]
}

// Changes returns copies of the changesets recorded by the state that
// match f, newest first.
func (st *state) Changes(ctx context.Context, f geo.ChangeFilter) ([]geo.Changeset, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st.s.hmu.RLock()
	defer st.s.hmu.RUnlock()
	rs := st.recorded()
	var out []geo.Changeset
	for i := len(rs) - 1; i >= 0 && (f.Limit <= 0 || len(out) < f.Limit); i-- {
		c := &rs[i].cs
		if c.ID <= f.After {
			break
		}
		switch {
		case !f.Until.IsZero() && !c.RecordedAt.Before(f.Until),
			!f.Since.IsZero() && c.RecordedAt.Before(f.Since),
			len(f.Layers) > 0 && !slices.ContainsFunc(c.Layers, func(l string) bool { return slices.Contains(f.Layers, l) }),
			f.BBox != nil && (c.Empty || !f.BBox.Intersects(c.BBox)):
			continue
		}
		out = append(out, copyChangeset(*c))
	}
	return out, nil
}

func copyChangeset(c geo.Changeset) geo.Changeset {
	c.Layers = slices.Clone(c.Layers)
	return c
}

// Changeset returns a copy of one changeset recorded by the state, and
// its entries.
func (st *state) Changeset(ctx context.Context, id int64) (geo.Changeset, []geo.ChangeEntry, error) {
	if err := ctx.Err(); err != nil {
		return geo.Changeset{}, nil, err
	}
	st.s.hmu.RLock()
	defer st.s.hmu.RUnlock()
	rs := st.recorded()
	i := sort.Search(len(rs), func(i int) bool { return rs[i].cs.ID >= id })
	if i == len(rs) || rs[i].cs.ID != id {
		return geo.Changeset{}, nil, geo.NotFoundf("changeset %d does not exist", id)
	}
	return copyChangeset(rs[i].cs), slices.Clone(rs[i].entries), nil
}

// reset forgets every view.
func (c *viewCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.views, c.order = nil, nil
}
