package geo

import "context"

// SearchWhere is Search with a further predicate on whole features: the
// store narrows by f's layer, box and time through its indexes, then
// match decides. f's Limit and Offset apply to the features that pass
// match, and the count returned is theirs (an items page's
// numberMatched). Light and Encoded are ignored, since match needs every
// field. fn is called as Search calls it; match must not keep the feature.
//
// With match nil it is Search itself.
func SearchWhere(ctx context.Context, snap Snapshot, f Filter, match func(*Feature) bool, fn func(*Feature) error) (int, error) {
	if match == nil {
		return snap.Search(ctx, f, fn)
	}
	limit, offset := f.Limit, f.Offset
	f.Limit, f.Offset, f.Light, f.Encoded = 0, 0, false, false
	n := 0
	_, err := snap.Search(ctx, f, func(feat *Feature) error {
		if !match(feat) {
			return nil
		}
		n++
		if fn == nil || n <= offset || (limit > 0 && n > offset+limit) {
			return nil
		}
		return fn(feat)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
