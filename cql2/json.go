package cql2

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// ParseJSON reads a filter in cql2-json. JSON that cannot be read gives a
// *SyntaxError with the byte offset; JSON that is not a filter gives a
// *SyntaxError naming the member at fault as a JSON pointer.
func ParseJSON(b []byte) (Expr, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, &SyntaxError{Pos: int(se.Offset), Msg: "not valid JSON: " + se.Error()}
		}
		return nil, &SyntaxError{Pos: len(b), Msg: "not valid JSON: " + err.Error()}
	}
	if d.More() {
		return nil, &SyntaxError{Pos: int(d.InputOffset()) + 1, Msg: "more JSON after the filter"}
	}
	if nesting(b) > 2*maxDepth+8 {
		return nil, &SyntaxError{Pos: 1, Msg: fmt.Sprintf("the expression is nested more than %d deep", maxDepth)}
	}
	return jsonBool(v, "")
}

// nesting returns the deepest nesting of JSON arrays and objects in b.
func nesting(b []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range b {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

// PathError is a cql2-json filter whose JSON is valid but that is not a
// filter: Path is the JSON pointer to the member at fault.
type PathError struct {
	Path string
	Msg  string
}

func (e *PathError) Error() string {
	p := e.Path
	if p == "" {
		p = "/"
	}
	return fmt.Sprintf("at %s: %s", p, e.Msg)
}

func pathErr(path, format string, args ...any) error {
	return &PathError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// jsonBool reads a boolean expression: an operation or true/false.
func jsonBool(v any, path string) (Expr, error) {
	switch v := v.(type) {
	case bool:
		return Bool(v), nil
	case map[string]any:
		if _, ok := v["op"]; ok {
			return jsonOp(v, path)
		}
	}
	return nil, pathErr(path, "expected an operation {\"op\": ..., \"args\": [...]} or a boolean")
}

func jsonOp(m map[string]any, path string) (Expr, error) {
	name, ok := m["op"].(string)
	if !ok {
		return nil, pathErr(path+"/op", "op must be text")
	}
	for k := range m {
		if k != "op" && k != "args" {
			return nil, pathErr(path+"/"+k, "an operation has only op and args, not %q", k)
		}
	}
	raw, ok := m["args"].([]any)
	if !ok {
		return nil, pathErr(path+"/args", "args must be an array")
	}
	op := &Op{Name: name}
	if name != "isNull" && name != "casei" && name != "accenti" {
		op.Name = strings.ToLower(name)
	}
	for i, a := range raw {
		p := fmt.Sprintf("%s/args/%d", path, i)
		var e Expr
		var err error
		switch {
		case op.Name == "and" || op.Name == "or" || op.Name == "not":
			e, err = jsonBool(a, p)
		case op.Name == "in" && i == 1:
			list, ok := a.([]any)
			if !ok {
				return nil, pathErr(p, "the second argument of in must be an array")
			}
			var l List
			for j, item := range list {
				x, err := jsonScalar(item, fmt.Sprintf("%s/%d", p, j))
				if err != nil {
					return nil, err
				}
				l = append(l, x)
			}
			e = l
		default:
			e, err = jsonScalar(a, p)
		}
		if err != nil {
			return nil, err
		}
		op.Args = append(op.Args, e)
	}
	return op, nil
}

// jsonScalar reads an argument: a literal, a property, a geometry or a
// function.
func jsonScalar(v any, path string) (Expr, error) {
	switch v := v.(type) {
	case string:
		return String(v), nil
	case json.Number:
		f, err := v.Float64()
		if err != nil || math.IsInf(f, 0) {
			return nil, pathErr(path, "%s is not a number Strata can read", v)
		}
		return Number(f), nil
	case bool:
		return Bool(v), nil
	case nil:
		return nil, pathErr(path, "null is not a value; use isNull")
	case []any:
		return nil, pathErr(path, "arrays are not supported (array functions are not implemented)")
	case map[string]any:
	default:
		return nil, pathErr(path, "not a value")
	}
	m := v.(map[string]any)
	one := func(key string) (string, error) {
		if len(m) != 1 {
			return "", pathErr(path, "%s takes no other member", key)
		}
		s, ok := m[key].(string)
		if !ok {
			return "", pathErr(path+"/"+key, "%s must be text", key)
		}
		return s, nil
	}
	switch {
	case m["op"] != nil:
		return jsonOp(m, path)
	case m["property"] != nil:
		s, err := one("property")
		if err != nil {
			return nil, err
		}
		return Property(s), nil
	case m["timestamp"] != nil:
		s, err := one("timestamp")
		if err != nil {
			return nil, err
		}
		ts, err := parseTimestamp(s)
		if err != nil {
			return nil, pathErr(path+"/timestamp", "%v", err)
		}
		return ts, nil
	case m["date"] != nil:
		s, err := one("date")
		if err != nil {
			return nil, err
		}
		d, err := parseDate(s)
		if err != nil {
			return nil, pathErr(path+"/date", "%v", err)
		}
		return d, nil
	case m["interval"] != nil:
		ends, ok := m["interval"].([]any)
		if len(m) != 1 || !ok || len(ends) != 2 {
			return nil, pathErr(path+"/interval", "interval must be an array of a start and an end")
		}
		iv := &Interval{}
		for i, raw := range ends {
			p := fmt.Sprintf("%s/interval/%d", path, i)
			a, err := jsonScalar(raw, p)
			if err != nil {
				return nil, err
			}
			end, err := intervalEnd(a)
			if err != nil {
				return nil, pathErr(p, "%v", err)
			}
			if i == 0 {
				iv.Start = end
			} else {
				iv.End = end
			}
		}
		return iv, nil
	case m["bbox"] != nil:
		nums, ok := m["bbox"].([]any)
		if len(m) != 1 || !ok || (len(nums) != 4 && len(nums) != 6) {
			return nil, pathErr(path+"/bbox", "bbox must be an array of four or six numbers")
		}
		var b BBox
		for i, n := range nums {
			num, ok := n.(json.Number)
			f, err := num.Float64()
			if !ok || err != nil || math.IsInf(f, 0) {
				return nil, pathErr(fmt.Sprintf("%s/bbox/%d", path, i), "bbox must be an array of four or six numbers")
			}
			b = append(b, f)
		}
		return b, nil
	case m["type"] != nil:
		raw, err := json.Marshal(m)
		if err != nil || !positions(m) {
			return nil, pathErr(path, "not a GeoJSON geometry")
		}
		g, err := geojson.UnmarshalGeometry(raw)
		if err != nil || g.Geometry() == nil {
			return nil, pathErr(path, "not a GeoJSON geometry")
		}
		if err := checkGeometry(g.Geometry()); err != nil {
			return nil, pathErr(path, "%v", err)
		}
		return Geometry{g.Geometry()}, nil
	}
	return nil, pathErr(path, "an object must be an operation, a property, a timestamp, a date, an interval, a bbox or a GeoJSON geometry")
}

// positions reports whether every position of a GeoJSON geometry object
// has two or three numbers.
func positions(m map[string]any) bool {
	if gs, ok := m["geometries"].([]any); ok {
		for _, g := range gs {
			gm, ok := g.(map[string]any)
			if !ok || !positions(gm) {
				return false
			}
		}
		return true
	}
	var walk func(v any) bool
	walk = func(v any) bool {
		a, ok := v.([]any)
		if !ok {
			return false
		}
		if len(a) > 0 {
			if _, isNum := a[0].(json.Number); isNum {
				for _, n := range a {
					if _, ok := n.(json.Number); !ok {
						return false
					}
				}
				return len(a) == 2 || len(a) == 3
			}
		}
		for _, x := range a {
			if !walk(x) {
				return false
			}
		}
		return true
	}
	return walk(m["coordinates"])
}

// parseTimestamp reads an RFC 3339 date-time.
func parseTimestamp(s string) (Timestamp, error) {
	t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s))
	if err != nil || len(s) < len("2006-01-02T15:04:05Z") {
		return 0, fmt.Errorf("%q is not an RFC 3339 timestamp such as 2025-10-10T12:00:00Z", s)
	}
	return Timestamp(t.UnixMilli()), nil
}

// parseDate reads a date, YYYY-MM-DD.
func parseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a date such as 2025-10-10", s)
	}
	return Date(t.UnixMilli()), nil
}

// checkGeometry refuses a geometry with a coordinate that is not a
// finite number, or with no coordinates at all.
func checkGeometry(g orb.Geometry) error {
	bad := false
	count := 0
	var walk func(g orb.Geometry)
	visit := func(ps []orb.Point) {
		for _, p := range ps {
			count++
			if math.IsNaN(p[0]) || math.IsInf(p[0], 0) || math.IsNaN(p[1]) || math.IsInf(p[1], 0) {
				bad = true
			}
		}
	}
	walk = func(g orb.Geometry) {
		switch g := g.(type) {
		case orb.Point:
			visit([]orb.Point{g})
		case orb.MultiPoint:
			visit(g)
		case orb.LineString:
			visit(g)
		case orb.MultiLineString:
			for _, l := range g {
				visit(l)
			}
		case orb.Ring:
			visit(g)
		case orb.Polygon:
			for _, r := range g {
				visit(r)
			}
		case orb.MultiPolygon:
			for _, p := range g {
				for _, r := range p {
					visit(r)
				}
			}
		case orb.Collection:
			for _, c := range g {
				walk(c)
			}
		}
	}
	walk(g)
	if bad {
		return errors.New("the geometry has a coordinate that is not a finite number")
	}
	if count == 0 {
		return errors.New("the geometry is empty")
	}
	return nil
}
