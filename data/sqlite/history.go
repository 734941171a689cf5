package sqlite

import (
	"context"
	"errors"
	"time"

	"strata/geo"
)

// errTODO marks the parts of the history contract not built yet.
var errTODO = errors.New("sqlite: history not implemented yet")

// SnapshotAt is not implemented yet.
func (s *DB) SnapshotAt(ctx context.Context, t time.Time) (geo.Snapshot, error) {
	return nil, errTODO
}

// Commit is not implemented yet.
func (s *DB) Commit(ctx context.Context, c geo.Commit) (geo.Changeset, error) {
	return geo.Changeset{}, errTODO
}

// PutToken is not implemented yet.
func (s *DB) PutToken(ctx context.Context, t geo.Token) error { return errTODO }

// Tokens is not implemented yet.
func (s *DB) Tokens(ctx context.Context) ([]geo.Token, error) { return nil, errTODO }

// RevokeToken is not implemented yet.
func (s *DB) RevokeToken(ctx context.Context, name string, at time.Time) error { return errTODO }

// History is not implemented yet.
func (st *snapshot) History(ctx context.Context, layer, id string) ([]geo.Version, error) {
	return nil, errTODO
}

// FeatureVersion is not implemented yet.
func (st *snapshot) FeatureVersion(ctx context.Context, layer, id string, number int) (*geo.Feature, geo.Version, error) {
	return nil, geo.Version{}, errTODO
}

// Changes is not implemented yet.
func (st *snapshot) Changes(ctx context.Context, f geo.ChangeFilter) ([]geo.Changeset, error) {
	return nil, errTODO
}

// Changeset is not implemented yet.
func (st *snapshot) Changeset(ctx context.Context, id int64) (geo.Changeset, []geo.ChangeEntry, error) {
	return geo.Changeset{}, nil, errTODO
}
