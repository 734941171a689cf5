package postgis

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"strata/geo"
	"strata/geo/geojson"
	"strata/internal/spacetime"
)

// write runs fn in a write transaction that holds the lock on the meta row,
// which serialises the writes of every process, given the current data
// version. fn returns the new version (the current one to leave it) and
// whether the layers table changed; write moves meta on, notifies the
// listeners of the new version and commits.
func (s *Store) write(ctx context.Context, fn func(tx pgx.Tx, version int64) (int64, bool, error)) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return s.wrap(ctx, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var version int64
	if err := tx.QueryRow(ctx, "SELECT version FROM meta FOR UPDATE").Scan(&version); err != nil {
		return s.wrap(ctx, err)
	}
	next, layersChanged, err := fn(tx, version)
	if err != nil {
		return s.wrap(ctx, err)
	}
	if next != version || layersChanged {
		changed := 0
		if layersChanged {
			changed = 1
		}
		// The notification goes out when the transaction commits.
		if _, err := tx.Exec(ctx, "UPDATE meta SET version = $1, layers = layers + $2", next, changed); err != nil {
			return s.wrap(ctx, err)
		}
		if _, err := tx.Exec(ctx, "SELECT pg_notify('"+channel+"', $1)", fmt.Sprint(next)); err != nil {
			return s.wrap(ctx, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return s.wrap(ctx, err)
	}
	s.seen(next)
	return nil
}

// storedLayer is what a write needs of a layer.
type storedLayer struct {
	num  int64
	meta geo.Layer
	pos  int64 // last_pos
}

// layer reads layer id in tx, or returns an error wrapping
// geo.ErrNotFound.
func layerIn(ctx context.Context, tx pgx.Tx, id string) (storedLayer, error) {
	var (
		sl                                            storedLayer
		lid, title, desc, kind, grp, style, attr, lic string
		ord                                           int64
	)
	err := tx.QueryRow(ctx, "SELECT "+layerColumns+", l.last_pos FROM layers l WHERE l.id = $1", id).
		Scan(&sl.num, &lid, &title, &desc, &kind, &grp, &style, &attr, &lic, &ord, &sl.pos)
	if errors.Is(err, pgx.ErrNoRows) {
		return sl, geo.NotFoundf("layer %q does not exist", id)
	}
	if err != nil {
		return sl, err
	}
	sl.meta, err = makeLayer(lid, title, desc, kind, grp, style, attr, lic, ord)
	return sl, err
}

// putLayer inserts or updates a layer's row.
func putLayer(ctx context.Context, tx pgx.Tx, l geo.Layer) error {
	style, err := json.Marshal(l.Style)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO layers (id, title, description, geometry_kind, grp, style, attribution, licence, ord)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (id) DO UPDATE SET
			title = excluded.title, description = excluded.description,
			geometry_kind = excluded.geometry_kind, grp = excluded.grp,
			style = excluded.style, attribution = excluded.attribution,
			licence = excluded.licence, ord = excluded.ord`,
		l.ID, l.Title, l.Description, string(l.Kind), l.Group, string(style), l.Attribution, l.Licence, int64(l.Order))
	return err
}

// PutLayer creates a layer or updates its metadata; see geo.Store.
func (s *Store) PutLayer(ctx context.Context, l geo.Layer) error {
	if err := l.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx pgx.Tx, v int64) (int64, bool, error) {
		return v + 1, true, putLayer(ctx, tx, l)
	})
}

// importBatch is the number of features an import inserts a statement,
// importChunk the number it sorts together before (see rowBatch.sorted).
const (
	importBatch = 2000
	importChunk = 1 << 15
)

// insertRows is the statement that inserts a batch of feature versions,
// given as arrays: $1 layer, $2 rec_from, then the columns; each row's ver
// is the next number of its id.
const insertRows = `
	INSERT INTO features (layer_num, rec_from, pos, id, ver, name, kind, geom, minx, miny, maxx, maxy,
		valid_from, valid_to, precision_m, properties, sources, json)
	SELECT $1, $2, u.pos, u.id,
		coalesce((SELECT max(g.ver) FROM features g WHERE g.layer_num = $1 AND g.id = u.id), 0) + 1,
		u.name, u.kind, ST_GeomFromWKB(u.wkb, 4326), u.minx, u.miny, u.maxx, u.maxy,
		u.vf, u.vt, u.prec, u.props, u.srcs, u.json
	FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::bytea[], $8::float8[], $9::float8[],
		$10::float8[], $11::float8[], $12::bigint[], $13::bigint[], $14::float8[], $15::text[], $16::text[], $17::text[])
		AS u (pos, id, name, kind, wkb, minx, miny, maxx, maxy, vf, vt, prec, props, srcs, json)
	RETURNING ver`

// rowBatch holds feature versions to insert, as the columns of insertRows.
type rowBatch struct {
	pos                    []int64
	id, name, kind         []string
	wkb                    [][]byte
	minx, miny, maxx, maxy []float64
	vf, vt                 []int64
	prec                   []float64
	props, srcs, json      []string

	buf        []byte       // for encodings
	lastSrc    []geo.Source // the sources of the last feature added...
	lastSrcStr string       // ...and their JSON
}

func (b *rowBatch) len() int { return len(b.id) }

func (b *rowBatch) reset() {
	b.pos, b.id, b.name, b.kind, b.wkb = b.pos[:0], b.id[:0], b.name[:0], b.kind[:0], b.wkb[:0]
	b.minx, b.miny, b.maxx, b.maxy = b.minx[:0], b.miny[:0], b.maxx[:0], b.maxy[:0]
	b.vf, b.vt, b.prec, b.props, b.srcs, b.json = b.vf[:0], b.vt[:0], b.prec[:0], b.props[:0], b.srcs[:0], b.json[:0]
}

// add appends feature f at pos, checked already. The error is the
// geometry's (ErrInvalid).
func (b *rowBatch) add(f *geo.Feature, pos int64) error {
	g, err := wkb.Marshal(f.Geometry)
	if err != nil {
		return geo.Invalidf("features", "feature %q: geometry: %v", f.ID, err)
	}
	props := string(f.Properties)
	if props == "" {
		props = "{}"
	}
	if !sameSources(f.Sources, b.lastSrc) {
		j, err := json.Marshal(f.Sources)
		if err != nil {
			return err
		}
		b.lastSrc, b.lastSrcStr = f.Sources, string(j)
	}
	// The encoding of the feature as it will be read back.
	stored := geo.Feature{ID: f.ID, Geometry: f.Geometry, Properties: []byte(props), Valid: f.Valid, PrecisionM: f.PrecisionM, Sources: f.Sources}
	b.buf = geojson.AppendFeature(b.buf[:0], &stored)
	bd := f.Geometry.Bound()
	b.pos, b.id, b.name, b.kind, b.wkb = append(b.pos, pos), append(b.id, f.ID), append(b.name, f.Name), append(b.kind, f.Kind), append(b.wkb, g)
	b.minx, b.miny, b.maxx, b.maxy = append(b.minx, bd.Min[0]), append(b.miny, bd.Min[1]), append(b.maxx, bd.Max[0]), append(b.maxy, bd.Max[1])
	b.vf, b.vt, b.prec = append(b.vf, f.Valid.Start), append(b.vt, f.Valid.End), append(b.prec, f.PrecisionM)
	b.props, b.srcs, b.json = append(b.props, props), append(b.srcs, b.lastSrcStr), append(b.json, string(b.buf))
	return nil
}

// sorted returns the rows of b in batches of at most n, ordered by
// spacetime.SortKey over their extent: by lifetime, start and place.
func (b *rowBatch) sorted(n int) []*rowBatch {
	if b.len() == 0 {
		return nil
	}
	ext := spacetime.Bounds{MinX: math.Inf(1), MinY: math.Inf(1), MaxX: math.Inf(-1), MaxY: math.Inf(-1)}
	for i := range b.len() {
		ext.MinX, ext.MinY = min(ext.MinX, b.minx[i]), min(ext.MinY, b.miny[i])
		ext.MaxX, ext.MaxY = max(ext.MaxX, b.maxx[i]), max(ext.MaxY, b.maxy[i])
	}
	keys := make([]uint64, b.len())
	order := make([]int, b.len())
	for i := range keys {
		keys[i] = spacetime.SortKey(b.minx[i], b.miny[i], b.maxx[i], b.maxy[i], b.vf[i], b.vt[i], ext)
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(keys[x], keys[y]) })
	var out []*rowBatch
	for len(order) > 0 {
		part := order[:min(n, len(order))]
		order = order[len(part):]
		p := &rowBatch{}
		for _, i := range part {
			p.pos, p.id, p.name, p.kind, p.wkb = append(p.pos, b.pos[i]), append(p.id, b.id[i]), append(p.name, b.name[i]), append(p.kind, b.kind[i]), append(p.wkb, b.wkb[i])
			p.minx, p.miny, p.maxx, p.maxy = append(p.minx, b.minx[i]), append(p.miny, b.miny[i]), append(p.maxx, b.maxx[i]), append(p.maxy, b.maxy[i])
			p.vf, p.vt, p.prec = append(p.vf, b.vf[i]), append(p.vt, b.vt[i]), append(p.prec, b.prec[i])
			p.props, p.srcs, p.json = append(p.props, b.props[i]), append(p.srcs, b.srcs[i]), append(p.json, b.json[i])
		}
		out = append(out, p)
	}
	return out
}

// insert writes the batch into layer num at version v and appends the
// version numbers written to vers. A unique violation is ErrConflict.
func (b *rowBatch) insert(ctx context.Context, tx pgx.Tx, num, v int64, layer string, vers []int) ([]int, error) {
	rows, err := tx.Query(ctx, insertRows, num, v, b.pos, b.id, b.name, b.kind, b.wkb, b.minx, b.miny, b.maxx, b.maxy,
		b.vf, b.vt, b.prec, b.props, b.srcs, b.json)
	if err != nil {
		return vers, conflict(err, layer)
	}
	defer rows.Close()
	for rows.Next() {
		var n int32
		if err := rows.Scan(&n); err != nil {
			return vers, err
		}
		vers = append(vers, int(n))
	}
	return vers, conflict(rows.Err(), layer)
}

// conflict maps a unique violation to ErrConflict.
func conflict(err error, layer string) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return geo.Conflictf("a feature id is current twice in layer %q", layer)
	}
	return err
}

// sameSources reports whether a and b are the same slice (not merely
// equal), which lets an import of many features citing one shared slice
// encode it once.
func sameSources(a, b []geo.Source) bool {
	return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0]
}

// Import stores the features of seq in one transaction, as one changeset;
// see geo.Store. Replace closes the layer's current rows at the new
// version instead of deleting them, so snapshots of earlier versions keep
// reading them; features get positions after every one given before, in
// the order of seq.
func (s *Store) Import(ctx context.Context, note geo.ChangeNote, l geo.Layer, mode geo.ImportMode, seq iter.Seq2[*geo.Feature, error]) (int, error) {
	if err := note.Check(); err != nil {
		return 0, err
	}
	n := 0
	err := s.write(ctx, func(tx pgx.Tx, version int64) (int64, bool, error) {
		if err := useIndexes(ctx, tx); err != nil {
			return 0, false, err
		}
		version++
		layersChanged := false
		sl, err := layerIn(ctx, tx, l.ID)
		if errors.Is(err, geo.ErrNotFound) {
			if err := l.Validate(); err != nil {
				return 0, false, err
			}
			if err := putLayer(ctx, tx, l); err != nil {
				return 0, false, err
			}
			layersChanged = true
			sl, err = layerIn(ctx, tx, l.ID)
		}
		if err != nil {
			return 0, false, err
		}
		// What the import closes and writes, for its changeset: an id
		// written that was current is changed, another created; an id
		// closed and not written again deleted.
		cs := geo.Changeset{ID: version, Author: note.Author, Comment: note.Comment, Layers: []string{l.ID}, Empty: true}
		closed := map[string]struct{}{}
		if mode == geo.Replace {
			rows, err := tx.Query(ctx, "UPDATE features SET rec_to = $1 WHERE layer_num = $2 AND rec_to = $3 RETURNING id, minx, miny, maxx, maxy",
				version, sl.num, openEnd)
			if err != nil {
				return 0, false, err
			}
			for rows.Next() {
				var (
					id string
					b  orb.Bound
				)
				if err := rows.Scan(&id, &b.Min[0], &b.Min[1], &b.Max[0], &b.Max[1]); err != nil {
					rows.Close()
					return 0, false, err
				}
				closed[id] = struct{}{}
				cs.Extend(b)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return 0, false, err
			}
		}
		// An append must not write an id that is current. A layer with
		// no current rows (new, or just replaced) has none to check, and
		// its rows written by this import are checked in Go (seen): the
		// query below is then skipped, which matters since its plan, made
		// with the statistics of a table that was empty, reads the whole
		// table for every batch.
		current := false
		if mode == geo.Append {
			if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM features WHERE layer_num = $1 AND rec_to = $2)", sl.num, openEnd).Scan(&current); err != nil {
				return 0, false, err
			}
		}
		var (
			b     rowBatch
			seen  = map[string]struct{}{}
			vers  []int
			pos   = sl.pos
			flush = func() error {
				// Rows are stored sorted by place and time within a chunk
				// (pos keeps the import's order), so that the rows one
				// query reads share pages.
				for _, part := range b.sorted(importBatch) {
					if current {
						var id string
						err := tx.QueryRow(ctx, "SELECT id FROM features WHERE layer_num = $1 AND rec_to = $2 AND id = ANY($3) LIMIT 1", sl.num, openEnd, part.id).Scan(&id)
						if err == nil {
							return geo.Conflictf("feature id %q already exists in layer %q", id, l.ID)
						}
						if !errors.Is(err, pgx.ErrNoRows) {
							return err
						}
					}
					var err error
					if vers, err = part.insert(ctx, tx, sl.num, version, l.ID, vers[:0]); err != nil {
						return err
					}
				}
				b.reset()
				return nil
			}
		)
		for f, err := range seq {
			if err != nil {
				return 0, false, err
			}
			if err := geo.CheckImport(&sl.meta, f); err != nil {
				return 0, false, err
			}
			if _, dup := seen[f.ID]; dup {
				return 0, false, geo.Conflictf("feature id %q is given twice", f.ID)
			}
			seen[f.ID] = struct{}{}
			if _, ok := closed[f.ID]; ok {
				cs.Changed++
			} else {
				cs.Created++
			}
			cs.Extend(f.Geometry.Bound())
			pos++
			if err := b.add(f, pos); err != nil {
				return 0, false, err
			}
			if b.len() == importChunk {
				if err := flush(); err != nil {
					return 0, false, err
				}
			}
			n++
		}
		if err := flush(); err != nil {
			return 0, false, err
		}
		if _, err := tx.Exec(ctx, "UPDATE layers SET last_pos = $1 WHERE num = $2", pos, sl.num); err != nil {
			return 0, false, err
		}
		cs.Deleted = len(closed) - cs.Changed
		if err := recordChangeset(ctx, tx, &cs); err != nil {
			return 0, false, err
		}
		return version, layersChanged, nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// setBound sets the bounding box of cs, Empty when the values are NULL.
func setBound(cs *geo.Changeset, minx, miny, maxx, maxy *float64) {
	cs.Empty = minx == nil || miny == nil || maxx == nil || maxy == nil
	cs.BBox = orb.Bound{}
	if !cs.Empty {
		cs.BBox = orb.Bound{Min: orb.Point{*minx, *miny}, Max: orb.Point{*maxx, *maxy}}
	}
}

// recordChangeset writes the row of changeset cs in tx, the write that
// produces version cs.ID. Its record time is the database's clock, or the
// previous changeset's plus a microsecond if the clock is not past it, so
// record times strictly increase with ids whichever process writes.
func recordChangeset(ctx context.Context, tx pgx.Tx, cs *geo.Changeset) error {
	slices.Sort(cs.Layers)
	cs.Layers = slices.Compact(cs.Layers)
	layers, err := json.Marshal(cs.Layers)
	if err != nil {
		return err
	}
	var box [4]*float64
	if !cs.Empty {
		box = [4]*float64{&cs.BBox.Min[0], &cs.BBox.Min[1], &cs.BBox.Max[0], &cs.BBox.Max[1]}
	}
	var at int64
	err = tx.QueryRow(ctx, `
		INSERT INTO changesets (id, recorded_at, author, comment, layers, created, changed, deleted, minx, miny, maxx, maxy)
		VALUES ($1, greatest((extract(epoch FROM clock_timestamp()) * 1000000)::bigint,
				coalesce((SELECT max(recorded_at) FROM changesets), 0) + 1),
			$2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		RETURNING recorded_at`,
		cs.ID, cs.Author, cs.Comment, string(layers), cs.Created, cs.Changed, cs.Deleted, box[0], box[1], box[2], box[3]).Scan(&at)
	if err != nil {
		return err
	}
	cs.RecordedAt = time.UnixMicro(at).UTC()
	return nil
}

// Commit writes the edits of c as one changeset in one write transaction,
// all or nothing; see geo.Store.
func (s *Store) Commit(ctx context.Context, c geo.Commit) (geo.Changeset, error) {
	if err := c.Check(); err != nil {
		return geo.Changeset{}, err
	}
	var cs geo.Changeset
	err := s.write(ctx, func(tx pgx.Tx, version int64) (int64, bool, error) {
		version++
		cs = geo.Changeset{ID: version, Author: c.Note.Author, Comment: c.Note.Comment, Empty: true}
		layers := map[string]*storedLayer{}
		var b rowBatch
		for i := range c.Edits {
			e := &c.Edits[i]
			sl := layers[e.Layer]
			if sl == nil {
				l, err := layerIn(ctx, tx, e.Layer)
				if err != nil {
					return 0, false, fmt.Errorf("edit %d (%s of %q): %w", i, e.Op, e.ID, err)
				}
				sl = &l
				layers[e.Layer] = sl
				cs.Layers = append(cs.Layers, e.Layer)
			}
			if e.Op != geo.OpDelete {
				if err := geo.CheckImport(&sl.meta, e.Feature); err != nil {
					return 0, false, geo.Invalidf("edits", "edit %d (%s of %q in layer %q): %v", i, e.Op, e.ID, e.Layer, err)
				}
			}
			// The current version, if any, and the last number given.
			var (
				seq, pos, curVer       *int64
				lastVer                int64
				minx, miny, maxx, maxy *float64
			)
			err := tx.QueryRow(ctx, `
				SELECT coalesce((SELECT max(ver) FROM features WHERE layer_num = $1 AND id = $2), 0),
					c.seq, c.pos, c.ver, c.minx, c.miny, c.maxx, c.maxy
				FROM (SELECT 1) one LEFT JOIN features c ON c.layer_num = $1 AND c.id = $2 AND c.rec_to = $3`,
				sl.num, e.ID, openEnd).Scan(&lastVer, &seq, &pos, &curVer, &minx, &miny, &maxx, &maxy)
			if err != nil {
				return 0, false, err
			}
			cur := 0
			if curVer != nil {
				cur = int(*curVer)
			}
			switch e.Op {
			case geo.OpCreate:
				if e.IfVersion > 0 && (cur != 0 || int(lastVer) != e.IfVersion) {
					return 0, false, &geo.StaleError{Layer: e.Layer, ID: e.ID, Current: cur, Want: e.IfVersion}
				}
				if cur != 0 {
					return 0, false, geo.Conflictf("edit %d: feature %q already exists in layer %q", i, e.ID, e.Layer)
				}
				cs.Created++
			default: // OpReplace, OpDelete
				if e.IfVersion > 0 && cur != e.IfVersion {
					return 0, false, &geo.StaleError{Layer: e.Layer, ID: e.ID, Current: cur, Want: e.IfVersion}
				}
				if cur == 0 {
					return 0, false, geo.NotFoundf("edit %d (%s): feature %q does not exist in layer %q", i, e.Op, e.ID, e.Layer)
				}
				if _, err := tx.Exec(ctx, "UPDATE features SET rec_to = $1 WHERE seq = $2", version, *seq); err != nil {
					return 0, false, err
				}
				cs.Extend(orb.Bound{Min: orb.Point{*minx, *miny}, Max: orb.Point{*maxx, *maxy}})
				if e.Op == geo.OpDelete {
					cs.Deleted++
					cs.Written = append(cs.Written, cur)
					continue
				}
				cs.Changed++
			}
			// A replaced feature keeps its place in the layer's order; a
			// new one comes last.
			p := int64(0)
			if e.Op == geo.OpCreate {
				sl.pos++
				p = sl.pos
			} else {
				p = *pos
			}
			b.reset()
			if err := b.add(e.Feature, p); err != nil {
				return 0, false, geo.Invalidf("edits", "edit %d (%s of %q): %v", i, e.Op, e.ID, err)
			}
			vers, err := b.insert(ctx, tx, sl.num, version, e.Layer, nil)
			if err != nil {
				return 0, false, err
			}
			if len(vers) != 1 || vers[0] != int(lastVer)+1 {
				return 0, false, fmt.Errorf("postgis: edit %d wrote version %v, not %d", i, vers, lastVer+1)
			}
			cs.Written = append(cs.Written, vers[0])
			cs.Extend(e.Feature.Geometry.Bound())
		}
		for _, sl := range layers {
			if _, err := tx.Exec(ctx, "UPDATE layers SET last_pos = $1 WHERE num = $2", sl.pos, sl.num); err != nil {
				return 0, false, err
			}
		}
		return version, false, recordChangeset(ctx, tx, &cs)
	})
	if err != nil {
		return geo.Changeset{}, err
	}
	return cs, nil
}

// PutToken stores a new token; see geo.Store.
func (s *Store) PutToken(ctx context.Context, t geo.Token) error {
	if err := t.Check(); err != nil {
		return err
	}
	layers, err := json.Marshal(t.Layers)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, "INSERT INTO tokens (name, hash, layers, created, expires, revoked, unconditional) VALUES ($1, $2, $3, $4, $5, $6, $7)",
		t.Name, t.Hash, string(layers), t.Created.UnixMicro(), micros(t.Expires), micros(t.Revoked), t.Unconditional)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return geo.Conflictf("a token named %q exists", t.Name)
	}
	return s.wrap(ctx, err)
}

// micros is t in Unix microseconds, or NULL for the zero time.
func micros(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	us := t.UnixMicro()
	return &us
}

// timeOf is the instant of Unix microseconds us in UTC, or the zero time
// for NULL.
func timeOf(us *int64) time.Time {
	if us == nil {
		return time.Time{}
	}
	return time.UnixMicro(*us).UTC()
}

// Tokens returns every token by name, revoked ones included. A stored
// token that fails geo.Token.Check is an error naming it.
func (s *Store) Tokens(ctx context.Context) ([]geo.Token, error) {
	ts, err := s.tokens(ctx, s.pool)
	return ts, s.wrap(ctx, err)
}

// RevokeToken marks a token revoked; see geo.Store.
func (s *Store) RevokeToken(ctx context.Context, name string, at time.Time) error {
	if !storable(name) {
		return geo.NotFoundf("no token is named %q", name)
	}
	if at.IsZero() {
		return geo.Invalidf("at", "a token is revoked at an instant, not the zero time")
	}
	tag, err := s.pool.Exec(ctx, "UPDATE tokens SET revoked = coalesce(revoked, $1) WHERE name = $2", at.UnixMicro(), name)
	if err != nil {
		return s.wrap(ctx, err)
	}
	if tag.RowsAffected() == 0 {
		return geo.NotFoundf("no token is named %q", name)
	}
	return nil
}

// PutBriefing stores a briefing, replacing one with the same id; it moves
// the data version on, as the briefings are served with it.
func (s *Store) PutBriefing(ctx context.Context, b geo.Briefing) error {
	if err := b.Validate(); err != nil {
		return err
	}
	body, err := json.Marshal(b)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx pgx.Tx, v int64) (int64, bool, error) {
		_, err := tx.Exec(ctx, "INSERT INTO briefings (id, body) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET body = excluded.body", b.ID, string(body))
		return v + 1, false, err
	})
}

// Briefings returns every briefing, by id.
func (s *Store) Briefings(ctx context.Context) ([]geo.Briefing, error) {
	bs, err := s.briefings(ctx, s.pool)
	return bs, s.wrap(ctx, err)
}

// Briefing returns one briefing, or an error wrapping geo.ErrNotFound.
func (s *Store) Briefing(ctx context.Context, id string) (geo.Briefing, error) {
	if !storable(id) {
		return geo.Briefing{}, geo.NotFoundf("briefing %q does not exist", id)
	}
	var body string
	err := s.pool.QueryRow(ctx, "SELECT body FROM briefings WHERE id = $1", id).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return geo.Briefing{}, geo.NotFoundf("briefing %q does not exist", id)
	}
	if err != nil {
		return geo.Briefing{}, s.wrap(ctx, err)
	}
	return decodeBriefing(id, body)
}

// decodeBriefing decodes a stored briefing, which it does not trust.
func decodeBriefing(id, body string) (geo.Briefing, error) {
	var b geo.Briefing
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return b, fmt.Errorf("postgis: briefing %q is damaged: %v", id, err)
	}
	if b.ID != id {
		return b, fmt.Errorf("postgis: briefing %q is damaged: it holds briefing %q", id, b.ID)
	}
	if err := b.Validate(); err != nil {
		return b, fmt.Errorf("postgis: briefing %q is damaged: %v", id, err)
	}
	return b, nil
}

// useIndexes makes the planner take the indexes for the rest of a write
// transaction that adds many rows. Its statistics may date from when the
// table was empty or small: its plans would then read the whole table
// for every row of a batch (the version number of each new row, the
// check that an id is not current), and an import of 200,000 rows into
// a new database took minutes instead of seconds.
func useIndexes(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, "SET LOCAL enable_seqscan = off")
	return err
}
