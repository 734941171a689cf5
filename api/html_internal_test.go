package api

import (
	"slices"
	"strings"
	"testing"
)

func TestHTMLHref(t *testing.T) {
	cases := []struct{ in, want string }{
		{"http://h/collections", "http://h/collections?f=html"},
		{"http://h/collections?f=json", "http://h/collections?f=html"},
		{"http://h/items?limit=10&f=json&offset=20", "http://h/items?limit=10&offset=20&f=html"},
		{"http://h/items?datetime=2025-10-10%2F..&bbox=1,2,3,4", "http://h/items?datetime=2025-10-10%2F..&bbox=1,2,3,4&f=html"},
		{"http://h/?f=json#licences", "http://h/?f=html#licences"},
		{"http://h/items?%66=json", "http://h/items?f=html"},
	}
	for _, c := range cases {
		if got := htmlHref(c.in); got != c.want {
			t.Errorf("htmlHref(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzWithoutFormat checks that withoutFormat drops the first f
// parameter of a well-formed query and keeps every other pair, in order.
func FuzzWithoutFormat(f *testing.F) {
	for _, s := range []string{"", "f=html", "limit=3&f=html&offset=2", "f=json&f=html", "%66=html&x=1", "a=1&&b=2", "f", "f=%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		before, err := parseQuery(raw)
		if err != nil {
			return
		}
		after, err := parseQuery(withoutFormat(raw))
		if err != nil {
			t.Fatalf("withoutFormat(%q) = %q, which does not parse: %v", raw, withoutFormat(raw), err)
		}
		if i := slices.IndexFunc(before, func(p param) bool { return p.name == "f" }); i >= 0 {
			before = slices.Delete(before, i, i+1)
		}
		if !slices.Equal(before, after) {
			t.Fatalf("withoutFormat(%q): %v, want %v", raw, after, before)
		}
		// Before any fragment, the address ends with the one f=html.
		if h, _, _ := strings.Cut(htmlHref("http://h/p?"+raw), "#"); !strings.HasSuffix(h, "f=html") {
			t.Fatalf("htmlHref of %q: %q", raw, h)
		}
	})
}
