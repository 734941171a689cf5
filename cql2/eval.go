package cql2

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"unicode"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"
	"golang.org/x/text/unicode/norm"

	"strata/geo"
)

// Type is the type of a queryable.
type Type int

// The types of queryables. TypeAny is a property whose values are of
// several types, compared as each feature has it.
const (
	TypeAny Type = iota
	TypeString
	TypeNumber
	TypeBoolean
	TypeInstant
	TypeGeometry
)

// Queryables maps the names a filter may use to their types.
type Queryables map[string]Type

// Options change how a filter is read.
type Options struct {
	// LatLon says that geometry literals are in latitude, longitude order
	// (EPSG:4326), not CRS84's longitude, latitude.
	LatLon bool
}

// Filter is a compiled filter, ready to test features.
type Filter struct {
	pred pred
}

// Match reports whether f satisfies the filter. A comparison with a
// missing value is unknown, and unknown is not a match (as in SQL).
func (f *Filter) Match(feat *geo.Feature) bool {
	c := &context{f: feat}
	return f.pred(c) == yes
}

// Value is the value a queryable has in a feature, as Match reads it;
// sorting uses it. ok is false for a missing or null value.
func Value(feat *geo.Feature, name string) (v any, ok bool) {
	c := &context{f: feat}
	x := c.property(name)
	switch x.k {
	case kString:
		return x.s, true
	case kNumber:
		return x.n, true
	case kBool:
		return x.b, true
	case kInstant:
		return x.t0, true
	}
	return nil, false
}

// Compile checks e against the queryables (every property known, every
// operation supported, the types of its arguments compatible) and returns
// the filter. Its errors are meant for the user.
func Compile(e Expr, q Queryables, opt Options) (*Filter, error) {
	c := compiler{q: q, opt: opt}
	p, err := c.pred(e)
	if err != nil {
		return nil, err
	}
	return &Filter{pred: p}, nil
}

// tri is a truth value of three-valued logic.
type tri int8

const (
	no tri = iota
	yes
	unknown
)

func truth(b bool) tri {
	if b {
		return yes
	}
	return no
}

type kind uint8

const (
	kNull kind = iota
	kString
	kNumber
	kBool
	kInstant  // t0 the instant; t1 the last millisecond it covers (a date: its day)
	kInterval // closed [t0, t1]; geo.OpenStart and geo.OpenEnd for open ends
	kGeometry
)

type value struct {
	k      kind
	s      string
	n      float64
	b      bool
	t0, t1 int64
	g      orb.Geometry
	box    *geo.BBox
}

type (
	pred   func(*context) tri
	scalar func(*context) value
)

// context is one feature being tested, with its properties decoded once.
type context struct {
	f     *geo.Feature
	props map[string]any
	read  bool
}

// property returns the value of a queryable in the feature.
func (c *context) property(name string) value {
	f := c.f
	switch name {
	case "geometry":
		if f.Geometry == nil {
			return value{}
		}
		return value{k: kGeometry, g: f.Geometry}
	case "valid_from":
		if f.Valid.IsOpenStart() {
			return value{}
		}
		return value{k: kInstant, t0: f.Valid.Start, t1: f.Valid.Start}
	case "valid_to":
		if f.Valid.IsOpenEnd() {
			return value{}
		}
		return value{k: kInstant, t0: f.Valid.End, t1: f.Valid.End}
	case "precision_m":
		return value{k: kNumber, n: f.PrecisionM}
	case "id":
		return value{k: kString, s: f.ID}
	}
	if !c.read {
		c.read = true
		if len(f.Properties) > 0 {
			json.Unmarshal(f.Properties, &c.props)
		}
	}
	v, ok := c.props[name]
	if !ok {
		switch {
		case name == "name" && f.Name != "":
			return value{k: kString, s: f.Name}
		case name == "kind" && f.Kind != "":
			return value{k: kString, s: f.Kind}
		}
	}
	switch v := v.(type) {
	case string:
		return value{k: kString, s: v}
	case float64:
		return value{k: kNumber, n: v}
	case bool:
		return value{k: kBool, b: v}
	}
	return value{}
}

type compiler struct {
	q   Queryables
	opt Options
}

func (c *compiler) pred(e Expr) (pred, error) {
	switch e := e.(type) {
	case Bool:
		t := truth(bool(e))
		return func(*context) tri { return t }, nil
	case *Op:
		return c.op(e)
	case Property:
		return nil, fmt.Errorf("property %q stands alone where a condition is expected; compare it, as in %s = true", string(e), string(e))
	}
	return nil, fmt.Errorf("a value stands where a condition is expected")
}

func (c *compiler) op(o *Op) (pred, error) {
	want := func(n int) error {
		if len(o.Args) != n {
			return fmt.Errorf("%s takes %d arguments, not %d", name(o), n, len(o.Args))
		}
		return nil
	}
	switch {
	case o.Name == "and" || o.Name == "or":
		if len(o.Args) < 1 {
			return nil, fmt.Errorf("%s needs arguments", name(o))
		}
		ps := make([]pred, len(o.Args))
		for i, a := range o.Args {
			p, err := c.pred(a)
			if err != nil {
				return nil, err
			}
			ps[i] = p
		}
		return c.op2(o.Name, ps...), nil
	case o.Name == "not":
		if err := want(1); err != nil {
			return nil, err
		}
		p, err := c.pred(o.Args[0])
		if err != nil {
			return nil, err
		}
		return func(ctx *context) tri {
			switch p(ctx) {
			case yes:
				return no
			case no:
				return yes
			}
			return unknown
		}, nil
	case comparisonOps[o.Name]:
		if err := want(2); err != nil {
			return nil, err
		}
		return c.comparison(o.Name, o.Args[0], o.Args[1])
	case o.Name == "like":
		if err := want(2); err != nil {
			return nil, err
		}
		return c.like(o.Args[0], o.Args[1])
	case o.Name == "between":
		if err := want(3); err != nil {
			return nil, err
		}
		low, err := c.comparison(">=", o.Args[0], o.Args[1])
		if err != nil {
			return nil, err
		}
		high, err := c.comparison("<=", o.Args[0], o.Args[2])
		if err != nil {
			return nil, err
		}
		return c.op2("and", low, high), nil
	case o.Name == "in":
		if err := want(2); err != nil {
			return nil, err
		}
		list, ok := o.Args[1].(List)
		if !ok || len(list) == 0 {
			return nil, errors.New("IN takes a list of one or more values")
		}
		var ps []pred
		for _, item := range list {
			p, err := c.comparison("=", o.Args[0], item)
			if err != nil {
				return nil, err
			}
			ps = append(ps, p)
		}
		return c.op2("or", ps...), nil
	case o.Name == "isNull":
		if err := want(1); err != nil {
			return nil, err
		}
		s, _, err := c.scalar(o.Args[0])
		if err != nil {
			return nil, err
		}
		return func(ctx *context) tri { return truth(s(ctx).k == kNull) }, nil
	case spatialOps[o.Name]:
		if err := want(2); err != nil {
			return nil, err
		}
		return c.spatial(o)
	case temporalOps[o.Name]:
		if err := want(2); err != nil {
			return nil, err
		}
		return c.temporal(o)
	case o.Name == "casei" || o.Name == "accenti":
		return nil, fmt.Errorf("%s gives a value, not a condition", name(o))
	}
	return nil, unsupportedOp(o)
}

// op2 combines compiled predicates with and or or.
func (c *compiler) op2(op string, ps ...pred) pred {
	if op == "and" {
		return func(ctx *context) tri {
			r := yes
			for _, p := range ps {
				switch p(ctx) {
				case no:
					return no
				case unknown:
					r = unknown
				}
			}
			return r
		}
	}
	return func(ctx *context) tri {
		r := no
		for _, p := range ps {
			switch p(ctx) {
			case yes:
				return yes
			case unknown:
				r = unknown
			}
		}
		return r
	}
}

func name(o *Op) string { return strings.ToUpper(o.Name) }

func unsupportedOp(o *Op) error {
	switch {
	case strings.HasPrefix(o.Name, "s_"):
		return fmt.Errorf("spatial function %s is not supported; use S_INTERSECTS, S_DISJOINT, S_WITHIN or S_CONTAINS", name(o))
	case strings.HasPrefix(o.Name, "a_"):
		return fmt.Errorf("array function %s is not supported", name(o))
	case strings.ContainsAny(o.Name, "+-*/%^") || o.Name == "div":
		return errors.New("arithmetic (+, -, *, /, %, ^, div) is not supported")
	}
	return fmt.Errorf("unknown function or operator %s", name(o))
}

// scalar compiles a value: a property, a literal or CASEI, with its type.
func (c *compiler) scalar(e Expr) (scalar, Type, error) {
	switch e := e.(type) {
	case Property:
		name := string(e)
		t, ok := c.q[name]
		if !ok {
			return nil, 0, fmt.Errorf("%q is not a queryable of this collection (see its /queryables)", name)
		}
		return func(ctx *context) value { return ctx.property(name) }, t, nil
	case String:
		v := value{k: kString, s: string(e)}
		return constant(v), TypeString, nil
	case Number:
		v := value{k: kNumber, n: float64(e)}
		return constant(v), TypeNumber, nil
	case Bool:
		v := value{k: kBool, b: bool(e)}
		return constant(v), TypeBoolean, nil
	case Timestamp:
		v := value{k: kInstant, t0: int64(e), t1: int64(e)}
		return constant(v), TypeInstant, nil
	case Date:
		v := value{k: kInstant, t0: int64(e), t1: int64(e) + geo.DayMillis - 1}
		return constant(v), TypeInstant, nil
	case *Op:
		if fn, ok := textFuncs[e.Name]; ok {
			if len(e.Args) != 1 {
				return nil, 0, fmt.Errorf("%s takes one argument", name(e))
			}
			s, t, err := c.scalar(e.Args[0])
			if err != nil {
				return nil, 0, err
			}
			if t != TypeString && t != TypeAny {
				return nil, 0, fmt.Errorf("%s takes text", name(e))
			}
			return func(ctx *context) value {
				v := s(ctx)
				if v.k == kString {
					v.s = fn(v.s)
				}
				return v
			}, TypeString, nil
		}
		if spatialOps[e.Name] || temporalOps[e.Name] || comparisonOps[e.Name] {
			return nil, 0, fmt.Errorf("%s gives a condition, not a value to compare", name(e))
		}
		return nil, 0, unsupportedOp(e)
	case *Interval, Geometry, BBox:
		return nil, 0, errors.New("a geometry or interval can only be an argument of a spatial or temporal function")
	case List:
		return nil, 0, errors.New("a list can only follow IN")
	}
	return nil, 0, errors.New("not a value")
}

func constant(v value) scalar { return func(*context) value { return v } }

// compatible reports whether values of types a and b can be compared.
func compatible(a, b Type) bool {
	return a == TypeAny || b == TypeAny || a == b
}

var typeNames = map[Type]string{TypeAny: "any", TypeString: "text", TypeNumber: "a number", TypeBoolean: "a boolean", TypeInstant: "a date-time", TypeGeometry: "a geometry"}

func (c *compiler) comparison(op string, a, b Expr) (pred, error) {
	sa, ta, err := c.scalar(a)
	if err != nil {
		return nil, err
	}
	sb, tb, err := c.scalar(b)
	if err != nil {
		return nil, err
	}
	// Text compared with a date-time is read as one: valid_from > '2025-10-10'.
	if ta == TypeInstant && tb == TypeString {
		if sb, err = instantText(b); err != nil {
			return nil, err
		}
		tb = TypeInstant
	} else if tb == TypeInstant && ta == TypeString {
		if sa, err = instantText(a); err != nil {
			return nil, err
		}
		ta = TypeInstant
	}
	if !compatible(ta, tb) {
		return nil, fmt.Errorf("cannot compare %s with %s", typeNames[ta], typeNames[tb])
	}
	if ta == TypeGeometry || tb == TypeGeometry {
		return nil, errors.New("geometries are compared with the spatial functions (S_INTERSECTS...), not with " + op)
	}
	if ta == TypeBoolean && op != "=" && op != "<>" {
		return nil, fmt.Errorf("booleans are compared with = and <> only, not %s", op)
	}
	return func(ctx *context) tri {
		r, ok := compare(sa(ctx), sb(ctx))
		if !ok {
			return unknown
		}
		switch op {
		case "=":
			return truth(r == 0)
		case "<>":
			return truth(r != 0)
		case "<":
			return truth(r < 0)
		case "<=":
			return truth(r <= 0)
		case ">":
			return truth(r > 0)
		}
		return truth(r >= 0)
	}, nil
}

// instantText compiles a text literal compared with a date-time.
func instantText(e Expr) (scalar, error) {
	s, ok := e.(String)
	if !ok {
		return nil, errors.New("cannot compare a date-time with a text property")
	}
	if d, err := parseDate(string(s)); err == nil {
		return constant(value{k: kInstant, t0: int64(d), t1: int64(d) + geo.DayMillis - 1}), nil
	}
	ts, err := parseTimestamp(string(s))
	if err != nil {
		return nil, fmt.Errorf("%q is compared with a date-time but is not a date or an RFC 3339 timestamp", string(s))
	}
	return constant(value{k: kInstant, t0: int64(ts), t1: int64(ts)}), nil
}

// compare orders two values of one kind; ok is false for a null or
// values of different kinds.
func compare(a, b value) (int, bool) {
	if a.k != b.k || a.k == kNull {
		return 0, false
	}
	switch a.k {
	case kString:
		return cmp.Compare(a.s, b.s), true
	case kNumber:
		return cmp.Compare(a.n, b.n), true
	case kBool:
		return cmp.Compare(boolRank(a.b), boolRank(b.b)), true
	case kInstant:
		return cmp.Compare(a.t0, b.t0), true
	}
	return 0, false
}

// boolRank orders false before true.
func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (c *compiler) like(a, pattern Expr) (pred, error) {
	sa, ta, err := c.scalar(a)
	if err != nil {
		return nil, err
	}
	if ta != TypeString && ta != TypeAny {
		return nil, fmt.Errorf("LIKE compares text, not %s", typeNames[ta])
	}
	// CASEI and ACCENTI on the pattern apply to the text matched too.
	fold, strip := false, false
	for {
		o, ok := pattern.(*Op)
		if !ok || textFuncs[o.Name] == nil || len(o.Args) != 1 {
			break
		}
		fold = fold || o.Name == "casei"
		strip = strip || o.Name == "accenti"
		pattern = o.Args[0]
	}
	s, ok := pattern.(String)
	if !ok {
		return nil, errors.New("the pattern of LIKE must be text, such as 'Gaza%'")
	}
	if strip {
		s = String(stripAccents(string(s)))
	}
	re, err := likeRegexp(string(s), fold)
	if err != nil {
		return nil, err
	}
	return func(ctx *context) tri {
		v := sa(ctx)
		if v.k != kString {
			return unknown
		}
		if strip {
			v.s = stripAccents(v.s)
		}
		return truth(re.MatchString(v.s))
	}, nil
}

// textFuncs are the functions of text: CASEI and ACCENTI.
var textFuncs = map[string]func(string) string{"casei": strings.ToLower, "accenti": stripAccents}

// stripAccents removes the accents and other combining marks of s:
// "Ḥaifa" is "Haifa".
func stripAccents(s string) string {
	d := norm.NFD.String(s)
	return norm.NFC.String(strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, d))
}

// likeRegexp turns a LIKE pattern into a regular expression: % any text,
// _ one character, a backslash escapes the next character.
func likeRegexp(p string, fold bool) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	if fold {
		b.WriteString("(?i)")
	}
	b.WriteString("(?s)")
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; r {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		case '\\':
			if i+1 == len(rs) {
				return nil, errors.New("the LIKE pattern ends with an escape character '\\'")
			}
			i++
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// geometry compiles an argument of a spatial function.
func (c *compiler) geometry(e Expr) (scalar, error) {
	switch e := e.(type) {
	case Property:
		if t, ok := c.q[string(e)]; !ok || t != TypeGeometry {
			if !ok {
				return nil, fmt.Errorf("%q is not a queryable of this collection (see its /queryables)", string(e))
			}
			return nil, fmt.Errorf("%q is not a geometry", string(e))
		}
		name := string(e)
		return func(ctx *context) value { return ctx.property(name) }, nil
	case Geometry:
		g := e.Geometry
		if c.opt.LatLon {
			g = swap(g)
		}
		return constant(value{k: kGeometry, g: g}), nil
	case BBox:
		b := e
		if len(b) == 6 {
			b = BBox{b[0], b[1], b[3], b[4]}
		}
		box := geo.BBox{MinLon: b[0], MinLat: b[1], MaxLon: b[2], MaxLat: b[3]}
		if c.opt.LatLon {
			box = geo.BBox{MinLon: b[1], MinLat: b[0], MaxLon: b[3], MaxLat: b[2]}
		}
		if box.MinLat > box.MaxLat || math.Abs(box.MinLat) > 90 || math.Abs(box.MaxLat) > 90 {
			return nil, errors.New("a BBOX goes west, south, east, north, with south not above north")
		}
		var g orb.Geometry = orb.Bound{Min: orb.Point{box.MinLon, box.MinLat}, Max: orb.Point{box.MaxLon, box.MaxLat}}.ToPolygon()
		if box.CrossesAntimeridian() {
			g = orb.MultiPolygon{
				orb.Bound{Min: orb.Point{box.MinLon, box.MinLat}, Max: orb.Point{180, box.MaxLat}}.ToPolygon(),
				orb.Bound{Min: orb.Point{-180, box.MinLat}, Max: orb.Point{box.MaxLon, box.MaxLat}}.ToPolygon(),
			}
		}
		return constant(value{k: kGeometry, g: g, box: &box}), nil
	}
	return nil, errors.New("the arguments of a spatial function are geometries: the geometry property, WKT, GeoJSON or BBOX")
}

// swap exchanges the two coordinates of every position of g, in a copy.
func swap(g orb.Geometry) orb.Geometry {
	return project.Geometry(orb.Clone(g), func(p orb.Point) orb.Point { return orb.Point{p[1], p[0]} })
}

func (c *compiler) spatial(o *Op) (pred, error) {
	a, err := c.geometry(o.Args[0])
	if err != nil {
		return nil, err
	}
	b, err := c.geometry(o.Args[1])
	if err != nil {
		return nil, err
	}
	var test func(x, y value) bool
	switch o.Name {
	case "s_intersects":
		test = intersectsValues
	case "s_disjoint":
		test = func(x, y value) bool { return !intersectsValues(x, y) }
	case "s_within":
		test = func(x, y value) bool { return within(x.g, y.g) }
	case "s_contains":
		test = func(x, y value) bool { return within(y.g, x.g) }
	}
	return func(ctx *context) tri {
		x, y := a(ctx), b(ctx)
		if x.k != kGeometry || y.k != kGeometry {
			return unknown
		}
		return truth(test(x, y))
	}, nil
}

// intersectsValues is intersects, with the exact box test of the bbox
// parameter where one side is a BBOX.
func intersectsValues(x, y value) bool {
	switch {
	case y.box != nil:
		return y.box.IntersectsGeometry(x.g)
	case x.box != nil:
		return x.box.IntersectsGeometry(y.g)
	}
	return intersects(x.g, y.g)
}

// temporal compiles an argument of a temporal function: a closed
// interval, an instant being [t, t] and a date its whole day.
func (c *compiler) interval(e Expr) (scalar, error) {
	switch e := e.(type) {
	case Property, Timestamp, Date:
		s, t, err := c.scalar(e)
		if err != nil {
			return nil, err
		}
		if t != TypeInstant {
			return nil, fmt.Errorf("%v is not a date-time", e)
		}
		return s, nil
	case *Interval:
		// The valid time [valid_from, valid_to) is the closed interval
		// that ends a millisecond before valid_to.
		start, err := c.intervalEnd(e.Start, false)
		if err != nil {
			return nil, err
		}
		end, err := c.intervalEnd(e.End, true)
		if err != nil {
			return nil, err
		}
		return func(ctx *context) value {
			a, b := start(ctx), end(ctx)
			if a.k == kNull || b.k == kNull {
				return value{}
			}
			return value{k: kInterval, t0: a.t0, t1: b.t1}
		}, nil
	}
	return nil, errors.New("the arguments of a temporal function are date-times or intervals: TIMESTAMP, DATE, INTERVAL, valid_from, valid_to")
}

// intervalEnd compiles one end of an INTERVAL. An open end, or a property
// without a value (valid_from or valid_to open), is unbounded.
func (c *compiler) intervalEnd(e Expr, isEnd bool) (scalar, error) {
	open := value{k: kInstant, t0: geo.OpenStart, t1: geo.OpenStart}
	if isEnd {
		open = value{k: kInstant, t0: geo.OpenEnd, t1: geo.OpenEnd}
	}
	if e == nil {
		return constant(open), nil
	}
	s, t, err := c.scalar(e)
	if err != nil {
		return nil, err
	}
	if t != TypeInstant {
		return nil, fmt.Errorf("an end of INTERVAL must be a date-time, not %s", typeNames[t])
	}
	exclusive := e == Property("valid_to")
	return func(ctx *context) value {
		v := s(ctx)
		if v.k == kNull {
			return open
		}
		if exclusive {
			v.t1 = v.t0 - 1
		}
		return v
	}, nil
}

func (c *compiler) temporal(o *Op) (pred, error) {
	a, err := c.interval(o.Args[0])
	if err != nil {
		return nil, err
	}
	b, err := c.interval(o.Args[1])
	if err != nil {
		return nil, err
	}
	rel := allen[o.Name]
	return func(ctx *context) tri {
		x, y := a(ctx), b(ctx)
		if x.k == kNull || y.k == kNull {
			return unknown
		}
		return truth(rel(x.t0, x.t1, y.t0, y.t1))
	}, nil
}

// allen holds the temporal functions on closed intervals [a0, a1] and
// [b0, b1], as the CQL2 standard defines them.
var allen = map[string]func(a0, a1, b0, b1 int64) bool{
	"t_after":        func(a0, a1, b0, b1 int64) bool { return a0 > b1 },
	"t_before":       func(a0, a1, b0, b1 int64) bool { return a1 < b0 },
	"t_contains":     func(a0, a1, b0, b1 int64) bool { return a0 < b0 && a1 > b1 },
	"t_disjoint":     func(a0, a1, b0, b1 int64) bool { return a1 < b0 || a0 > b1 },
	"t_during":       func(a0, a1, b0, b1 int64) bool { return a0 > b0 && a1 < b1 },
	"t_equals":       func(a0, a1, b0, b1 int64) bool { return a0 == b0 && a1 == b1 },
	"t_finishedby":   func(a0, a1, b0, b1 int64) bool { return a0 < b0 && a1 == b1 },
	"t_finishes":     func(a0, a1, b0, b1 int64) bool { return a0 > b0 && a1 == b1 },
	"t_intersects":   func(a0, a1, b0, b1 int64) bool { return a0 <= b1 && a1 >= b0 },
	"t_meets":        func(a0, a1, b0, b1 int64) bool { return a1 == b0 },
	"t_metby":        func(a0, a1, b0, b1 int64) bool { return a0 == b1 },
	"t_overlappedby": func(a0, a1, b0, b1 int64) bool { return a0 > b0 && a0 < b1 && a1 > b1 },
	"t_overlaps":     func(a0, a1, b0, b1 int64) bool { return a0 < b0 && a1 > b0 && a1 < b1 },
	"t_startedby":    func(a0, a1, b0, b1 int64) bool { return a0 == b0 && a1 > b1 },
	"t_starts":       func(a0, a1, b0, b1 int64) bool { return a0 == b0 && a1 < b1 },
}
