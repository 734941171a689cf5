package cql2

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/paulmach/orb/encoding/wkt"
)

// ParseText reads a filter in cql2-text. A filter that cannot be read
// gives a *SyntaxError naming the character where reading failed.
func ParseText(s string) (Expr, error) {
	p := &textParser{src: []rune(s)}
	p.next()
	e, err := p.orExpr(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, p.errorf("unexpected %s after the end of the expression", p.tok)
	}
	return e, nil
}

type tokenKind int

const (
	tEOF tokenKind = iota
	tIdent
	tQuoted // a "double-quoted" property name
	tString
	tNumber
	tOp    // = <> < <= > >=
	tPunct // ( ) ,
	tBad
)

type token struct {
	kind tokenKind
	text string
	pos  int // 0-based rune index
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of the filter"
	case tString:
		return fmt.Sprintf("'%s'", t.text)
	case tQuoted:
		return fmt.Sprintf("%q", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

type textParser struct {
	src []rune
	i   int
	tok token
	err *SyntaxError
}

func (p *textParser) errorf(format string, args ...any) error {
	if p.err != nil {
		return p.err
	}
	return &SyntaxError{Pos: p.tok.pos + 1, Msg: fmt.Sprintf(format, args...)}
}

func isIdentStart(r rune) bool { return unicode.IsLetter(r) || r == '_' || r == ':' }
func isIdentPart(r rune) bool {
	return isIdentStart(r) || unicode.IsDigit(r) || r == '.'
}

// next reads the following token into p.tok.
func (p *textParser) next() {
	for p.i < len(p.src) && unicode.IsSpace(p.src[p.i]) {
		p.i++
	}
	start := p.i
	if p.i >= len(p.src) {
		p.tok = token{kind: tEOF, pos: start}
		return
	}
	r := p.src[p.i]
	switch {
	case isIdentStart(r):
		for p.i < len(p.src) && isIdentPart(p.src[p.i]) {
			p.i++
		}
		p.tok = token{tIdent, string(p.src[start:p.i]), start}
	case r == '"' || r == '\'':
		var b strings.Builder
		p.i++
		for {
			if p.i >= len(p.src) {
				p.tok = token{kind: tBad, pos: start}
				p.err = &SyntaxError{Pos: start + 1, Msg: fmt.Sprintf("the text starting with %c is never closed", r)}
				return
			}
			c := p.src[p.i]
			p.i++
			if c == r {
				if p.i < len(p.src) && p.src[p.i] == r { // doubled: one quote
					b.WriteRune(r)
					p.i++
					continue
				}
				break
			}
			b.WriteRune(c)
		}
		kind := tString
		if r == '"' {
			kind = tQuoted
		}
		p.tok = token{kind, b.String(), start}
	case unicode.IsDigit(r) || ((r == '-' || r == '+' || r == '.') && p.i+1 < len(p.src) && (unicode.IsDigit(p.src[p.i+1]) || p.src[p.i+1] == '.')):
		p.i++
		for p.i < len(p.src) {
			c := p.src[p.i]
			if unicode.IsDigit(c) || c == '.' || ((c == 'e' || c == 'E') && p.i+1 < len(p.src)) {
				p.i++
				if (c == 'e' || c == 'E') && (p.src[p.i] == '-' || p.src[p.i] == '+') {
					p.i++
				}
				continue
			}
			break
		}
		p.tok = token{tNumber, string(p.src[start:p.i]), start}
	case r == '<':
		p.i++
		if p.i < len(p.src) && (p.src[p.i] == '=' || p.src[p.i] == '>') {
			p.i++
		}
		p.tok = token{tOp, string(p.src[start:p.i]), start}
	case r == '>':
		p.i++
		if p.i < len(p.src) && p.src[p.i] == '=' {
			p.i++
		}
		p.tok = token{tOp, string(p.src[start:p.i]), start}
	case r == '=':
		p.i++
		p.tok = token{tOp, "=", start}
	case r == '(' || r == ')' || r == ',':
		p.i++
		p.tok = token{tPunct, string(r), start}
	default:
		p.i++
		p.tok = token{tBad, string(r), start}
	}
}

// keyword reports whether the current token is the word w, in any case.
func (p *textParser) keyword(w string) bool {
	return p.tok.kind == tIdent && strings.EqualFold(p.tok.text, w)
}

func (p *textParser) punct(c string) bool { return p.tok.kind == tPunct && p.tok.text == c }

func (p *textParser) expect(c string) error {
	if !p.punct(c) {
		return p.errorf("expected '%s', found %s", c, p.tok)
	}
	p.next()
	return nil
}

func (p *textParser) orExpr(depth int) (Expr, error) {
	if depth > maxDepth {
		return nil, p.errorf("the expression is nested more than %d deep", maxDepth)
	}
	return p.chain(depth, "OR", p.andExpr)
}

func (p *textParser) andExpr(depth int) (Expr, error) {
	return p.chain(depth, "AND", p.notExpr)
}

// chain reads operands joined by the keyword word (AND, OR).
func (p *textParser) chain(depth int, word string, operand func(int) (Expr, error)) (Expr, error) {
	left, err := operand(depth)
	if err != nil {
		return nil, err
	}
	for p.keyword(word) {
		p.next()
		right, err := operand(depth)
		if err != nil {
			return nil, err
		}
		left = join(strings.ToLower(word), left, right)
	}
	return left, nil
}

// join makes a and b the arguments of op, adding to a when a is already
// that op: "a AND b AND c" is one "and" of three.
func join(op string, a, b Expr) Expr {
	if o, ok := a.(*Op); ok && o.Name == op {
		o.Args = append(o.Args, b)
		return o
	}
	return &Op{Name: op, Args: []Expr{a, b}}
}

func (p *textParser) notExpr(depth int) (Expr, error) {
	if p.keyword("NOT") {
		p.next()
		if depth > maxDepth {
			return nil, p.errorf("the expression is nested more than %d deep", maxDepth)
		}
		e, err := p.notExpr(depth + 1)
		if err != nil {
			return nil, err
		}
		return &Op{Name: "not", Args: []Expr{e}}, nil
	}
	return p.predicate(depth)
}

// predicate reads a boolean primary: a parenthesised expression, a
// boolean literal or function, or a comparison.
func (p *textParser) predicate(depth int) (Expr, error) {
	if p.punct("(") {
		p.next()
		e, err := p.orExpr(depth + 1)
		if err != nil {
			return nil, err
		}
		return e, p.expect(")")
	}
	start := p.tok
	left, err := p.scalar(depth)
	if err != nil {
		return nil, err
	}
	if p.arithmetic() {
		return nil, p.errorf("arithmetic (+, -, *, /, %%, ^, div) is not supported")
	}
	negate := false
	if p.keyword("NOT") {
		p.next()
		negate = true
		if !p.keyword("LIKE") && !p.keyword("BETWEEN") && !p.keyword("IN") {
			return nil, p.errorf("expected LIKE, BETWEEN or IN after NOT, found %s", p.tok)
		}
	}
	var e Expr
	switch {
	case p.tok.kind == tOp:
		op := p.tok.text
		p.next()
		right, err := p.scalar(depth)
		if err != nil {
			return nil, err
		}
		if p.arithmetic() {
			return nil, p.errorf("arithmetic (+, -, *, /, %%, ^, div) is not supported")
		}
		e = &Op{Name: op, Args: []Expr{left, right}}
	case p.keyword("LIKE"):
		p.next()
		pattern, err := p.scalar(depth)
		if err != nil {
			return nil, err
		}
		e = &Op{Name: "like", Args: []Expr{left, pattern}}
	case p.keyword("BETWEEN"):
		p.next()
		low, err := p.scalar(depth)
		if err != nil {
			return nil, err
		}
		if !p.keyword("AND") {
			return nil, p.errorf("expected AND in BETWEEN, found %s", p.tok)
		}
		p.next()
		high, err := p.scalar(depth)
		if err != nil {
			return nil, err
		}
		e = &Op{Name: "between", Args: []Expr{left, low, high}}
	case p.keyword("IN"):
		p.next()
		if err := p.expect("("); err != nil {
			return nil, err
		}
		var list List
		for {
			v, err := p.scalar(depth)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
			if p.punct(",") {
				p.next()
				continue
			}
			break
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		e = &Op{Name: "in", Args: []Expr{left, list}}
	case p.keyword("IS"):
		p.next()
		not := false
		if p.keyword("NOT") {
			p.next()
			not = true
		}
		if !p.keyword("NULL") {
			return nil, p.errorf("expected NULL after IS, found %s", p.tok)
		}
		p.next()
		e = &Op{Name: "isNull", Args: []Expr{left}}
		if not {
			e = &Op{Name: "not", Args: []Expr{e}}
		}
	default:
		// A boolean literal or a function standing alone.
		switch l := left.(type) {
		case Bool:
			return l, nil
		case *Op:
			return l, nil
		}
		return nil, p.errorf("expected a comparison (=, <>, <, <=, >, >=, LIKE, BETWEEN, IN, IS NULL) after %s, found %s", start, p.tok)
	}
	if negate {
		e = &Op{Name: "not", Args: []Expr{e}}
	}
	return e, nil
}

var geometryWords = map[string]bool{"POINT": true, "LINESTRING": true, "POLYGON": true, "MULTIPOINT": true,
	"MULTILINESTRING": true, "MULTIPOLYGON": true, "GEOMETRYCOLLECTION": true}

// arithmetic reports whether the current token is an arithmetic operator
// (a signed number is "a - 1" read without spaces).
func (p *textParser) arithmetic() bool {
	t := p.tok
	switch t.kind {
	case tBad:
		return strings.Contains("+-*/%^", t.text)
	case tNumber:
		return t.text[0] == '-' || t.text[0] == '+'
	}
	return p.keyword("DIV")
}

// scalar reads a literal, a property or a function call.
func (p *textParser) scalar(depth int) (Expr, error) {
	if depth > maxDepth {
		return nil, p.errorf("the expression is nested more than %d deep", maxDepth)
	}
	t := p.tok
	switch t.kind {
	case tString:
		p.next()
		return String(t.text), nil
	case tQuoted:
		p.next()
		return Property(t.text), nil
	case tNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, p.errorf("%s is not a number", t)
		}
		p.next()
		return Number(f), nil
	case tIdent:
	case tEOF:
		return nil, p.errorf("the filter ends where a value or property was expected")
	case tBad:
		if p.arithmetic() {
			return nil, p.errorf("arithmetic (+, -, *, /, %%, ^, div) is not supported")
		}
		return nil, p.errorf("expected a value or property, found %s", t)
	case tPunct:
		if t.text == "(" {
			return nil, p.errorf("arrays and parenthesised values are not supported")
		}
		return nil, p.errorf("expected a value or property, found %s", t)
	default:
		return nil, p.errorf("expected a value or property, found %s", t)
	}
	word := strings.ToUpper(t.text)
	switch word {
	case "TRUE", "FALSE":
		p.next()
		return Bool(word == "TRUE"), nil
	case "AND", "OR", "NOT", "LIKE", "BETWEEN", "IN", "IS", "NULL":
		return nil, p.errorf("expected a value or property, found the keyword %s", word)
	}
	if geometryWords[word] {
		return p.wkt()
	}
	p.next()
	if !p.punct("(") {
		return Property(t.text), nil
	}
	p.next()
	var args []Expr
	for !p.punct(")") {
		if len(args) > 0 {
			if !p.punct(",") {
				return nil, p.errorf("expected ',' or ')' in the arguments of %s, found %s", strings.ToUpper(t.text), p.tok)
			}
			p.next()
		}
		a, err := p.scalar(depth + 1)
		if err != nil {
			return nil, err
		}
		args = append(args, a)
	}
	p.next()
	return p.call(t, word, args)
}

// call makes the function named by t of args: a literal for TIMESTAMP,
// DATE, INTERVAL and BBOX, else an Op.
func (p *textParser) call(t token, word string, args []Expr) (Expr, error) {
	fail := func(format string, a ...any) (Expr, error) {
		return nil, &SyntaxError{Pos: t.pos + 1, Msg: word + ": " + fmt.Sprintf(format, a...)}
	}
	switch word {
	case "TIMESTAMP", "DATE":
		if len(args) != 1 {
			return fail("takes one text argument")
		}
		s, ok := args[0].(String)
		if !ok {
			return fail("takes one text argument")
		}
		if word == "DATE" {
			d, err := parseDate(string(s))
			if err != nil {
				return fail("%v", err)
			}
			return d, nil
		}
		ts, err := parseTimestamp(string(s))
		if err != nil {
			return fail("%v", err)
		}
		return ts, nil
	case "INTERVAL":
		if len(args) != 2 {
			return fail("takes two arguments, a start and an end")
		}
		iv := &Interval{}
		for i, a := range args {
			end, err := intervalEnd(a)
			if err != nil {
				return fail("%v", err)
			}
			if i == 0 {
				iv.Start = end
			} else {
				iv.End = end
			}
		}
		return iv, nil
	case "BBOX":
		var b BBox
		for _, a := range args {
			n, ok := a.(Number)
			if !ok {
				return fail("takes four or six numbers")
			}
			b = append(b, float64(n))
		}
		if len(b) != 4 && len(b) != 6 {
			return fail("takes four or six numbers, not %d", len(b))
		}
		return b, nil
	}
	return &Op{Name: strings.ToLower(t.text), Args: args}, nil
}

// intervalEnd reads one end of INTERVAL: '..' (nil), a date or timestamp
// as text or literal, or a property.
func intervalEnd(a Expr) (Expr, error) {
	switch a := a.(type) {
	case String:
		if a == ".." {
			return nil, nil
		}
		if d, err := parseDate(string(a)); err == nil {
			return d, nil
		}
		ts, err := parseTimestamp(string(a))
		if err != nil {
			return nil, fmt.Errorf("%q is not a date, an RFC 3339 timestamp or '..'", string(a))
		}
		return ts, nil
	case Timestamp, Date, Property:
		return a, nil
	case *Op:
		return nil, fmt.Errorf("function %s cannot be an end of an interval", strings.ToUpper(a.Name))
	}
	return nil, fmt.Errorf("an end must be a date, a timestamp, '..' or a property")
}

var (
	wktSpaceAround = regexp.MustCompile(`\s*([(),])\s*`)
	wktSpaces      = regexp.MustCompile(`\s+`)
)

// wkt reads a WKT geometry starting at the current token.
func (p *textParser) wkt() (Expr, error) {
	t := p.tok
	i := p.i
	for i < len(p.src) && unicode.IsSpace(p.src[i]) {
		i++
	}
	if i < len(p.src) && (p.src[i] == 'Z' || p.src[i] == 'z') {
		return nil, &SyntaxError{Pos: i + 1, Msg: "geometries with heights (Z) are not supported"}
	}
	if i >= len(p.src) || p.src[i] != '(' {
		p.i = i
		p.next()
		return nil, p.errorf("expected '(' after %s", strings.ToUpper(t.text))
	}
	level := 0
	for ; i < len(p.src); i++ {
		switch p.src[i] {
		case '(':
			level++
		case ')':
			level--
		}
		if level == 0 {
			break
		}
	}
	if level != 0 {
		return nil, &SyntaxError{Pos: t.pos + 1, Msg: fmt.Sprintf("the %s is never closed with ')'", strings.ToUpper(t.text))}
	}
	text := string(p.src[t.pos : i+1])
	norm := strings.ToUpper(strings.TrimSpace(wktSpaces.ReplaceAllString(wktSpaceAround.ReplaceAllString(text, "$1"), " ")))
	g, err := wkt.Unmarshal(norm)
	if err != nil {
		return nil, &SyntaxError{Pos: t.pos + 1, Msg: fmt.Sprintf("%s is not a valid WKT geometry in two dimensions (x y)", strings.ToUpper(t.text))}
	}
	if err := checkGeometry(g); err != nil {
		return nil, &SyntaxError{Pos: t.pos + 1, Msg: err.Error()}
	}
	p.i = i + 1
	p.next()
	return Geometry{g}, nil
}
