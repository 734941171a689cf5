package api

import (
	"strconv"
	"strings"
)

// acceptRange is how an Accept header rates one media type: q is the
// weight of the most specific range matching it (0 when none does),
// exact says that range names the type itself, and at is its position.
type acceptRange struct {
	q     float64
	exact bool
	at    int
}

// rate returns how the Accept header value accept rates mediaType (such
// as "text/html"), following RFC 9110 §12.5.1: the most specific matching
// range wins (type/subtype over type/* over */*), and a range without a
// valid q has q=1. A malformed range matches nothing.
func rate(accept, mediaType string) acceptRange {
	best, bestSpec := acceptRange{at: -1}, -1
	typ, _, _ := strings.Cut(mediaType, "/")
	for i, part := range strings.Split(accept, ",") {
		params := strings.Split(part, ";")
		rng := strings.ToLower(strings.TrimSpace(params[0]))
		spec := -1
		switch {
		case rng == mediaType:
			spec = 2
		case rng == typ+"/*":
			spec = 1
		case rng == "*/*":
			spec = 0
		}
		if spec <= bestSpec {
			continue
		}
		q := 1.0
		for _, p := range params[1:] {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || !(f >= 0 && f <= 1) {
					f = 0 // a weight that cannot be read accepts nothing
				}
				q = f
			}
		}
		best, bestSpec = acceptRange{q: q, exact: spec == 2, at: i}, spec
	}
	return best
}

// prefersHTML reports whether an Accept header value asks for HTML over
// JSON: text/html must be acceptable (q > 0) and weigh more than
// application/json, or as much when text/html is named and JSON only by
// a wildcard, or both are named and HTML first. Browsers send
// "text/html,…,*/*;q=0.8"; API clients send application/json, */* or
// nothing, and get JSON.
func prefersHTML(accept string) bool {
	h, j := rate(accept, mediaHTML), rate(accept, mediaJSON)
	switch {
	case h.q <= 0:
		return false
	case h.q != j.q:
		return h.q > j.q
	case !h.exact:
		return false
	}
	return !j.exact || h.at < j.at
}
