package api

import (
	"context"
	"net/http"
	"time"

	"strata/geo"
)

// Record time ("as known on"). The parameter asof names an instant; the
// answer is read from the store's state as recorded then
// (geo.Store.SnapshotAt). Without it the answer is the current state.

// immutable is the Cache-Control of an answer about the past: it never
// changes.
const immutable = "public, max-age=31536000, immutable"

// parseAsOf reads an asof value: an RFC 3339 instant, or a date
// YYYY-MM-DD standing for the end of that UTC day (its last nanosecond),
// within the years 0 to 9999. Errors name asof.
func parseAsOf(s string) (time.Time, error) {
	if len(s) == len(time.DateOnly) {
		if d, err := time.Parse(time.DateOnly, s); err == nil {
			return d.AddDate(0, 0, 1).Add(-time.Nanosecond), nil
		}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, geo.Invalidf("asof", "asof %q is not an RFC 3339 instant (such as 2025-11-01T12:00:00Z) or a date (2025-11-01, the end of that UTC day)", short(s))
	}
	if y := t.UTC().Year(); y < 0 || y > 9999 {
		return time.Time{}, geo.Invalidf("asof", "asof %q is outside the years 0 to 9999", short(s))
	}
	return t.UTC(), nil
}

// short cuts a value quoted in a message to a readable length.
func short(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// pastKey is the context key marking a request answered from a snapshot
// of the past (see readAsOf).
type pastKey struct{}

// isPast reports whether r is answered from a snapshot of the past, whose
// answers never change.
func isPast(r *http.Request) bool {
	past, _ := r.Context().Value(pastKey{}).(bool)
	return past
}

// cacheControl is the Cache-Control of a successful answer to r: def, or
// immutable for an answer about the past.
func cacheControl(r *http.Request, def string) string {
	if isPast(r) {
		return immutable
	}
	return def
}

// readAsOf is read for the requests that take asof: with it, the
// snapshot is the store's state as recorded at that instant, and an
// instant older than geo.RecordSkew marks the request as about the past
// (see cacheControl). Every query of the request reads that snapshot, so
// ETags and tile cache keys follow its version.
func (s *Server) readAsOf(h dataHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// The raw query is checked strictly by the handler; a malformed
		// pair is reported there, so only a well-formed asof is read here.
		ps, _ := parseQuery(r.URL.RawQuery)
		var asof string
		found := false
		for _, p := range ps {
			if p.name == "asof" {
				if found {
					s.writeError(w, r, geo.Invalidf("asof", `query parameter "asof" is given more than once`))
					return
				}
				asof, found = p.value, true
			}
		}
		if !found {
			s.read(h)(w, r)
			return
		}
		t, err := parseAsOf(asof)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		snap, err := s.store.SnapshotAt(r.Context(), t)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if t.Before(time.Now().Add(-geo.RecordSkew)) {
			r = r.WithContext(context.WithValue(r.Context(), pastKey{}, true))
		}
		h(w, r, snap)
	}
}
