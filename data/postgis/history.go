package postgis

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"strata/geo"
)

// History (see geo/history.go): a changeset's id is the data version it
// produced, and the rows it wrote have rec_from = id, those it closed
// rec_to = id. Its row in changesets holds what the rows do not: when,
// who, why, and its counts.

// versionColumns are the columns of a versionRow, after a feature's: of
// the row f and the changesets c (that wrote it) and d (that closed it).
const versionColumns = "f.ver, f.rec_from, f.rec_to, c.recorded_at, c.author, c.comment, d.recorded_at"

// versionJoins joins the changesets of versionColumns to features f.
const versionJoins = " LEFT JOIN changesets c ON c.id = f.rec_from LEFT JOIN changesets d ON d.id = f.rec_to"

// versionRow is what a Version is made of.
type versionRow struct {
	ver             int32
	from, to        int64
	fromAt, toAt    *int64
	author, comment *string
}

func (r *versionRow) dest() []any {
	return []any{&r.ver, &r.from, &r.to, &r.fromAt, &r.author, &r.comment, &r.toAt}
}

// version returns the description of the row as known at data version v,
// which it does not trust: a missing changeset is an error.
func (r *versionRow) version(layer, id string, v int64) (geo.Version, error) {
	ver := geo.Version{Layer: layer, ID: id, Number: int(r.ver), Changeset: r.from}
	if r.ver < 1 {
		return ver, fmt.Errorf("postgis: feature %q in layer %q has a version numbered %d", id, layer, r.ver)
	}
	if r.fromAt == nil {
		return ver, fmt.Errorf("postgis: version %d of feature %q in layer %q: changeset %d is missing", r.ver, id, layer, r.from)
	}
	ver.RecordedFrom, ver.Author, ver.Comment = timeOf(r.fromAt), *r.author, *r.comment
	if r.to <= v {
		if r.toAt == nil {
			return ver, fmt.Errorf("postgis: version %d of feature %q in layer %q: changeset %d is missing", r.ver, id, layer, r.to)
		}
		ver.ClosedBy, ver.RecordedTo = r.to, timeOf(r.toAt)
	}
	return ver, nil
}

// History returns the versions of a feature recorded in the snapshot,
// newest first; see geo.Snapshot.
func (snap *snapshot) History(ctx context.Context, layer, id string) ([]geo.Version, error) {
	if !storable(id) {
		return nil, geo.NotFoundf("feature %q has no history in layer %q", id, layer)
	}
	e, err := snap.entry(layer)
	if err != nil {
		return nil, err
	}
	rows, err := snap.s.pool.Query(ctx, "SELECT "+versionColumns+" FROM features f"+versionJoins+
		" WHERE f.layer_num = $1 AND f.id = $2 AND f.rec_from <= $3 ORDER BY f.ver DESC", e.num, id, snap.version)
	if err != nil {
		return nil, snap.s.wrap(ctx, err)
	}
	defer rows.Close()
	var out []geo.Version
	for rows.Next() {
		var r versionRow
		if err := rows.Scan(r.dest()...); err != nil {
			return nil, snap.s.wrap(ctx, err)
		}
		v, err := r.version(layer, id, snap.version)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, snap.s.wrap(ctx, err)
	}
	if len(out) == 0 {
		return nil, geo.NotFoundf("feature %q has no history in layer %q", id, layer)
	}
	return out, nil
}

// FeatureVersion returns one version of a feature recorded in the
// snapshot; see geo.Snapshot.
func (snap *snapshot) FeatureVersion(ctx context.Context, layer, id string, number int) (*geo.Feature, geo.Version, error) {
	if !storable(id) {
		return nil, geo.Version{}, geo.NotFoundf("feature %q in layer %q has no version %d", id, layer, number)
	}
	e, err := snap.entry(layer)
	if err != nil {
		return nil, geo.Version{}, err
	}
	rows, err := snap.s.pool.Query(ctx, "SELECT "+featureColumns+", "+versionColumns+" FROM features f"+versionJoins+
		" WHERE f.layer_num = $1 AND f.id = $2 AND f.ver = $3 AND f.rec_from <= $4", e.num, id, number, snap.version)
	if err != nil {
		return nil, geo.Version{}, snap.s.wrap(ctx, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, geo.Version{}, snap.s.wrap(ctx, err)
		}
		return nil, geo.Version{}, geo.NotFoundf("feature %q in layer %q has no version %d", id, layer, number)
	}
	feat := &geo.Feature{Layer: layer}
	if _, err := snap.s.readFeature(rawOf(rows), 0, feat, false, nil); err != nil {
		return nil, geo.Version{}, err
	}
	feat.Properties = slices.Clone(feat.Properties)
	var r versionRow
	dest := append(make([]any, 11), r.dest()...)
	if err := rows.Scan(dest...); err != nil {
		return nil, geo.Version{}, snap.s.wrap(ctx, err)
	}
	v, err := r.version(layer, id, snap.version)
	if err != nil {
		return nil, geo.Version{}, err
	}
	return feat, v, nil
}

// changesetColumns are the columns scanChangeset reads.
const changesetColumns = "id, recorded_at, author, comment, layers, created, changed, deleted, minx, miny, maxx, maxy"

// scanChangeset reads a changesets row, which it does not trust.
func scanChangeset(row pgx.Row) (geo.Changeset, error) {
	var (
		cs                     geo.Changeset
		at                     int64
		layers                 string
		created, changed, del  int32
		minx, miny, maxx, maxy *float64
	)
	if err := row.Scan(&cs.ID, &at, &cs.Author, &cs.Comment, &layers, &created, &changed, &del, &minx, &miny, &maxx, &maxy); err != nil {
		return cs, err
	}
	cs.Created, cs.Changed, cs.Deleted = int(created), int(changed), int(del)
	cs.RecordedAt = time.UnixMicro(at).UTC()
	setBound(&cs, minx, miny, maxx, maxy)
	whole := (minx == nil) == (miny == nil) && (miny == nil) == (maxx == nil) && (maxx == nil) == (maxy == nil)
	return cs, decodeChangeset(&cs, layers, whole)
}

// decodeChangeset sets cs.Layers from their stored JSON and checks what
// was read: sorted valid layer ids, counts not negative, text in UTF-8, a
// whole bounding box or none.
func decodeChangeset(cs *geo.Changeset, layers string, wholeBox bool) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("postgis: changeset %d is damaged: %s", cs.ID, fmt.Sprintf(format, args...))
	}
	if err := json.Unmarshal([]byte(layers), &cs.Layers); err != nil {
		return bad("layers: %v", err)
	}
	return checkChangeset(cs, wholeBox, bad)
}

// checkChangeset checks a changeset read or restored: sorted valid layer
// ids, counts not negative, text in UTF-8, a whole bounding box or none.
func checkChangeset(cs *geo.Changeset, wholeBox bool, bad func(format string, args ...any) error) error {
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
		return bad("part of its bounding box is missing")
	}
	if !cs.Empty && !(cs.BBox.Min[0] <= cs.BBox.Max[0] && cs.BBox.Min[1] <= cs.BBox.Max[1]) {
		return bad("its bounding box is not a box")
	}
	return nil
}

// Changes returns the changesets recorded in the snapshot that match f,
// newest first; see geo.Snapshot.
func (snap *snapshot) Changes(ctx context.Context, f geo.ChangeFilter) ([]geo.Changeset, error) {
	var q query
	sql := "SELECT " + changesetColumns + " FROM changesets WHERE id <= " + q.arg(snap.version) + " AND id > " + q.arg(f.After)
	if !f.Since.IsZero() {
		sql += " AND recorded_at >= " + q.arg(f.Since.UnixMicro())
	}
	if !f.Until.IsZero() {
		sql += " AND recorded_at < " + q.arg(f.Until.UnixMicro())
	}
	if f.Limit > 0 && len(f.Layers) == 0 && f.BBox == nil {
		sql += " ORDER BY id DESC LIMIT " + q.arg(int64(f.Limit))
	} else {
		sql += " ORDER BY id DESC"
	}
	rows, err := snap.s.pool.Query(ctx, sql, q.args...)
	if err != nil {
		return nil, snap.s.wrap(ctx, err)
	}
	defer rows.Close()
	out := []geo.Changeset{}
	for rows.Next() {
		cs, err := scanChangeset(rows)
		if err != nil {
			return nil, snap.s.wrap(ctx, err)
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
	return out, snap.s.wrap(ctx, rows.Err())
}

// Changeset returns one changeset recorded in the snapshot and what it
// did to each feature; see geo.Snapshot.
func (snap *snapshot) Changeset(ctx context.Context, id int64) (geo.Changeset, []geo.ChangeEntry, error) {
	if id < 1 || id > snap.version {
		return geo.Changeset{}, nil, geo.NotFoundf("changeset %d does not exist", id)
	}
	cs, err := scanChangeset(snap.s.pool.QueryRow(ctx, "SELECT "+changesetColumns+" FROM changesets WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return geo.Changeset{}, nil, geo.NotFoundf("changeset %d does not exist", id)
	}
	if err != nil {
		return geo.Changeset{}, nil, snap.s.wrap(ctx, err)
	}
	var entries []geo.ChangeEntry
	for _, layer := range cs.Layers {
		e, err := snap.entry(layer)
		if errors.Is(err, geo.ErrNotFound) {
			continue // layers are never removed; a damaged list names none
		}
		if entries, err = snap.s.changeEntries(ctx, e.num, layer, id, entries); err != nil {
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
func (s *Store) changeEntries(ctx context.Context, num int64, layer string, id int64, entries []geo.ChangeEntry) ([]geo.ChangeEntry, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, ver, true FROM features WHERE layer_num = $2 AND rec_from = $1
		UNION ALL
		SELECT id, ver, false FROM features WHERE layer_num = $2 AND rec_to = $1 AND rec_to < 9223372036854775807
		ORDER BY 1`, id, num)
	if err != nil {
		return nil, s.wrap(ctx, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			fid     string
			ver     int32
			written bool
		)
		if err := rows.Scan(&fid, &ver, &written); err != nil {
			return nil, s.wrap(ctx, err)
		}
		v := int(ver)
		if n := len(entries); n > 0 && entries[n-1].Layer == layer && entries[n-1].ID == fid {
			// Both rows of a replacement: the written one has the
			// higher number.
			last := &entries[n-1]
			last.Op, last.Version, last.Previous = geo.OpReplace, max(last.Version, v), min(last.Version, v)
			continue
		}
		en := geo.ChangeEntry{Op: geo.OpCreate, Layer: layer, ID: fid, Version: v, Previous: v - 1}
		if !written {
			en.Op, en.Previous = geo.OpDelete, v
		}
		entries = append(entries, en)
	}
	return entries, s.wrap(ctx, rows.Err())
}
