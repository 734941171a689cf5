package geo

import "github.com/paulmach/orb"

// Nothing read from storage is trusted blindly: a database file may have
// been written by another program, or damaged. The checks below apply the
// import rules to values read back, so that a store can skip (and log) a
// row that would otherwise crash a request or produce invalid JSON.

// CheckStoredInterval checks a valid time read from storage, which need
// not have been written by Strata: each bound is open (OpenStart,
// OpenEnd) or within MinTime to MaxTime, and the end is after the start.
// Stores call it on every interval they read, and skip (and log) a row
// it refuses. The error wraps ErrInvalid.
func CheckStoredInterval(iv Interval) error {
	if iv.Start != OpenStart && (iv.Start < MinTime || iv.Start > MaxTime) {
		return Invalidf("valid_from", "valid_from %d ms is outside the years 0 to 9999", iv.Start)
	}
	if iv.End != OpenEnd && (iv.End < MinTime || iv.End > MaxTime) {
		return Invalidf("valid_to", "valid_to %d ms is outside the years 0 to 9999", iv.End)
	}
	if iv.End <= iv.Start {
		return Invalidf("valid_to", "valid_to %d ms is not after valid_from %d ms", iv.End, iv.Start)
	}
	return nil
}

// CheckStoredGeometry checks a geometry read from storage as
// ValidateGeometry checks one on import: finite coordinates in range,
// GeoJSON structure, GeometryCollections nested at most
// MaxCollectionDepth deep. The error wraps ErrInvalid.
func CheckStoredGeometry(g orb.Geometry) error {
	return ValidateGeometry(g)
}

// CheckStoredFeature checks a whole feature read from storage against the
// import rules (see Feature.Validate and CheckStoredInterval), and its
// geometry against the kind of layer l. Stores reading full rows call it
// on each; reads of a few columns call CheckStoredGeometry,
// CheckStoredInterval and CheckUTF8 on what they read. The error wraps
// ErrInvalid.
func CheckStoredFeature(l *Layer, f *Feature) error {
	if err := l.ValidateFeature(f); err != nil {
		return err
	}
	return CheckStoredInterval(f.Valid)
}

// CheckImport checks a feature before a store keeps it in layer l (the
// layer as stored, whose kind may differ from an import's): the rules of
// Layer.ValidateFeature, and a valid time within the years Strata stores
// that ends after it starts. The error wraps ErrInvalid and names the
// feature.
func CheckImport(l *Layer, f *Feature) error {
	err := l.ValidateFeature(f)
	if err == nil {
		err = CheckStoredInterval(f.Valid)
	}
	if err != nil {
		return Invalidf("features", "feature %q: %v", f.ID, err)
	}
	return nil
}
