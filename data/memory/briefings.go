package memory

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"strata/geo"
)

var _ geo.BriefingStore = (*Store)(nil)

// Briefings are kept as their JSON, as the SQLite store keeps them: each
// read decodes a copy that shares nothing with the store, and what a
// briefing reads back is what every store gives. The map of them is
// copied on every write, like the rest of the store.

// PutBriefing stores a briefing, replacing one with the same id, as a
// write that gives the data a new version.
func (s *Store) PutBriefing(ctx context.Context, b geo.Briefing) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := b.Validate(); err != nil {
		return err
	}
	body, err := json.Marshal(b)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := maps.Clone(*s.briefings.Load())
	m[b.ID] = body
	st := s.next(nil)
	s.hmu.Lock()
	s.briefings.Store(&m)
	s.cur.Store(st)
	s.hmu.Unlock()
	return nil
}

// Briefings returns every briefing, by id.
func (s *Store) Briefings(ctx context.Context) ([]geo.Briefing, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m := *s.briefings.Load()
	var out []geo.Briefing
	for _, id := range slices.Sorted(maps.Keys(m)) {
		b, err := decodeBriefing(id, m[id])
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// Briefing returns one briefing, or ErrNotFound.
func (s *Store) Briefing(ctx context.Context, id string) (geo.Briefing, error) {
	if err := ctx.Err(); err != nil {
		return geo.Briefing{}, err
	}
	body, ok := (*s.briefings.Load())[id]
	if !ok {
		return geo.Briefing{}, geo.NotFoundf("briefing %q does not exist", id)
	}
	return decodeBriefing(id, body)
}

func decodeBriefing(id string, body []byte) (geo.Briefing, error) {
	var b geo.Briefing
	if err := json.Unmarshal(body, &b); err != nil {
		return b, fmt.Errorf("memory: briefing %s: %w", id, err)
	}
	return b, nil
}
