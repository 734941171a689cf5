package api

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"strata/geo"
)

// param is one decoded name=value pair of a query string.
type param struct{ name, value string }

// parsePair decodes one '&'-separated pair of a raw query string. Go's
// url.ParseQuery skips a pair it cannot read (a ';' in it, a bad
// %-escape) and goes on, so a mistyped filter silently filters nothing;
// here every such pair is an error naming the parameter as written.
func parsePair(raw string) (param, error) {
	if raw == "" {
		return param{}, geo.Invalidf("", "the query string has an empty parameter (two '&' in a row, or one at an end)")
	}
	rawName, rawValue, hasValue := strings.Cut(raw, "=")
	name, err := url.QueryUnescape(rawName)
	if err != nil {
		return param{}, geo.Invalidf(rawName, "query parameter name %q has a bad %%-escape; write %% as %%25", rawName)
	}
	switch {
	case name == "":
		return param{}, geo.Invalidf("", "query parameter %q has no name", raw)
	case strings.Contains(rawName, ";"):
		return param{}, geo.Invalidf(name, "query parameter name %q holds a ';', which does not separate parameters; use '&', or %%3B for a ';' in a name", name)
	case !hasValue:
		return param{}, geo.Invalidf(name, "query parameter %q has no value; write %s=VALUE", name, name)
	case strings.Contains(rawValue, ";"):
		return param{}, geo.Invalidf(name, "query parameter %q holds a ';', which does not separate parameters or values; use '&' between parameters and ',' within bbox, or %%3B for a ';' in a value", name)
	}
	value, err := url.QueryUnescape(rawValue)
	if err != nil {
		return param{}, geo.Invalidf(name, "query parameter %q has a bad %%-escape in %q; write %% as %%25", name, rawValue)
	}
	return param{name, value}, nil
}

// parseQuery decodes a raw query string strictly, in the order given.
// It stops at the first malformed pair (see parsePair) and returns the
// pairs before it with the error, so a caller checking names can report
// whichever offence comes first. The empty string holds no parameters.
// Where it succeeds, url.ParseQuery reads the same names and values.
func parseQuery(raw string) ([]param, error) {
	if raw == "" {
		return nil, nil
	}
	var ps []param
	for pair := range strings.SplitSeq(raw, "&") {
		p, err := parsePair(pair)
		if err != nil {
			return ps, err
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// checkParams reads the request's raw query string strictly and rejects
// the first pair, in the order given, that is malformed (see parsePair),
// names a parameter other than the allowed ones, or repeats one. Once it
// passes, r.URL.Query() holds exactly what the client sent.
func checkParams(r *http.Request, allowed ...string) error {
	ps, malformed := parseQuery(r.URL.RawQuery)
	seen := make(map[string]bool, len(ps))
	for _, p := range ps {
		if !slices.Contains(allowed, p.name) {
			if len(allowed) == 0 {
				return geo.Invalidf(p.name, "unknown query parameter %q; this endpoint takes none", p.name)
			}
			return geo.Invalidf(p.name, "unknown query parameter %q; this endpoint takes %s", p.name, strings.Join(allowed, ", "))
		}
		if seen[p.name] {
			return geo.Invalidf(p.name, "query parameter %q is given more than once", p.name)
		}
		seen[p.name] = true
	}
	return malformed
}
