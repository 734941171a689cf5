package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"iter"

	"github.com/paulmach/orb/encoding/wkb"

	"strata/geo"
)

var _ geo.Archiver = (*DB)(nil)

// Export calls fn with the records of the database's archive
// (geo.Archiver), all read in one read transaction: a write that commits
// meanwhile is left out. Every row is checked as a query checks it.
func (s *DB) Export(ctx context.Context, fn func(geo.Record) error) error {
	conn, end, err := s.readTx(ctx)
	if err != nil {
		return err
	}
	defer end()
	var version int64
	if err := conn.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'version'").Scan(&version); err != nil {
		return err
	}
	// The small tables are read whole first: one statement at a time on
	// the connection.
	snap := &snapshot{db: s, byID: map[string]layerEntry{}}
	if err := snap.readLayers(ctx, conn); err != nil {
		return err
	}
	tokens, err := readTokens(ctx, conn)
	if err != nil {
		return err
	}
	briefings, err := readBriefings(ctx, conn)
	if err != nil {
		return err
	}
	changesets, err := readChangesets(ctx, conn, version)
	if err != nil {
		return err
	}
	for i := range snap.list {
		if err := fn(geo.Record{Layer: &snap.list[i]}); err != nil {
			return err
		}
	}
	for i := range tokens {
		if err := fn(geo.Record{Token: &tokens[i]}); err != nil {
			return err
		}
	}
	for i := range briefings {
		if err := fn(geo.Record{Briefing: &briefings[i]}); err != nil {
			return err
		}
	}
	rows, err := conn.QueryContext(ctx, `
		SELECT f.seq, l.id, f.pos, f.rec_from, f.rec_to, f.ver, f.id, f.name, f.kind, f.geom,
			f.valid_from, f.valid_to, f.precision_m, f.properties, f.sources
		FROM features f JOIN layers l ON l.num = f.layer_num
		WHERE f.rec_from <= ?
		ORDER BY f.rec_from, l.id, f.pos, f.id`, version)
	if err != nil {
		return err
	}
	defer rows.Close()
	next := 0 // the next changeset to give
	for rows.Next() {
		var (
			seq               int64
			r                 geo.Row
			f                 geo.Feature
			geom, props, srcs []byte
		)
		if err := rows.Scan(&seq, &r.Layer, &r.Pos, &r.From, &r.To, &f.Version, &f.ID, &f.Name, &f.Kind, &geom,
			&f.Valid.Start, &f.Valid.End, &f.PrecisionM, &props, &srcs); err != nil {
			return err
		}
		f.Layer = r.Layer
		if err := s.decodeFeature(&f, seq, geom, props, srcs); err != nil {
			return err
		}
		if r.To > version {
			r.To = 0 // open, or closed after the exported version
		}
		r.Feature = &f
		for next < len(changesets) && changesets[next].ID <= r.From {
			if err := fn(geo.Record{Changeset: &changesets[next]}); err != nil {
				return err
			}
			next++
		}
		if next == 0 || changesets[next-1].ID != r.From {
			return fmt.Errorf("sqlite: feature %q of layer %q (row %d) was written by changeset %d, which is missing", f.ID, r.Layer, seq, r.From)
		}
		if err := fn(geo.Record{Row: &r}); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for ; next < len(changesets); next++ {
		if err := fn(geo.Record{Changeset: &changesets[next]}); err != nil {
			return err
		}
	}
	return fn(geo.Record{Version: version})
}

// readChangesets reads the changesets up to version, by id.
func readChangesets(ctx context.Context, conn *sql.Conn, version int64) ([]geo.Changeset, error) {
	rows, err := conn.QueryContext(ctx, "SELECT "+changesetColumns+" FROM changesets WHERE id <= ? ORDER BY id", version)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []geo.Changeset
	for rows.Next() {
		cs, err := scanChangeset(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, cs)
	}
	return out, rows.Err()
}

// Restore writes the archive seq into the database, which must be empty
// (geo.Archiver), in one write transaction: the records are checked
// (geo.ArchiveCheck) as they are written, and the transaction commits
// only once the archive has ended well. The data version and the layers
// are then read anew by the next Snapshot, in this process as in others.
func (s *DB) Restore(ctx context.Context, seq iter.Seq2[geo.Record, error]) error {
	done, err := s.write(ctx)
	if err != nil {
		return err
	}
	defer done()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// A 64 MiB page cache while it writes, as Import has.
	if _, err := conn.ExecContext(ctx, "PRAGMA cache_size = -65536"); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA cache_size = "+cacheSize)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := checkEmpty(ctx, tx); err != nil {
		return err
	}
	rs := restorer{tx: tx, nums: map[string]int64{}}
	defer rs.close()
	if rs.insertRow, err = tx.PrepareContext(ctx, `
		INSERT INTO features (layer_num, pos, id, name, kind, geom, minx, miny, maxx, maxy, valid_from, valid_to, precision_m, properties, sources, rec_from, rec_to, ver)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`); err != nil {
		return err
	}
	for r, err := range geo.CheckedArchive(seq) {
		if err != nil {
			return err
		}
		if err := rs.put(ctx, r); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	// The extents kept are by version, which may be the one restored.
	s.mu.Lock()
	clear(s.extents)
	s.mu.Unlock()
	s.snap.Store(nil)
	return nil
}

// checkEmpty returns ErrConflict unless the database holds no layer,
// changeset, token or briefing.
func checkEmpty(ctx context.Context, tx *sql.Tx) error {
	var layers, changesets, tokens, briefings int
	err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM layers), (SELECT count(*) FROM changesets),
		(SELECT count(*) FROM tokens), (SELECT count(*) FROM briefings)`).Scan(&layers, &changesets, &tokens, &briefings)
	if err != nil {
		return err
	}
	if layers+changesets+tokens+briefings > 0 {
		return geo.Conflictf("the database is not empty (%d layers, %d changesets, %d tokens, %d briefings): an archive is restored only into an empty database",
			layers, changesets, tokens, briefings)
	}
	return nil
}

// restorer writes checked records in a Restore's transaction.
type restorer struct {
	tx        *sql.Tx
	nums      map[string]int64 // layer numbers by id
	insertRow *sql.Stmt
}

func (rs *restorer) close() {
	if rs.insertRow != nil {
		rs.insertRow.Close()
	}
}

// put writes one record, which geo.ArchiveCheck has passed.
func (rs *restorer) put(ctx context.Context, r geo.Record) error {
	tx := rs.tx
	switch {
	case r.Layer != nil:
		if err := putLayer(ctx, tx, *r.Layer); err != nil {
			return err
		}
		var num int64
		if err := tx.QueryRowContext(ctx, "SELECT num FROM layers WHERE id = ?", r.Layer.ID).Scan(&num); err != nil {
			return err
		}
		rs.nums[r.Layer.ID] = num
	case r.Token != nil:
		t := r.Token
		layers, err := json.Marshal(t.Layers)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO tokens (name, hash, layers, created, expires, revoked, unconditional) VALUES (?, ?, ?, ?, ?, ?, ?)",
			t.Name, t.Hash, string(layers), t.Created.UnixMicro(), micros(t.Expires), micros(t.Revoked), t.Unconditional)
		return err
	case r.Briefing != nil:
		body, err := json.Marshal(r.Briefing)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO briefings (id, title, body) VALUES (?, ?, ?)", r.Briefing.ID, r.Briefing.Title, string(body))
		return err
	case r.Changeset != nil:
		return insertChangeset(ctx, tx, r.Changeset, r.Changeset.RecordedAt.UnixMicro())
	case r.Row != nil:
		row, f := r.Row, r.Row.Feature
		geom, err := wkb.Marshal(f.Geometry)
		if err != nil {
			return geo.Invalidf("archive", "version %d of feature %q in layer %q: geometry: %v", f.Version, f.ID, row.Layer, err)
		}
		props := string(f.Properties)
		if props == "" {
			props = "{}"
		}
		srcs, err := json.Marshal(f.Sources)
		if err != nil {
			return err
		}
		to := row.To
		if to == 0 {
			to = geo.OpenEnd
		}
		b := f.Geometry.Bound()
		_, err = rs.insertRow.ExecContext(ctx, rs.nums[row.Layer], row.Pos, f.ID, f.Name, f.Kind, geom, b.Min[0], b.Min[1], b.Max[0], b.Max[1],
			f.Valid.Start, f.Valid.End, f.PrecisionM, props, string(srcs), row.From, to, f.Version)
		return err
	default:
		_, err := tx.ExecContext(ctx, "UPDATE meta SET value = ? WHERE key = 'version'", r.Version)
		return err
	}
	return nil
}
