package memory

import (
	"cmp"
	"context"
	"encoding/json"
	"iter"
	"maps"
	"slices"
	"strings"

	"strata/geo"
)

var _ geo.Archiver = (*Store)(nil)

// archivedRow is one version as Export gives it.
type archivedRow struct {
	fv       *fver
	from, to int64
}

// Export calls fn with the records of the store's archive (geo.Archiver)
// as of the current state: what a write commits meanwhile is left out.
func (s *Store) Export(ctx context.Context, fn func(geo.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// Writers hold mu: the state, tokens and briefings read under it are
	// of one version.
	s.mu.Lock()
	cur := s.cur.Load()
	tokens := make([]geo.Token, 0, len(s.tokens))
	for _, name := range slices.Sorted(maps.Keys(s.tokens)) {
		tokens = append(tokens, copyToken(s.tokens[name]))
	}
	briefings := *s.briefings.Load()
	s.mu.Unlock()

	v := cur.version
	s.hmu.RLock()
	changesets := cur.recorded()
	var rows []archivedRow
	for _, hl := range s.hist.layers {
		for _, fv := range hl.all {
			if fv.rec.cs.ID > v {
				continue
			}
			r := archivedRow{fv: fv, from: fv.rec.cs.ID}
			if fv.closed != nil && fv.closed.cs.ID <= v {
				r.to = fv.closed.cs.ID
			}
			rows = append(rows, r)
		}
	}
	s.hmu.RUnlock()
	slices.SortFunc(rows, func(a, b archivedRow) int {
		return cmp.Or(cmp.Compare(a.from, b.from), strings.Compare(a.fv.f.Layer, b.fv.f.Layer),
			cmp.Compare(a.fv.key, b.fv.key), strings.Compare(a.fv.f.ID, b.fv.f.ID))
	})

	for _, l := range cur.list {
		if err := fn(geo.Record{Layer: &l}); err != nil {
			return err
		}
	}
	for i := range tokens {
		if err := fn(geo.Record{Token: &tokens[i]}); err != nil {
			return err
		}
	}
	for _, id := range slices.Sorted(maps.Keys(briefings)) {
		b, err := decodeBriefing(id, briefings[id])
		if err != nil {
			return err
		}
		if err := fn(geo.Record{Briefing: &b}); err != nil {
			return err
		}
	}
	for _, rec := range changesets {
		if err := ctx.Err(); err != nil {
			return err
		}
		cs := copyChangeset(rec.cs)
		if err := fn(geo.Record{Changeset: &cs}); err != nil {
			return err
		}
		for len(rows) > 0 && rows[0].from == cs.ID {
			r := rows[0]
			rows = rows[1:]
			f := deepCopy(&r.fv.f, r.fv.f.Layer)
			if err := fn(geo.Record{Row: &geo.Row{Layer: f.Layer, Pos: r.fv.key, From: r.from, To: r.to, Feature: &f}}); err != nil {
				return err
			}
		}
	}
	return fn(geo.Record{Version: v})
}

// Restore writes the archive seq into the store, which must be empty
// (geo.Archiver). The records are checked (geo.ArchiveCheck) and the whole
// state built aside; it is published only once the archive has ended
// well, so that nothing is stored otherwise.
func (s *Store) Restore(ctx context.Context, seq iter.Seq2[geo.Record, error]) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkEmpty(); err != nil {
		return err
	}
	var (
		metas     []geo.Layer
		tokens    = map[string]geo.Token{}
		briefings = map[string][]byte{}
		hist      = history{layers: map[string]*hlayer{}}
		byID      = map[int64]*record{}
		closeBy   = map[*fver]int64{}
		since     = map[string]int64{} // the last changeset listing each layer
		version   int64
	)
	for r, err := range geo.CheckedArchive(seq) {
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			return err
		}
		switch {
		case r.Layer != nil:
			metas = append(metas, *r.Layer)
		case r.Token != nil:
			t := copyToken(*r.Token)
			t.Created, t.Expires, t.Revoked = t.Created.UTC(), t.Expires.UTC(), t.Revoked.UTC()
			tokens[t.Name] = t
		case r.Briefing != nil:
			body, err := json.Marshal(*r.Briefing)
			if err != nil {
				return err
			}
			briefings[r.Briefing.ID] = body
		case r.Changeset != nil:
			cs := copyChangeset(*r.Changeset)
			cs.RecordedAt = cs.RecordedAt.UTC()
			rec := &record{cs: cs}
			hist.changesets = append(hist.changesets, rec)
			byID[cs.ID] = rec
			for _, l := range cs.Layers {
				since[l] = cs.ID
			}
		case r.Row != nil:
			rec := hist.changesets[len(hist.changesets)-1]
			hl := hist.layers[r.Row.Layer]
			if hl == nil {
				hl = &hlayer{chains: map[string][]*fver{}}
				hist.layers[r.Row.Layer] = hl
			}
			f := deepCopy(r.Row.Feature, r.Row.Layer)
			fv := &fver{f: f, rec: rec, key: r.Row.Pos}
			e := geo.ChangeEntry{Op: geo.OpCreate, Layer: f.Layer, ID: f.ID, Version: f.Version, Previous: f.Version - 1}
			if ch := hl.chains[f.ID]; len(ch) > 0 && closeBy[ch[len(ch)-1]] == rec.cs.ID {
				e.Op = geo.OpReplace
			}
			rec.entries = append(rec.entries, e)
			hl.all = append(hl.all, fv)
			hl.chains[f.ID] = append(hl.chains[f.ID], fv)
			hl.nextKey = max(hl.nextKey, fv.key+1)
			if r.Row.To != 0 {
				closeBy[fv] = r.Row.To
			}
		default:
			version = r.Version
		}
	}
	// Closures, and the deletes among them: a closed version whose id
	// the closing changeset did not write again.
	for fv, to := range closeBy {
		fv.closed = byID[to]
		ch := hist.layers[fv.f.Layer].chains[fv.f.ID]
		if n := fv.f.Version; n == len(ch) || ch[n].rec != fv.closed {
			fv.closed.entries = append(fv.closed.entries, geo.ChangeEntry{Op: geo.OpDelete, Layer: fv.f.Layer, ID: fv.f.ID, Version: n, Previous: n})
		}
	}
	for _, rec := range hist.changesets {
		slices.SortFunc(rec.entries, func(a, b geo.ChangeEntry) int {
			return cmp.Or(strings.Compare(a.Layer, b.Layer), strings.Compare(a.ID, b.ID))
		})
	}
	st := &state{s: s, version: version, list: metas, layers: make(map[string]*layer, len(metas))}
	for _, m := range metas {
		var rows []*fver
		if hl := hist.layers[m.ID]; hl != nil {
			for _, fv := range hl.all {
				if fv.closed == nil {
					rows = append(rows, fv)
				}
			}
		}
		slices.SortFunc(rows, func(a, b *fver) int { return cmp.Compare(a.key, b.key) })
		v, err := newView(rows, since[m.ID])
		if err != nil {
			return err
		}
		st.layers[m.ID] = &layer{meta: m, v: v}
	}
	s.hmu.Lock()
	s.hist = hist
	s.tokens = tokens
	s.briefings.Store(&briefings)
	s.views.reset()
	s.cur.Store(st)
	s.hmu.Unlock()
	if n := len(hist.changesets); n > 0 {
		s.lastAt = hist.changesets[n-1].cs.RecordedAt
	}
	return nil
}

// checkEmpty returns ErrConflict unless the store holds no layer,
// changeset, token or briefing. The caller holds s.mu.
func (s *Store) checkEmpty() error {
	cur := s.cur.Load()
	s.hmu.RLock()
	n := len(s.hist.changesets)
	s.hmu.RUnlock()
	if len(cur.layers) > 0 || n > 0 || len(s.tokens) > 0 || len(*s.briefings.Load()) > 0 {
		return geo.Conflictf("the store is not empty (%d layers, %d changesets, %d tokens, %d briefings): an archive is restored only into an empty store",
			len(cur.layers), n, len(s.tokens), len(*s.briefings.Load()))
	}
	return nil
}
