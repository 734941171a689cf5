package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"strata/geo"
)

var _ geo.BriefingStore = (*DB)(nil)

// PutBriefing stores a briefing, replacing one with the same id.
func (s *DB) PutBriefing(ctx context.Context, b geo.Briefing) error {
	if err := b.Validate(); err != nil {
		return err
	}
	body, err := json.Marshal(b)
	if err != nil {
		return err
	}
	tx, end, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer end()
	if _, err := tx.ExecContext(ctx, `INSERT INTO briefings (id, title, body) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET title = excluded.title, body = excluded.body`, b.ID, b.Title, string(body)); err != nil {
		return err
	}
	if err := bumpVersion(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Briefings returns every briefing, by id.
func (s *DB) Briefings(ctx context.Context) ([]geo.Briefing, error) {
	return readBriefings(ctx, s.db)
}

// readBriefings reads every briefing, by id.
func readBriefings(ctx context.Context, q rowsQueryer) ([]geo.Briefing, error) {
	rows, err := q.QueryContext(ctx, "SELECT body FROM briefings ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []geo.Briefing
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var b geo.Briefing
		if err := json.Unmarshal(body, &b); err != nil {
			return nil, fmt.Errorf("stored briefing: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Briefing returns one briefing, or an error wrapping geo.ErrNotFound.
func (s *DB) Briefing(ctx context.Context, id string) (geo.Briefing, error) {
	var body []byte
	err := s.db.QueryRowContext(ctx, "SELECT body FROM briefings WHERE id = ?", id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return geo.Briefing{}, geo.NotFoundf("briefing %q does not exist", id)
	}
	if err != nil {
		return geo.Briefing{}, err
	}
	var b geo.Briefing
	if err := json.Unmarshal(body, &b); err != nil {
		return geo.Briefing{}, fmt.Errorf("stored briefing %s: %w", id, err)
	}
	return b, nil
}
