package postgis

import (
	"bytes"
	"context"

	"github.com/jackc/pgx/v5"

	"strata/geo"
	"strata/geo/geojson"
)

// afterMigration are the steps that follow a migration file, by its
// name, in the same transaction: what SQL alone cannot do.
var afterMigration = map[string]func(s *Store, ctx context.Context, tx pgx.Tx) error{
	"migrations/002_geojson_datetimes.sql": (*Store).reencodeFeatures,
}

// reencodeBatch is how many rows reencodeFeatures reads and rewrites at
// a time.
const reencodeBatch = 2000

// reencodeFeatures rewrites the stored GeoJSON (the json column) of every
// row, current or not, as geo/geojson.AppendFeature writes it now, where
// it differs. A row whose stored values cannot be read is left as it is:
// it is reported as damaged when it is read whole, as before.
func (s *Store) reencodeFeatures(ctx context.Context, tx pgx.Tx) error {
	var after int64
	var seqs []int64
	var encs []string
	var buf []byte
	for {
		rows, err := tx.Query(ctx, "SELECT "+featureColumns+", f.json FROM features f WHERE f.seq > $1 ORDER BY f.seq LIMIT $2", after, reencodeBatch)
		if err != nil {
			return err
		}
		n := 0
		seqs, encs = seqs[:0], encs[:0]
		for rows.Next() {
			n++
			r := rawOf(rows)
			seq, err := r.int(0)
			if err != nil {
				rows.Close()
				return err
			}
			after = seq
			var feat geo.Feature
			if _, err := s.readFeature(r, 0, &feat, false, nil); err != nil {
				continue
			}
			// As the row was written (see rowBatch.add): no name, kind
			// or version of its own.
			stored := geo.Feature{ID: feat.ID, Geometry: feat.Geometry, Properties: feat.Properties, Valid: feat.Valid, PrecisionM: feat.PrecisionM, Sources: feat.Sources}
			buf = geojson.AppendFeature(buf[:0], &stored)
			if !bytes.Equal(buf, r.vals[11]) {
				seqs, encs = append(seqs, seq), append(encs, string(buf))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(seqs) > 0 {
			if _, err := tx.Exec(ctx, `UPDATE features AS f SET json = u.json
				FROM unnest($1::bigint[], $2::text[]) AS u (seq, json) WHERE f.seq = u.seq`, seqs, encs); err != nil {
				return err
			}
		}
		if n < reencodeBatch {
			return nil
		}
	}
}
