package textmatch

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Rafah crossing (Egypt–Gaza)", "rafah crossing egypt gaza"},
		{"  Deir al-Balah ", "deir al balah"},
		{"Kerem Shalom (Karem Abu Salem)", "kerem shalom karem abu salem"},
		{"Zikim crossing (\"Western Erez\")", "zikim crossing western erez"},
		{"Ré-ouverture À ÉLÉ", "re ouverture a ele"},
		{"Straße Łódź Ærø", "strasse lodz aero"},
		{"غَزَّة", "غزة"},
		{"bad \xff byte", "bad byte"},
		{"", ""},
		{"–––", ""},
		{"≥21 countries", "21 countries"},
	} {
		if got := Fold(tc.in); got != tc.want {
			t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseAndMatch(t *testing.T) {
	text := Fold("Rafah crossing (Egypt–Gaza). The crossing at Rafah, reopened in part.")
	for _, tc := range []struct {
		q     string
		match bool
	}{
		{"rafah", true},
		{"RAFAH", true},
		{"Rafah crossing", true},
		{"crossing,rafah", true},
		{"ráfah", true},
		{"raf", true},
		{"rafah kerem", false},
		{"egypt-gaza", true},
		{"doha", false},
	} {
		q, err := Parse(tc.q)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.q, err)
		}
		if got := q.Match(text); got != tc.match {
			t.Errorf("%q matches %v, want %v", tc.q, got, tc.match)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want error
	}{
		{"", ErrEmpty},
		{"  ,, - ", ErrEmpty},
		{strings.Repeat("a", MaxQueryBytes+1), ErrTooLong},
		{strings.Repeat("a ", MaxWords+1), ErrTooManyWords},
	} {
		if _, err := Parse(tc.q); !errors.Is(err, tc.want) {
			t.Errorf("Parse(%q) = %v, want %v", tc.q, err, tc.want)
		}
	}
}

func TestRank(t *testing.T) {
	q, _ := Parse("rafah")
	names := []string{"Rafah", "Rafah crossing (Egypt–Gaza)", "Incident in Rafah", "Khan Yunis"}
	for i, n := range names {
		if got := q.Rank(Fold(n)); got != i {
			t.Errorf("Rank(%q) = %d, want %d", n, got, i)
		}
	}
}

// FuzzParse checks that Parse never panics, that what it accepts has
// between 1 and MaxWords folded words, and that a query matches the text
// it was made from.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"rafah", "Kerem Shalom", "ré,ouverture", "", "\xff", "غَزَّة 2025", "ß ß ß"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			return
		}
		if n := len(q.Words()); n < 1 || n > MaxWords {
			t.Fatalf("Parse(%q): %d words", s, n)
		}
		for _, w := range q.Words() {
			if !utf8.ValidString(w) || w != Fold(w) {
				t.Fatalf("Parse(%q): word %q is not folded", s, w)
			}
		}
		if !q.Match(Fold(s)) {
			t.Fatalf("Parse(%q) does not match its own text %q", s, Fold(s))
		}
	})
}
