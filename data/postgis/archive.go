package postgis

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"strata/geo"
)

// Export calls fn with the records of the store's archive, from one
// REPEATABLE READ transaction; see geo.Archiver.
func (s *Store) Export(ctx context.Context, fn func(geo.Record) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return s.wrap(ctx, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := s.export(ctx, tx, fn); err != nil {
		return s.wrap(ctx, err)
	}
	return nil
}

func (s *Store) export(ctx context.Context, tx pgx.Tx, fn func(geo.Record) error) error {
	var version int64
	if err := tx.QueryRow(ctx, "SELECT version FROM meta").Scan(&version); err != nil {
		return err
	}
	// Layers, by order then id, and their ids by number.
	rows, err := tx.Query(ctx, "SELECT "+layerColumns+" FROM layers l ORDER BY l.ord, l.id")
	if err != nil {
		return err
	}
	var layers []geo.Layer
	for rows.Next() {
		var (
			num                                          int64
			id, title, desc, kind, grp, style, attr, lic string
			ord                                          int64
		)
		if err := rows.Scan(&num, &id, &title, &desc, &kind, &grp, &style, &attr, &lic, &ord); err != nil {
			return err
		}
		l, err := makeLayer(id, title, desc, kind, grp, style, attr, lic, ord)
		if err != nil {
			return err
		}
		layers = append(layers, l)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range layers {
		if err := fn(geo.Record{Layer: &layers[i]}); err != nil {
			return err
		}
	}
	tokens, err := s.tokens(ctx, tx)
	if err != nil {
		return err
	}
	for i := range tokens {
		if err := fn(geo.Record{Token: &tokens[i]}); err != nil {
			return err
		}
	}
	briefings, err := s.briefings(ctx, tx)
	if err != nil {
		return err
	}
	for i := range briefings {
		if err := fn(geo.Record{Briefing: &briefings[i]}); err != nil {
			return err
		}
	}
	// The changesets, then the rows in changeset order, each changeset
	// given before its rows.
	var css []geo.Changeset
	rows, err = tx.Query(ctx, "SELECT "+changesetColumns+" FROM changesets ORDER BY id")
	if err != nil {
		return err
	}
	for rows.Next() {
		cs, err := scanChangeset(rows)
		if err != nil {
			return err
		}
		css = append(css, cs)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = tx.Query(ctx, "SELECT l.id, f.pos, f.rec_from, f.rec_to, "+featureColumns+
		" FROM features f JOIN layers l ON l.num = f.layer_num ORDER BY f.rec_from, l.id, f.pos, f.id")
	if err != nil {
		return err
	}
	defer rows.Close()
	next := 0 // the next changeset to give
	var last int64
	for rows.Next() {
		r := rawOf(rows)
		row := geo.Row{Layer: r.str(0), Feature: &geo.Feature{}}
		var err error
		if row.Pos, err = r.int(1); err != nil {
			return err
		}
		if row.From, err = r.int(2); err != nil {
			return err
		}
		if row.To, err = r.int(3); err != nil {
			return err
		}
		if row.To == openEnd {
			row.To = 0
		}
		row.Feature.Layer = row.Layer
		if _, err := s.readFeature(r, 4, row.Feature, false, nil); err != nil {
			return err
		}
		row.Feature.Properties = slices.Clone(row.Feature.Properties)
		for next < len(css) && css[next].ID <= row.From {
			last = css[next].ID
			if err := fn(geo.Record{Changeset: &css[next]}); err != nil {
				return err
			}
			next++
		}
		if last != row.From {
			return fmt.Errorf("postgis: feature %q of layer %q: version %d was written by changeset %d, which is missing", row.Feature.ID, row.Layer, row.Feature.Version, row.From)
		}
		if err := fn(geo.Record{Row: &row}); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for ; next < len(css); next++ {
		if err := fn(geo.Record{Changeset: &css[next]}); err != nil {
			return err
		}
	}
	return fn(geo.Record{Version: version})
}

// tokens reads every token by name.
func (s *Store) tokens(ctx context.Context, q querier) ([]geo.Token, error) {
	rows, err := q.Query(ctx, "SELECT name, hash, layers, created, expires, revoked, unconditional FROM tokens ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []geo.Token
	for rows.Next() {
		var (
			t                geo.Token
			layers           string
			created          int64
			expires, revoked *int64
		)
		if err := rows.Scan(&t.Name, &t.Hash, &layers, &created, &expires, &revoked, &t.Unconditional); err != nil {
			return nil, err
		}
		t.Created, t.Expires, t.Revoked = timeOf(&created), timeOf(expires), timeOf(revoked)
		if err := json.Unmarshal([]byte(layers), &t.Layers); err != nil {
			return nil, fmt.Errorf("postgis: token %q is damaged: layers: %v", t.Name, err)
		}
		if err := t.Check(); err != nil {
			return nil, fmt.Errorf("postgis: token %q is damaged: %v", t.Name, err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// briefings reads every briefing by id.
func (s *Store) briefings(ctx context.Context, q querier) ([]geo.Briefing, error) {
	rows, err := q.Query(ctx, "SELECT id, body FROM briefings ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []geo.Briefing
	for rows.Next() {
		var id, body string
		if err := rows.Scan(&id, &body); err != nil {
			return nil, err
		}
		b, err := decodeBriefing(id, body)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// restoreRows inserts feature versions as they are given, in arrays.
const restoreRows = `
	INSERT INTO features (layer_num, rec_from, rec_to, ver, pos, id, name, kind, geom, minx, miny, maxx, maxy,
		valid_from, valid_to, precision_m, properties, sources, json)
	SELECT u.layer_num, u.rec_from, u.rec_to, u.ver, u.pos, u.id, u.name, u.kind, ST_GeomFromWKB(u.wkb, 4326),
		u.minx, u.miny, u.maxx, u.maxy, u.vf, u.vt, u.prec, u.props, u.srcs, u.json
	FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::int[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::bytea[],
		$10::float8[], $11::float8[], $12::float8[], $13::float8[], $14::bigint[], $15::bigint[], $16::float8[],
		$17::text[], $18::text[], $19::text[])
		AS u (layer_num, rec_from, rec_to, ver, pos, id, name, kind, wkb, minx, miny, maxx, maxy, vf, vt, prec, props, srcs, json)`

// restoreBatch is a rowBatch with the columns Restore gives as well.
type restoreBatch struct {
	rowBatch
	layer, from, to []int64
	ver             []int32
}

func (b *restoreBatch) flush(ctx context.Context, tx pgx.Tx) error {
	if b.len() == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, restoreRows, b.layer, b.from, b.to, b.ver, b.pos, b.id, b.name, b.kind, b.wkb,
		b.minx, b.miny, b.maxx, b.maxy, b.vf, b.vt, b.prec, b.props, b.srcs, b.json)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "23514") {
		return geo.Invalidf("archive", "the archive's feature versions break a rule of the store: %s (%s)", pe.Message, pe.Detail)
	}
	b.reset()
	b.layer, b.from, b.to, b.ver = b.layer[:0], b.from[:0], b.to[:0], b.ver[:0]
	return err
}

// Restore writes the archive seq into an empty store, in one transaction;
// see geo.Archiver. Records are checked as they come: their order, the
// layers rows and changesets name, and each value as an import or a read
// checks it.
func (s *Store) Restore(ctx context.Context, seq iter.Seq2[geo.Record, error]) error {
	return s.write(ctx, func(tx pgx.Tx, _ int64) (int64, bool, error) {
		if err := useIndexes(ctx, tx); err != nil {
			return 0, false, err
		}
		var nonEmpty bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM layers) OR EXISTS (SELECT 1 FROM changesets)
			OR EXISTS (SELECT 1 FROM tokens) OR EXISTS (SELECT 1 FROM briefings)`).Scan(&nonEmpty); err != nil {
			return 0, false, err
		}
		if nonEmpty {
			return 0, false, geo.Conflictf("the store is not empty: an archive is restored into an empty store only")
		}
		r := restorer{ctx: ctx, tx: tx, layers: map[string]int64{}}
		for rec, err := range geo.CheckedArchive(seq) {
			if err != nil {
				return 0, false, err
			}
			if err := r.record(rec); err != nil {
				return 0, false, err
			}
		}
		if err := r.finish(); err != nil {
			return 0, false, err
		}
		return r.version, true, nil
	})
}

// Restore's phases, the order of an archive's records.
const (
	phaseLayers = iota
	phaseTokens
	phaseBriefings
	phaseChangesets
	phaseDone
)

// restorer checks and writes an archive's records in order.
type restorer struct {
	ctx    context.Context
	tx     pgx.Tx
	n      int // records so far
	phase  int
	layers map[string]int64 // layer numbers by id

	lastLayer    *geo.Layer
	lastToken    string
	lastBriefing string
	cs           *geo.Changeset // the current changeset
	lastRow      *geo.Row
	batch        restoreBatch
	version      int64
}

// at names the record for errors.
func (r *restorer) invalid(format string, args ...any) error {
	return geo.Invalidf("archive", "archive record %d: %s", r.n, fmt.Sprintf(format, args...))
}

// enter moves to phase p, or refuses a record that comes too late.
func (r *restorer) enter(p int, what string) error {
	if r.phase > p {
		return r.invalid("%s comes after the records that follow it in an archive", what)
	}
	r.phase = p
	return nil
}

func (r *restorer) record(rec geo.Record) error {
	r.n++
	set := 0
	for _, b := range []bool{rec.Layer != nil, rec.Token != nil, rec.Briefing != nil, rec.Changeset != nil, rec.Row != nil} {
		if b {
			set++
		}
	}
	if set > 1 || (set == 1 && rec.Version != 0) {
		return r.invalid("more than one field is set")
	}
	if r.phase == phaseDone {
		return r.invalid("a record follows the data version, which ends an archive")
	}
	ctx, tx := r.ctx, r.tx
	switch {
	case rec.Layer != nil:
		l := *rec.Layer
		if err := r.enter(phaseLayers, "a layer"); err != nil {
			return err
		}
		if err := l.Validate(); err != nil {
			return r.invalid("%v", err)
		}
		if p := r.lastLayer; p != nil && cmp.Or(cmp.Compare(p.Order, l.Order), strings.Compare(p.ID, l.ID)) >= 0 {
			return r.invalid("layer %q is out of order (layers come by order, then id, once each)", l.ID)
		}
		r.lastLayer = &l
		if err := putLayer(ctx, tx, l); err != nil {
			return err
		}
		var num int64
		if err := tx.QueryRow(ctx, "SELECT num FROM layers WHERE id = $1", l.ID).Scan(&num); err != nil {
			return err
		}
		r.layers[l.ID] = num
	case rec.Token != nil:
		t := *rec.Token
		if err := r.enter(phaseTokens, "a token"); err != nil {
			return err
		}
		if err := t.Check(); err != nil {
			return r.invalid("%v", err)
		}
		if r.lastToken >= t.Name {
			return r.invalid("token %q is out of order (tokens come by name, once each)", t.Name)
		}
		r.lastToken = t.Name
		if t.Created.IsZero() || !subMicro(t.Created, t.Expires, t.Revoked) {
			return r.invalid("token %q: its times must be set to the microsecond", t.Name)
		}
		layers, err := json.Marshal(t.Layers)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO tokens (name, hash, layers, created, expires, revoked, unconditional) VALUES ($1, $2, $3, $4, $5, $6, $7)",
			t.Name, t.Hash, string(layers), t.Created.UnixMicro(), micros(t.Expires), micros(t.Revoked), t.Unconditional); err != nil {
			return err
		}
	case rec.Briefing != nil:
		b := *rec.Briefing
		if err := r.enter(phaseBriefings, "a briefing"); err != nil {
			return err
		}
		if err := b.Validate(); err != nil {
			return r.invalid("%v", err)
		}
		if r.lastBriefing >= b.ID {
			return r.invalid("briefing %q is out of order (briefings come by id, once each)", b.ID)
		}
		r.lastBriefing = b.ID
		body, err := json.Marshal(b)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO briefings (id, body) VALUES ($1, $2)", b.ID, string(body)); err != nil {
			return err
		}
	case rec.Changeset != nil:
		return r.changeset(*rec.Changeset)
	case rec.Row != nil:
		return r.row(rec.Row)
	default:
		if err := r.batch.flush(ctx, tx); err != nil {
			return err
		}
		if r.cs != nil && rec.Version < r.cs.ID {
			return r.invalid("data version %d is before changeset %d", rec.Version, r.cs.ID)
		}
		if rec.Version < 0 {
			return r.invalid("data version %d is negative", rec.Version)
		}
		r.phase, r.version = phaseDone, rec.Version
	}
	return nil
}

// subMicro reports whether every time is zero or whole microseconds.
func subMicro(ts ...time.Time) bool {
	for _, t := range ts {
		if !t.IsZero() && t.Nanosecond()%1000 != 0 {
			return false
		}
	}
	return true
}

func (r *restorer) changeset(cs geo.Changeset) error {
	if err := r.enter(phaseChangesets, "a changeset"); err != nil {
		return err
	}
	if cs.ID < 1 || (r.cs != nil && cs.ID <= r.cs.ID) {
		return r.invalid("changeset %d is out of order (changesets come by id, from 1)", cs.ID)
	}
	if r.cs != nil && !cs.RecordedAt.After(r.cs.RecordedAt) {
		return r.invalid("changeset %d is not recorded after changeset %d", cs.ID, r.cs.ID)
	}
	if cs.RecordedAt.IsZero() || !subMicro(cs.RecordedAt) {
		return r.invalid("changeset %d: its record time must be set to the microsecond", cs.ID)
	}
	if len(cs.Written) > 0 {
		return r.invalid("changeset %d lists the versions a commit wrote, which an archive never holds", cs.ID)
	}
	bad := func(format string, args ...any) error {
		return r.invalid("changeset %d: %s", cs.ID, fmt.Sprintf(format, args...))
	}
	if err := checkChangeset(&cs, true, bad); err != nil {
		return err
	}
	for _, l := range cs.Layers {
		if _, ok := r.layers[l]; !ok {
			return bad("layer %q is not in the archive", l)
		}
	}
	r.cs, r.lastRow = &cs, nil
	layers, err := json.Marshal(cs.Layers)
	if err != nil {
		return err
	}
	if cs.Layers == nil {
		layers = []byte("[]")
	}
	var box [4]*float64
	if !cs.Empty {
		box = [4]*float64{&cs.BBox.Min[0], &cs.BBox.Min[1], &cs.BBox.Max[0], &cs.BBox.Max[1]}
	}
	_, err = r.tx.Exec(r.ctx, `INSERT INTO changesets (id, recorded_at, author, comment, layers, created, changed, deleted, minx, miny, maxx, maxy)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		cs.ID, cs.RecordedAt.UnixMicro(), cs.Author, cs.Comment, string(layers), cs.Created, cs.Changed, cs.Deleted, box[0], box[1], box[2], box[3])
	return err
}

func (r *restorer) row(row *geo.Row) error {
	if r.phase != phaseChangesets || r.cs == nil {
		return r.invalid("a feature version comes before any changeset")
	}
	f := row.Feature
	if f == nil {
		return r.invalid("a feature version without its feature")
	}
	if row.From != r.cs.ID {
		return r.invalid("feature %q of layer %q: version written by changeset %d follows changeset %d", f.ID, row.Layer, row.From, r.cs.ID)
	}
	num, ok := r.layers[row.Layer]
	if !ok {
		return r.invalid("feature %q: layer %q is not in the archive", f.ID, row.Layer)
	}
	if f.Layer != row.Layer {
		return r.invalid("feature %q of layer %q says it is of layer %q", f.ID, row.Layer, f.Layer)
	}
	if p := r.lastRow; p != nil && cmp.Or(strings.Compare(p.Layer, row.Layer), cmp.Compare(p.Pos, row.Pos), strings.Compare(p.Feature.ID, f.ID)) >= 0 {
		return r.invalid("feature %q of layer %q is out of order (a changeset's versions come by layer, position and id)", f.ID, row.Layer)
	}
	r.lastRow = row
	if f.Version < 1 {
		return r.invalid("feature %q of layer %q: version number %d", f.ID, row.Layer, f.Version)
	}
	if row.To != 0 && row.To <= row.From {
		return r.invalid("feature %q of layer %q: version %d is closed by changeset %d, not after it was written by %d", f.ID, row.Layer, f.Version, row.To, row.From)
	}
	if f.JSON != nil {
		return r.invalid("feature %q of layer %q: an archive holds features, not their encodings", f.ID, row.Layer)
	}
	if err := f.Validate(); err != nil {
		return r.invalid("feature %q of layer %q: %v", f.ID, row.Layer, err)
	}
	if err := geo.CheckStoredInterval(f.Valid); err != nil {
		return r.invalid("feature %q of layer %q: %v", f.ID, row.Layer, err)
	}
	if err := r.batch.add(f, row.Pos); err != nil {
		return r.invalid("%v", err)
	}
	to := row.To
	if to == 0 {
		to = openEnd
	}
	b := &r.batch
	b.layer, b.from, b.to, b.ver = append(b.layer, num), append(b.from, row.From), append(b.to, to), append(b.ver, int32(f.Version))
	if b.len() == importBatch {
		return b.flush(r.ctx, r.tx)
	}
	return nil
}

// finish checks what only the whole archive shows and sets what follows
// from it.
func (r *restorer) finish() error {
	if r.phase != phaseDone {
		return geo.Invalidf("archive", "the archive ends without its data version: it is not whole")
	}
	ctx, tx := r.ctx, r.tx
	var bad struct {
		id       *string
		ver      *int32
		from, to *int64
	}
	err := tx.QueryRow(ctx, `SELECT f.id, f.ver, f.rec_from, f.rec_to FROM features f
		WHERE f.rec_to < 9223372036854775807 AND (f.rec_to > $1 OR NOT EXISTS (SELECT 1 FROM changesets c WHERE c.id = f.rec_to))
		LIMIT 1`, r.version).Scan(&bad.id, &bad.ver, &bad.from, &bad.to)
	if err == nil {
		return geo.Invalidf("archive", "feature %q: version %d is closed by changeset %d, which is not in the archive", *bad.id, *bad.ver, *bad.to)
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	_, err = tx.Exec(ctx, "UPDATE layers l SET last_pos = coalesce((SELECT max(pos) FROM features f WHERE f.layer_num = l.num), 0)")
	return err
}
