package cql2

import (
	"strata/geo"
)

// Bounds returns a box and a closed time interval (as geo.Filter takes
// them) that every feature matching e meets, read from the conditions e
// joins with AND: a spatial function of the geometry and a literal, a
// comparison of valid_from or valid_to with a TIMESTAMP or DATE, and
// T_INTERSECTS or T_DURING of INTERVAL(valid_from, valid_to) and a
// literal. A store's indexes then narrow the search before the filter
// decides. Where e says nothing of use, box is nil and iv geo.Always.
func Bounds(e Expr, opt Options) (box *geo.BBox, iv geo.Interval) {
	iv = geo.Always
	c := compiler{opt: opt}
	for _, cond := range conjuncts(e, nil) {
		o, ok := cond.(*Op)
		if !ok || len(o.Args) != 2 {
			continue
		}
		a, b := o.Args[0], o.Args[1]
		switch {
		case spatialOps[o.Name] && o.Name != "s_disjoint" && box == nil:
			if a != Property("geometry") {
				a, b = b, a
			}
			if a == Property("geometry") {
				box = c.literalBox(b)
			}
		case comparisonOps[o.Name]:
			op := o.Name
			if _, isProp := a.(Property); !isProp {
				a, b, op = b, a, flip[op]
			}
			t, ok := instantLiteral(b)
			if !ok {
				continue
			}
			switch {
			case a == Property("valid_from") && (op == "<" || op == "<=" || op == "="):
				iv.End = min(iv.End, t) // start <= t
			case a == Property("valid_to") && op == ">":
				iv.Start = max(iv.Start, t) // end > t
			case a == Property("valid_to") && (op == ">=" || op == "="):
				iv.Start = max(iv.Start, t-1) // end >= t
			}
		case o.Name == "t_intersects" || o.Name == "t_during":
			if !validInterval(a) {
				a, b = b, a
				if o.Name == "t_during" {
					continue // the literal lies within the valid time
				}
			}
			if !validInterval(a) {
				continue
			}
			if lit, ok := literalInterval(c, b); ok {
				iv.Start, iv.End = max(iv.Start, lit.Start), min(iv.End, lit.End)
			}
		}
	}
	if iv.Start > iv.End {
		// Contradictory bounds: let the filter say no to every feature
		// rather than hand a store an empty interval.
		iv = geo.Always
	}
	return box, iv
}

// conjuncts appends the conditions e joins with AND, at any depth.
func conjuncts(e Expr, to []Expr) []Expr {
	if o, ok := e.(*Op); ok && o.Name == "and" {
		for _, a := range o.Args {
			to = conjuncts(a, to)
		}
		return to
	}
	return append(to, e)
}

var flip = map[string]string{"=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

// instantLiteral returns the instant of a TIMESTAMP or DATE literal.
func instantLiteral(e Expr) (int64, bool) {
	switch e := e.(type) {
	case Timestamp:
		return int64(e), true
	case Date:
		return int64(e), true
	}
	return 0, false
}

// validInterval reports whether e is INTERVAL(valid_from, valid_to).
func validInterval(e Expr) bool {
	iv, ok := e.(*Interval)
	return ok && iv.Start == Property("valid_from") && iv.End == Property("valid_to")
}

// literalInterval returns the closed interval of a temporal literal.
func literalInterval(c compiler, e Expr) (geo.Interval, bool) {
	switch e := e.(type) {
	case Timestamp, Date:
	case *Interval:
		for _, end := range []Expr{e.Start, e.End} {
			if _, ok := instantLiteral(end); !ok && end != nil {
				return geo.Interval{}, false
			}
		}
	default:
		return geo.Interval{}, false
	}
	s, err := c.interval(e)
	if err != nil {
		return geo.Interval{}, false
	}
	v := s(nil) // literals read no feature
	return geo.Interval{Start: v.t0, End: v.t1}, true
}

// literalBox returns the bounding box of a geometry or BBOX literal.
func (c compiler) literalBox(e Expr) *geo.BBox {
	switch e.(type) {
	case Geometry, BBox:
	default:
		return nil
	}
	s, err := c.geometry(e)
	if err != nil {
		return nil
	}
	v := s(nil)
	if v.box != nil {
		return v.box
	}
	b := v.g.Bound()
	return &geo.BBox{MinLon: b.Min[0], MinLat: b.Min[1], MaxLon: b.Max[0], MaxLat: b.Max[1]}
}
