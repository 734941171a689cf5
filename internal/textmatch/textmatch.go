// Package textmatch is the free-text matching of Strata's q parameter
// (items and /search): text is folded (lower case, accents and other
// combining marks removed, punctuation turned into spaces) and a query
// matches when every one of its words occurs in the folded text.
package textmatch

import (
	"errors"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Limits on a query, so that a request cannot make matching costly.
const (
	MaxQueryBytes = 200
	MaxWords      = 16
)

// ErrEmpty, ErrTooLong and ErrTooManyWords are the errors of Parse.
var (
	ErrEmpty        = errors.New("has no words")
	ErrTooLong      = errors.New("is longer than 200 bytes")
	ErrTooManyWords = errors.New("has more than 16 words")
)

// Query is a parsed free-text query: its folded words.
type Query struct {
	words  []string
	folded string
}

// Parse reads a query: words separated by spaces, commas or punctuation,
// each folded as Fold folds text. It fails on a query with no words, one
// longer than MaxQueryBytes or invalid UTF-8 (ErrTooLong covers only the
// length), and one of more than MaxWords words.
func Parse(s string) (Query, error) {
	if len(s) > MaxQueryBytes {
		return Query{}, ErrTooLong
	}
	f := Fold(s)
	words := strings.Fields(f)
	switch {
	case len(words) == 0:
		return Query{}, ErrEmpty
	case len(words) > MaxWords:
		return Query{}, ErrTooManyWords
	}
	return Query{words: words, folded: strings.Join(words, " ")}, nil
}

// Words returns the query's folded words.
func (q Query) Words() []string { return q.words }

// Match reports whether every word of q occurs in folded, a text folded
// by Fold.
func (q Query) Match(folded string) bool {
	if len(q.words) == 0 {
		return false
	}
	for _, w := range q.words {
		if !strings.Contains(folded, w) {
			return false
		}
	}
	return true
}

// Rank says how well q matches a name (folded by Fold), best first: 0
// when the name is the query, 1 when it starts with the query, 2 when
// every word of the query is in it, 3 otherwise.
func (q Query) Rank(name string) int {
	switch {
	case name == q.folded:
		return 0
	case strings.HasPrefix(name, q.folded):
		return 1
	case q.Match(name):
		return 2
	}
	return 3
}

// letters spells the letters that Unicode does not decompose into a base
// letter and a mark, so that "Straße" finds "strasse" and "Łódź" "lodz".
var letters = strings.NewReplacer("ß", "ss", "æ", "ae", "œ", "oe", "ø", "o", "ł", "l", "đ", "d", "ð", "d", "þ", "th", "ı", "i", "ħ", "h")

// Fold returns s in lower case without combining marks (accents, Arabic
// and Hebrew vowel points), with every run of characters other than
// letters and digits turned into one space and no space at either end.
// Invalid UTF-8 counts as punctuation.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // no leading space
	for _, r := range norm.NFD.String(strings.ToValidUTF8(s, " ")) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			space = false
		case !space:
			b.WriteByte(' ')
			space = true
		}
	}
	out := strings.TrimSuffix(b.String(), " ")
	if strings.ContainsAny(out, "ßæœøłđðþıħ") {
		out = letters.Replace(out)
	}
	return out
}
