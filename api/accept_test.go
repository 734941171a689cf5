package api

import "testing"

func TestRate(t *testing.T) {
	cases := []struct {
		accept, media string
		want          acceptRange
	}{
		{"", mediaHTML, acceptRange{at: -1}},
		{"text/html", mediaHTML, acceptRange{q: 1, exact: true, at: 0}},
		{"*/*;q=0.8, text/html;q=0.5", mediaHTML, acceptRange{q: 0.5, exact: true, at: 1}},
		{"text/html;q=0.5, */*;q=0.8", mediaHTML, acceptRange{q: 0.5, exact: true, at: 0}},
		{"text/*;q=0.3, */*", mediaHTML, acceptRange{q: 0.3, at: 0}},
		{"application/json;q=2", mediaJSON, acceptRange{q: 0, exact: true, at: 0}},
		{"application/json; charset=utf-8; q=0.7", mediaJSON, acceptRange{q: 0.7, exact: true, at: 0}},
		{"image/png", mediaJSON, acceptRange{at: -1}},
	}
	for _, c := range cases {
		t.Run(c.accept+" "+c.media, func(t *testing.T) {
			if got := rate(c.accept, c.media); got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

// FuzzPrefersHTML checks that Accept parsing never panics, that a q of 0
// for HTML always means JSON, and that HTML is never chosen when JSON is
// weighted higher.
func FuzzPrefersHTML(f *testing.F) {
	for _, s := range []string{"", "*/*", "text/html", "text/html;q=0, application/json", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ";;,,q=", "text/*;q=1e-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		html := prefersHTML(accept)
		h, j := rate(accept, mediaHTML), rate(accept, mediaJSON)
		if h.q < 0 || h.q > 1 || j.q < 0 || j.q > 1 {
			t.Fatalf("%q: weights %v, %v out of [0, 1]", accept, h.q, j.q)
		}
		if html && (h.q == 0 || j.q > h.q) {
			t.Fatalf("%q: HTML chosen with q %v against JSON's %v", accept, h.q, j.q)
		}
		if prefersHTML(accept+", text/html;q=0") && h.at < 0 {
			// A later range for text/html with q=0 is the only one.
			t.Fatalf("%q: HTML chosen with q=0", accept)
		}
	})
}
