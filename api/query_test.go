package api

import (
	"errors"
	"net/url"
	"slices"
	"testing"

	"strata/geo"
)

func TestParseQuery(t *testing.T) {
	cases := []struct {
		raw   string
		want  []param
		param string // the parameter the error names
		bad   bool   // parseQuery must fail
	}{
		{"", nil, "", false},
		{"limit=5", []param{{"limit", "5"}}, "", false},
		{"bbox=34%2C31%2C35%2C32&datetime=2025-10-10", []param{{"bbox", "34,31,35,32"}, {"datetime", "2025-10-10"}}, "", false},
		{"f=a+b", []param{{"f", "a b"}}, "", false},
		{"x=%3B", []param{{"x", ";"}}, "", false},
		{"x=", []param{{"x", ""}}, "", false},
		{"bbox=34.0;31.0;34.1;31.1", nil, "bbox", true},
		{"limit=1;", nil, "limit", true},
		{"limit=%ZZ", nil, "limit", true},
		{"x%ZZ=1", nil, "x%ZZ", true},
		{"a=1&foo=bar;", []param{{"a", "1"}}, "foo", true},
		{"a;b=1", nil, "a;b", true},
		{"limit", nil, "limit", true},
		{"=1", nil, "", true},
		{"a=1&", []param{{"a", "1"}}, "", true},
	}
	for _, c := range cases {
		t.Run(c.raw, func(t *testing.T) {
			got, err := parseQuery(c.raw)
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("pair %d: %v, want %v", i, got[i], c.want[i])
				}
			}
			if (err != nil) != c.bad {
				t.Fatalf("error %v, want one: %v", err, c.bad)
			}
			var ge *geo.Error
			if err != nil && (!errors.As(err, &ge) || !errors.Is(err, geo.ErrInvalid) || ge.Param != c.param) {
				t.Errorf("error %#v does not name parameter %q", err, c.param)
			}
		})
	}
}

// FuzzParseQuery checks that parseQuery never panics and, where it
// accepts a query, agrees with url.ParseQuery pair for pair.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "limit=5", "bbox=34.0;31.0;34.1;31.1", "x%ZZ=1", "a=1&a=2", "f=a+b&x=%3B", "a&b=", "=", "&&", "%", "a=%2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		ps, err := parseQuery(raw)
		if err != nil {
			return
		}
		v, perr := url.ParseQuery(raw)
		if perr != nil {
			t.Fatalf("parseQuery accepted %q, url.ParseQuery: %v", raw, perr)
		}
		n := 0
		for _, p := range ps {
			if p.name == "" {
				t.Fatalf("empty name from %q", raw)
			}
			if !slices.Contains(v[p.name], p.value) {
				t.Fatalf("%q: pair %q=%q not in %v", raw, p.name, p.value, v)
			}
			n++
		}
		total := 0
		for _, vals := range v {
			total += len(vals)
		}
		if total != n {
			t.Fatalf("%q: %d pairs, url.ParseQuery %d", raw, n, total)
		}
	})
}
