package geo

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// RevertCommit returns the Commit that undoes changeset id, read from
// snap (normally the current snapshot): a feature it created is deleted,
// one it replaced gets back the version it replaced, one it deleted is
// created again from its last version. Every edit carries the IfVersion
// of the version the changeset left, so a write committed between snap
// and the Commit makes the Commit fail with a *StaleError.
//
// Errors: ErrNotFound for an unknown changeset; ErrConflict, naming the
// features, when a later changeset changed any of them again, since
// undoing it would silently undo that later edit too.
func RevertCommit(ctx context.Context, snap Snapshot, id int64, note ChangeNote) (Commit, error) {
	_, entries, err := snap.Changeset(ctx, id)
	if err != nil {
		return Commit{}, err
	}
	c := Commit{Note: note}
	var conflicts []string
	for _, e := range entries {
		cur, err := snap.Feature(ctx, e.Layer, e.ID)
		switch {
		case errors.Is(err, ErrNotFound):
			cur = nil
		case err != nil:
			return Commit{}, err
		}
		switch e.Op {
		case OpCreate, OpReplace:
			if cur == nil || cur.Version != e.Version {
				conflicts = append(conflicts, e.Layer+"/"+e.ID)
				continue
			}
			if e.Op == OpCreate {
				c.Edits = append(c.Edits, Edit{Op: OpDelete, Layer: e.Layer, ID: e.ID, IfVersion: e.Version})
				continue
			}
			old, _, err := snap.FeatureVersion(ctx, e.Layer, e.ID, e.Previous)
			if err != nil {
				return Commit{}, fmt.Errorf("changeset %d: version %d of %s/%s: %w", id, e.Previous, e.Layer, e.ID, err)
			}
			c.Edits = append(c.Edits, Edit{Op: OpReplace, Layer: e.Layer, ID: e.ID, Feature: old, IfVersion: e.Version})
		case OpDelete:
			hist, err := snap.History(ctx, e.Layer, e.ID)
			if err != nil {
				return Commit{}, err
			}
			if cur != nil || len(hist) == 0 || hist[0].Number != e.Version {
				conflicts = append(conflicts, e.Layer+"/"+e.ID)
				continue
			}
			old, _, err := snap.FeatureVersion(ctx, e.Layer, e.ID, e.Version)
			if err != nil {
				return Commit{}, fmt.Errorf("changeset %d: version %d of %s/%s: %w", id, e.Version, e.Layer, e.ID, err)
			}
			c.Edits = append(c.Edits, Edit{Op: OpCreate, Layer: e.Layer, ID: e.ID, Feature: old, IfVersion: e.Version})
		}
	}
	if len(conflicts) > 0 {
		more := ""
		if len(conflicts) > 20 {
			more = fmt.Sprintf(" and %d more", len(conflicts)-20)
			conflicts = conflicts[:20]
		}
		return Commit{}, Conflictf("changeset %d cannot be reverted: later changes touched %s%s", id, strings.Join(conflicts, ", "), more)
	}
	if len(c.Edits) == 0 {
		return Commit{}, Conflictf("changeset %d changed no feature: nothing to revert", id)
	}
	if c.Note.Comment == "" {
		c.Note.Comment = fmt.Sprintf("revert of changeset %d", id)
	}
	return c, nil
}
