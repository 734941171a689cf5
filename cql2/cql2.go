// Package cql2 reads OGC Common Query Language (CQL2) filters in both of
// its encodings, cql2-text (ParseText) and cql2-json (ParseJSON), into one
// expression tree, and evaluates that tree on Strata's features (Compile).
//
// Both parsers give the same tree for the same filter: it follows the
// cql2-json encoding, an operation being a name and its arguments.
// Supported: comparisons, LIKE, BETWEEN, IN, IS NULL, AND/OR/NOT, CASEI, ACCENTI,
// TIMESTAMP/DATE/INTERVAL literals, WKT, GeoJSON and BBOX geometries, the
// spatial functions S_INTERSECTS, S_DISJOINT, S_WITHIN and S_CONTAINS,
// and every temporal function (T_AFTER ... T_STARTS). Arithmetic, arrays
// and custom functions are refused with an error naming them.
package cql2

import (
	"fmt"

	"github.com/paulmach/orb"
)

// Expr is a node of a filter expression: *Op, Property, String, Number,
// Bool, Timestamp, Date, *Interval, Geometry, BBox or List.
type Expr interface{ isExpr() }

// Op is an operation or function call, named as in cql2-json: "and",
// "or", "not", "=", "<>", "<", "<=", ">", ">=", "like", "between", "in",
// "isNull", "casei", "s_intersects", "t_before" and so on, in lower case.
type Op struct {
	Name string
	Args []Expr
}

// Property names a queryable of the features filtered.
type Property string

// String is a character literal.
type String string

// Number is a numeric literal.
type Number float64

// Bool is a boolean literal.
type Bool bool

// Timestamp is a TIMESTAMP literal, in Unix milliseconds.
type Timestamp int64

// Date is a DATE literal: the start of that UTC day, in Unix milliseconds.
type Date int64

// Interval is an INTERVAL literal. Each end is a Timestamp, a Date, a
// Property, or nil for an open end ("..").
type Interval struct {
	Start, End Expr
}

// Geometry is a geometry literal (WKT in cql2-text, GeoJSON in cql2-json),
// in CRS84 longitude, latitude order.
type Geometry struct{ orb.Geometry }

// BBox is a BBOX literal: west, south, east, north (four numbers) or with
// heights (six).
type BBox []float64

// List is the list of values of IN.
type List []Expr

func (*Op) isExpr()       {}
func (Property) isExpr()  {}
func (String) isExpr()    {}
func (Number) isExpr()    {}
func (Bool) isExpr()      {}
func (Timestamp) isExpr() {}
func (Date) isExpr()      {}
func (*Interval) isExpr() {}
func (Geometry) isExpr()  {}
func (BBox) isExpr()      {}
func (List) isExpr()      {}

// SyntaxError is a filter that cannot be read. Pos is the 1-based
// character position in cql2-text, or the 1-based byte offset in
// cql2-json, where reading failed.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("at character %d: %s", e.Pos, e.Msg)
}

// maxDepth bounds the nesting of an expression, so that a hostile filter
// cannot exhaust the stack.
const maxDepth = 64

// spatialOps and temporalOps are the functions of those kinds supported.
var spatialOps = map[string]bool{"s_intersects": true, "s_disjoint": true, "s_within": true, "s_contains": true}

var temporalOps = map[string]bool{
	"t_after": true, "t_before": true, "t_contains": true, "t_disjoint": true, "t_during": true,
	"t_equals": true, "t_finishedby": true, "t_finishes": true, "t_intersects": true, "t_meets": true,
	"t_metby": true, "t_overlappedby": true, "t_overlaps": true, "t_startedby": true, "t_starts": true,
}

// comparisonOps are the binary comparisons.
var comparisonOps = map[string]bool{"=": true, "<>": true, "<": true, "<=": true, ">": true, ">=": true}
