package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"strata/geo"
)

// History (see geo/history.go and migrations/006_history.sql): a
// changeset's id is the data version it produced, and the rows it wrote
// have rec_from = id, those it closed rec_to = id. Its row in changesets
// holds what the rows do not: when, who, why, and its counts.

// recordChangeset writes the row of changeset cs, which must be the last
// statement but the commit of its transaction tx, and moves the data
// version to cs.ID. Its record time is taken here, inside the write
// transaction, just before the commit: the previous changeset's plus a
// microsecond if the clock is not past it, so record times strictly
// increase with ids.
func (s *DB) recordChangeset(ctx context.Context, tx *sql.Tx, cs *geo.Changeset) error {
	var last sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT max(recorded_at) FROM changesets").Scan(&last); err != nil {
		return err
	}
	at := time.Now().UnixMicro()
	if last.Valid && at <= last.Int64 {
		at = last.Int64 + 1
	}
	cs.RecordedAt = time.UnixMicro(at).UTC()
	slices.Sort(cs.Layers)
	cs.Layers = slices.Compact(cs.Layers)
	if err := insertChangeset(ctx, tx, cs, at); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "UPDATE meta SET value = ? WHERE key = 'version'", cs.ID)
	return err
}

// insertChangeset writes the row of changeset cs, recorded at at (Unix
// microseconds).
func insertChangeset(ctx context.Context, tx *sql.Tx, cs *geo.Changeset, at int64) error {
	layers, err := json.Marshal(cs.Layers)
	if err != nil {
		return err
	}
	if cs.Layers == nil {
		layers = []byte("[]")
	}
	var box [4]any
	if !cs.Empty {
		box = [4]any{cs.BBox.Min[0], cs.BBox.Min[1], cs.BBox.Max[0], cs.BBox.Max[1]}
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO changesets (id, recorded_at, author, comment, layers, created, changed, deleted, minx, miny, maxx, maxy)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		cs.ID, at, cs.Author, cs.Comment, string(layers), cs.Created, cs.Changed, cs.Deleted, box[0], box[1], box[2], box[3])
	return err
}

// SnapshotAt returns the snapshot of the last changeset recorded at or
// before t, with today's layers; see geo.Store.
func (s *DB) SnapshotAt(ctx context.Context, t time.Time) (geo.Snapshot, error) {
	conn, end, err := s.readTx(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	snap := &snapshot{db: s, byID: map[string]layerEntry{}}
	err = conn.QueryRowContext(ctx, "SELECT coalesce((SELECT id FROM changesets WHERE recorded_at <= ? ORDER BY recorded_at DESC LIMIT 1), 0)", t.UnixMicro()).Scan(&snap.version)
	if err != nil {
		return nil, err
	}
	if err := snap.readLayers(ctx, conn); err != nil {
		return nil, err
	}
	return snap, nil
}

// commitLayer is what a Commit needs of a layer it edits.
type commitLayer struct {
	num  int64
	meta geo.Layer
	pos  int64 // the largest pos given so far
	// What the commit wrote and closed, for the layer's index (see learn).
	added  []*overlayRow
	closed []closedRow
}

// Commit writes the edits of c as one changeset in one write
// transaction, all or nothing; see geo.Store. It does not bump the
// layers' generations: the in-memory indexes take its rows as an overlay
// (see overlay.go) instead of being built again.
func (s *DB) Commit(ctx context.Context, c geo.Commit) (geo.Changeset, error) {
	if err := c.Check(); err != nil {
		return geo.Changeset{}, err
	}
	tx, end, err := s.beginWrite(ctx)
	if err != nil {
		return geo.Changeset{}, err
	}
	defer end()
	var version int64
	if err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'version'").Scan(&version); err != nil {
		return geo.Changeset{}, err
	}
	version++
	cs := geo.Changeset{ID: version, Author: c.Note.Author, Comment: c.Note.Comment, Empty: true}
	layers := map[string]*commitLayer{}
	insert, err := tx.PrepareContext(ctx, `
		INSERT INTO features (layer_num, pos, id, name, kind, geom, minx, miny, maxx, maxy, valid_from, valid_to, precision_m, properties, sources, rec_from, ver)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return geo.Changeset{}, err
	}
	defer insert.Close()
	for i := range c.Edits {
		e := &c.Edits[i]
		cl := layers[e.Layer]
		if cl == nil {
			cl = &commitLayer{}
			if cl.num, cl.meta, err = s.layer(ctx, tx, e.Layer); err != nil {
				return geo.Changeset{}, fmt.Errorf("edit %d (%s of %q): %w", i, e.Op, e.ID, err)
			}
			if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(pos), 0) FROM features WHERE layer_num = ?", cl.num).Scan(&cl.pos); err != nil {
				return geo.Changeset{}, err
			}
			layers[e.Layer] = cl
			cs.Layers = append(cs.Layers, e.Layer)
		}
		if e.Op != geo.OpDelete {
			if err := geo.CheckImport(&cl.meta, e.Feature); err != nil {
				return geo.Changeset{}, geo.Invalidf("edits", "edit %d (%s of %q in layer %q): %v", i, e.Op, e.ID, e.Layer, err)
			}
		}
		// The current version, if any, and the last number given.
		var (
			cur                    struct{ seq, pos int64 }
			curVer, lastVer        int
			minx, miny, maxx, maxy float64
		)
		err := tx.QueryRowContext(ctx, "SELECT seq, pos, ver, minx, miny, maxx, maxy FROM features WHERE layer_num = ? AND id = ? AND rec_to = ?", cl.num, e.ID, geo.OpenEnd).
			Scan(&cur.seq, &cur.pos, &curVer, &minx, &miny, &maxx, &maxy)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			curVer = 0
		case err != nil:
			return geo.Changeset{}, err
		}
		if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(ver), 0) FROM features WHERE layer_num = ? AND id = ?", cl.num, e.ID).Scan(&lastVer); err != nil {
			return geo.Changeset{}, err
		}
		switch e.Op {
		case geo.OpCreate:
			if e.IfVersion > 0 && (curVer != 0 || lastVer != e.IfVersion) {
				return geo.Changeset{}, &geo.StaleError{Layer: e.Layer, ID: e.ID, Current: curVer, Want: e.IfVersion}
			}
			if curVer != 0 {
				return geo.Changeset{}, geo.Conflictf("edit %d: feature %q already exists in layer %q", i, e.ID, e.Layer)
			}
			cs.Created++
		default: // OpReplace, OpDelete
			if e.IfVersion > 0 && curVer != e.IfVersion {
				return geo.Changeset{}, &geo.StaleError{Layer: e.Layer, ID: e.ID, Current: curVer, Want: e.IfVersion}
			}
			if curVer == 0 {
				return geo.Changeset{}, geo.NotFoundf("edit %d (%s): feature %q does not exist in layer %q", i, e.Op, e.ID, e.Layer)
			}
			if _, err := tx.ExecContext(ctx, "UPDATE features SET rec_to = ? WHERE seq = ?", version, cur.seq); err != nil {
				return geo.Changeset{}, err
			}
			cl.closed = append(cl.closed, closedRow{seq: cur.seq, pos: cur.pos})
			cs.Extend(orb.Bound{Min: orb.Point{minx, miny}, Max: orb.Point{maxx, maxy}})
			if e.Op == geo.OpDelete {
				cs.Deleted++
				cs.Written = append(cs.Written, curVer)
				continue
			}
			cs.Changed++
		}
		// A replaced feature keeps its place in the layer's order; a new
		// one comes last.
		pos := cur.pos
		if e.Op == geo.OpCreate {
			cl.pos++
			pos = cl.pos
		}
		f := e.Feature
		geom, err := wkb.Marshal(f.Geometry)
		if err != nil {
			return geo.Changeset{}, geo.Invalidf("edits", "edit %d (%s of %q): geometry: %v", i, e.Op, e.ID, err)
		}
		props := string(f.Properties)
		if props == "" {
			props = "{}"
		}
		srcs, err := json.Marshal(f.Sources)
		if err != nil {
			return geo.Changeset{}, err
		}
		b := f.Geometry.Bound()
		res, err := insert.ExecContext(ctx, cl.num, pos, f.ID, f.Name, f.Kind, geom, b.Min[0], b.Min[1], b.Max[0], b.Max[1],
			f.Valid.Start, f.Valid.End, f.PrecisionM, props, string(srcs), version, lastVer+1)
		if err == nil {
			_, isPoint := f.Geometry.(orb.Point)
			r := &overlayRow{pos: pos, minX: b.Min[0], minY: b.Min[1], maxX: b.Max[0], maxY: b.Max[1], valid: f.Valid,
				recFrom: version, point: isPoint, id: f.ID, name: f.Name, kind: f.Kind, precisionM: f.PrecisionM}
			if r.seq, err = res.LastInsertId(); err == nil {
				cl.added = append(cl.added, r)
			}
		}
		cs.Written = append(cs.Written, lastVer+1)
		if err != nil {
			var se sqlite3.Error
			if errors.As(err, &se) && se.Code == sqlite3.ErrConstraint {
				return geo.Changeset{}, geo.Conflictf("edit %d: feature %q in layer %q: %v", i, e.ID, e.Layer, err)
			}
			return geo.Changeset{}, err
		}
		cs.Extend(b)
	}
	if err := s.recordChangeset(ctx, tx, &cs); err != nil {
		return geo.Changeset{}, err
	}
	if err := tx.Commit(); err != nil {
		return geo.Changeset{}, err
	}
	for _, cl := range layers {
		s.learn(cl.num, version, cl.added, cl.closed)
	}
	return cs, nil
}

// PutToken stores a new token; see geo.Store.
func (s *DB) PutToken(ctx context.Context, t geo.Token) error {
	if err := t.Check(); err != nil {
		return err
	}
	layers, err := json.Marshal(t.Layers)
	if err != nil {
		return err
	}
	done, err := s.write(ctx)
	if err != nil {
		return err
	}
	defer done()
	_, err = s.db.ExecContext(ctx, "INSERT INTO tokens (name, hash, layers, created, expires, revoked, unconditional) VALUES (?, ?, ?, ?, ?, ?, ?)",
		t.Name, t.Hash, string(layers), t.Created.UnixMicro(), micros(t.Expires), micros(t.Revoked), t.Unconditional)
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrConstraint {
		return geo.Conflictf("a token named %q exists", t.Name)
	}
	return err
}

// micros is t in Unix microseconds, or NULL for the zero time.
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// timeOf is the instant of Unix microseconds us in UTC, or the zero time
// for NULL.
func timeOf(us sql.NullInt64) time.Time {
	if !us.Valid {
		return time.Time{}
	}
	return time.UnixMicro(us.Int64).UTC()
}

// Tokens returns every token by name, revoked ones included. A stored
// token that fails geo.Token.Check is an error naming it.
func (s *DB) Tokens(ctx context.Context) ([]geo.Token, error) {
	return readTokens(ctx, s.db)
}

// rowsQueryer is a database, connection or transaction to query.
type rowsQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// readTokens reads every token by name.
func readTokens(ctx context.Context, q rowsQueryer) ([]geo.Token, error) {
	rows, err := q.QueryContext(ctx, "SELECT name, hash, layers, created, expires, revoked, unconditional FROM tokens ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []geo.Token
	for rows.Next() {
		var (
			name, layers              string
			hash                      []byte
			created, expires, revoked sql.NullInt64
			unconditional             bool
		)
		if err := rows.Scan(&name, &hash, &layers, &created, &expires, &revoked, &unconditional); err != nil {
			return nil, err
		}
		t, err := decodeToken(name, hash, layers, created, expires, revoked)
		if err != nil {
			return nil, err
		}
		t.Unconditional = unconditional
		out = append(out, t)
	}
	return out, rows.Err()
}

// decodeToken makes a token of a stored row, which it does not trust.
func decodeToken(name string, hash []byte, layers string, created, expires, revoked sql.NullInt64) (geo.Token, error) {
	t := geo.Token{Name: name, Hash: hash, Created: timeOf(created), Expires: timeOf(expires), Revoked: timeOf(revoked)}
	if err := json.Unmarshal([]byte(layers), &t.Layers); err != nil {
		return geo.Token{}, fmt.Errorf("sqlite: token %q is damaged: layers: %v", name, err)
	}
	if err := t.Check(); err != nil {
		return geo.Token{}, fmt.Errorf("sqlite: token %q is damaged: %v", name, err)
	}
	return t, nil
}

// RevokeToken marks a token revoked; see geo.Store.
func (s *DB) RevokeToken(ctx context.Context, name string, at time.Time) error {
	if at.IsZero() {
		return geo.Invalidf("at", "a token is revoked at an instant, not the zero time")
	}
	done, err := s.write(ctx)
	if err != nil {
		return err
	}
	defer done()
	res, err := s.db.ExecContext(ctx, "UPDATE tokens SET revoked = coalesce(revoked, ?) WHERE name = ?", at.UnixMicro(), name)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return geo.NotFoundf("no token is named %q", name)
	}
	return nil
}

// changesetColumns are the columns scanChangeset reads.
const changesetColumns = "id, recorded_at, author, comment, layers, created, changed, deleted, minx, miny, maxx, maxy"

// scanChangeset reads a changesets row, which it does not trust.
func scanChangeset(sc interface{ Scan(...any) error }) (geo.Changeset, error) {
	var (
		cs                     geo.Changeset
		at                     int64
		layers                 string
		minx, miny, maxx, maxy sql.NullFloat64
	)
	if err := sc.Scan(&cs.ID, &at, &cs.Author, &cs.Comment, &layers, &cs.Created, &cs.Changed, &cs.Deleted, &minx, &miny, &maxx, &maxy); err != nil {
		return cs, err
	}
	cs.RecordedAt = time.UnixMicro(at).UTC()
	setBound(&cs, minx, miny, maxx, maxy)
	if err := decodeChangeset(&cs, layers, minx.Valid == miny.Valid && miny.Valid == maxx.Valid && maxx.Valid == maxy.Valid); err != nil {
		return cs, err
	}
	return cs, nil
}

// decodeChangeset sets cs.Layers from their stored JSON and checks what
// was read: sorted valid layer ids, counts not negative, text in UTF-8, a
// whole bounding box or none.
func decodeChangeset(cs *geo.Changeset, layers string, wholeBox bool) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("sqlite: changeset %d is damaged: %s", cs.ID, fmt.Sprintf(format, args...))
	}
	if err := json.Unmarshal([]byte(layers), &cs.Layers); err != nil {
		return bad("layers: %v", err)
	}
	for i, l := range cs.Layers {
		if !geo.ValidID(l) || (i > 0 && cs.Layers[i-1] >= l) {
			return bad("layers are not sorted layer ids")
		}
	}
	if cs.Created < 0 || cs.Changed < 0 || cs.Deleted < 0 {
		return bad("negative counts")
	}
	if err := geo.CheckUTF8("author", cs.Author); err != nil {
		return bad("%v", err)
	}
	if err := geo.CheckUTF8("comment", cs.Comment); err != nil {
		return bad("%v", err)
	}
	if !wholeBox {
		return bad("part of its bounding box is NULL")
	}
	if !cs.Empty && !(cs.BBox.Min[0] <= cs.BBox.Max[0] && cs.BBox.Min[1] <= cs.BBox.Max[1]) {
		return bad("its bounding box is not a box")
	}
	return nil
}

// History returns the versions of a feature recorded in the snapshot,
// newest first; see geo.Snapshot.
func (snap *snapshot) History(ctx context.Context, layer, id string) ([]geo.Version, error) {
	e, err := snap.entry(layer)
	if err != nil {
		return nil, err
	}
	rows, err := snap.db.db.QueryContext(ctx, `
		SELECT f.ver, f.rec_from, f.rec_to, c.recorded_at, c.author, c.comment, d.recorded_at
		FROM features f INDEXED BY features_ver
			LEFT JOIN changesets c ON c.id = f.rec_from
			LEFT JOIN changesets d ON d.id = f.rec_to
		WHERE f.layer_num = ? AND f.id = ? AND f.rec_from <= ?
		ORDER BY f.ver DESC`, e.ref.num, id, snap.version)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []geo.Version
	for rows.Next() {
		var r versionRow
		if err := rows.Scan(r.dest()...); err != nil {
			return nil, err
		}
		v, err := r.version(layer, id, snap.version)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, geo.NotFoundf("feature %q has no history in layer %q", id, layer)
	}
	return out, nil
}

// versionRow is what a Version is made of: a row's ver, rec_from and
// rec_to, and the recorded_at, author and comment of the changeset that
// wrote it and the recorded_at of the one that closed it (NULL when
// there is none).
type versionRow struct {
	ver             int
	from, to        int64
	fromAt, toAt    sql.NullInt64
	author, comment sql.NullString
}

// dest returns the scan destinations of r's columns, in their order.
func (r *versionRow) dest() []any {
	return []any{&r.ver, &r.from, &r.to, &r.fromAt, &r.author, &r.comment, &r.toAt}
}

// version returns the description of the row as known at data version
// v, which it does not trust: a missing changeset is an error.
func (r *versionRow) version(layer, id string, v int64) (geo.Version, error) {
	ver := geo.Version{Layer: layer, ID: id, Number: r.ver, Changeset: r.from}
	if r.ver < 1 {
		return ver, fmt.Errorf("sqlite: feature %q in layer %q has a version numbered %d", id, layer, r.ver)
	}
	if !r.fromAt.Valid {
		return ver, fmt.Errorf("sqlite: version %d of feature %q in layer %q: changeset %d is missing", r.ver, id, layer, r.from)
	}
	ver.RecordedFrom, ver.Author, ver.Comment = timeOf(r.fromAt), r.author.String, r.comment.String
	if r.to <= v {
		if !r.toAt.Valid {
			return ver, fmt.Errorf("sqlite: version %d of feature %q in layer %q: changeset %d is missing", r.ver, id, layer, r.to)
		}
		ver.ClosedBy, ver.RecordedTo = r.to, timeOf(r.toAt)
	}
	return ver, nil
}

// FeatureVersion returns one version of a feature recorded in the
// snapshot; see geo.Snapshot.
func (snap *snapshot) FeatureVersion(ctx context.Context, layer, id string, number int) (*geo.Feature, geo.Version, error) {
	e, err := snap.entry(layer)
	if err != nil {
		return nil, geo.Version{}, err
	}
	var (
		geom, props, srcs []byte
		feat              = geo.Feature{Layer: layer}
		seq               int64
	)
	row := snap.db.db.QueryRowContext(ctx, `
		SELECT f.seq, f.id, f.name, f.kind, f.geom, f.valid_from, f.valid_to, f.precision_m, f.properties, f.sources,
			f.ver, f.rec_from, f.rec_to, c.recorded_at, c.author, c.comment, d.recorded_at
		FROM features f INDEXED BY features_ver
			LEFT JOIN changesets c ON c.id = f.rec_from
			LEFT JOIN changesets d ON d.id = f.rec_to
		WHERE f.layer_num = ? AND f.id = ? AND f.ver = ? AND f.rec_from <= ?`, e.ref.num, id, number, snap.version)
	var r versionRow
	err = row.Scan(append([]any{&seq, &feat.ID, &feat.Name, &feat.Kind, &geom, &feat.Valid.Start, &feat.Valid.End, &feat.PrecisionM, &props, &srcs}, r.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, geo.Version{}, geo.NotFoundf("feature %q in layer %q has no version %d", id, layer, number)
	}
	if err != nil {
		return nil, geo.Version{}, err
	}
	v, err := r.version(layer, id, snap.version)
	if err != nil {
		return nil, geo.Version{}, err
	}
	if err := snap.db.decodeFeature(&feat, seq, geom, props, srcs); err != nil {
		return nil, geo.Version{}, err
	}
	feat.Version = v.Number
	return &feat, v, nil
}

// Changes returns the changesets recorded in the snapshot that match f,
// newest first; see geo.Snapshot.
func (snap *snapshot) Changes(ctx context.Context, f geo.ChangeFilter) ([]geo.Changeset, error) {
	q := "SELECT " + changesetColumns + " FROM changesets WHERE id <= ? AND id > ?"
	args := []any{snap.version, f.After}
	if !f.Since.IsZero() {
		q += " AND recorded_at >= ?"
		args = append(args, f.Since.UnixMicro())
	}
	if !f.Until.IsZero() {
		q += " AND recorded_at < ?"
		args = append(args, f.Until.UnixMicro())
	}
	rows, err := snap.db.db.QueryContext(ctx, q+" ORDER BY id DESC", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []geo.Changeset{}
	for rows.Next() {
		cs, err := scanChangeset(rows)
		if err != nil {
			return nil, err
		}
		if len(f.Layers) > 0 && !slices.ContainsFunc(cs.Layers, func(l string) bool { return slices.Contains(f.Layers, l) }) {
			continue
		}
		if f.BBox != nil && (cs.Empty || !f.BBox.Intersects(cs.BBox)) {
			continue
		}
		out = append(out, cs)
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
	}
	return out, rows.Err()
}

// Changeset returns one changeset recorded in the snapshot and what it
// did to each feature; see geo.Snapshot.
func (snap *snapshot) Changeset(ctx context.Context, id int64) (geo.Changeset, []geo.ChangeEntry, error) {
	if id < 1 || id > snap.version {
		return geo.Changeset{}, nil, geo.NotFoundf("changeset %d does not exist", id)
	}
	cs, err := scanChangeset(snap.db.db.QueryRowContext(ctx, "SELECT "+changesetColumns+" FROM changesets WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return geo.Changeset{}, nil, geo.NotFoundf("changeset %d does not exist", id)
	}
	if err != nil {
		return geo.Changeset{}, nil, err
	}
	var entries []geo.ChangeEntry
	for _, layer := range cs.Layers {
		e, err := snap.entry(layer)
		if errors.Is(err, geo.ErrNotFound) {
			continue // layers are never removed; a damaged list names none
		}
		if err != nil {
			return geo.Changeset{}, nil, err
		}
		if entries, err = snap.db.changeEntries(ctx, e.ref.num, layer, id, entries); err != nil {
			return geo.Changeset{}, nil, err
		}
	}
	slices.SortFunc(entries, func(a, b geo.ChangeEntry) int {
		return cmp.Or(strings.Compare(a.Layer, b.Layer), strings.Compare(a.ID, b.ID))
	})
	return cs, entries, nil
}

// changeEntries appends what changeset id did to the features of layer
// num: an id with a row written and a row closed by it was replaced, one
// with a row written only created (again, when it had earlier numbers),
// one with a row closed only deleted.
func (s *DB) changeEntries(ctx context.Context, num int64, layer string, id int64, entries []geo.ChangeEntry) ([]geo.ChangeEntry, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT id, ver, rec_from = ?1 FROM features INDEXED BY features_from WHERE layer_num = ?2 AND rec_from = ?1
		UNION ALL
		SELECT id, ver, 0 FROM features INDEXED BY features_to WHERE layer_num = ?2 AND rec_to = ?1 AND rec_to < 9223372036854775807
		ORDER BY 1`, id, num)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			fid     string
			ver     int
			written bool
		)
		if err := rows.Scan(&fid, &ver, &written); err != nil {
			return nil, err
		}
		if n := len(entries); n > 0 && entries[n-1].Layer == layer && entries[n-1].ID == fid {
			// Both rows of a replacement: the written one has the
			// higher number.
			last := &entries[n-1]
			last.Op, last.Version, last.Previous = geo.OpReplace, max(last.Version, ver), min(last.Version, ver)
			continue
		}
		en := geo.ChangeEntry{Op: geo.OpCreate, Layer: layer, ID: fid, Version: ver, Previous: ver - 1}
		if !written {
			en.Op, en.Previous = geo.OpDelete, ver
		}
		entries = append(entries, en)
	}
	return entries, rows.Err()
}
