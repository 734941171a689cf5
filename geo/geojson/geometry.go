package geojson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/paulmach/orb"

	"strata/geo"
)

// MaxDepth bounds how deeply a feature's geometry or properties nest
// arrays and objects. It is checked by a scan of the bytes before they are
// decoded, so that a deeply nested file costs no more than a flat one of
// its size.
const MaxDepth = 64

// decodeGeometry decodes a GeoJSON geometry object strictly: each
// position must hold exactly two numbers, longitude and latitude (orb's
// decoder drops a third and pads a missing second with 0), and
// GeometryCollections nest at most geo.MaxCollectionDepth deep. The rest of
// the rules (ranges, rings, empty parts) are geo.ValidateGeometry's.
func decodeGeometry(data []byte, depth int) (orb.Geometry, error) {
	var raw struct {
		Type        string            `json:"type"`
		Coordinates json.RawMessage   `json:"coordinates"`
		Geometries  []json.RawMessage `json:"geometries"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, errors.New("not a GeoJSON geometry object")
	}
	if raw.Type == "GeometryCollection" {
		if raw.Geometries == nil {
			return nil, errors.New(`GeometryCollection has no "geometries" array`)
		}
		if depth == geo.MaxCollectionDepth {
			return nil, fmt.Errorf("GeometryCollections nest more than %d deep", geo.MaxCollectionDepth)
		}
		c := make(orb.Collection, len(raw.Geometries))
		for i, m := range raw.Geometries {
			g, err := decodeGeometry(m, depth+1)
			if err != nil {
				return nil, fmt.Errorf("geometries[%d]: %w", i, err)
			}
			c[i] = g
		}
		return c, nil
	}
	var dst any
	switch raw.Type {
	case "Point":
		dst = new(position)
	case "MultiPoint", "LineString":
		dst = new([]position)
	case "MultiLineString", "Polygon":
		dst = new([][]position)
	case "MultiPolygon":
		dst = new([][][]position)
	case "":
		return nil, errors.New(`geometry has no "type"`)
	default:
		return nil, fmt.Errorf("geometry type %q is not a GeoJSON geometry type", raw.Type)
	}
	if len(raw.Coordinates) == 0 || string(raw.Coordinates) == "null" {
		return nil, fmt.Errorf(`%s has no "coordinates"`, raw.Type)
	}
	if err := json.Unmarshal(raw.Coordinates, dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("%s coordinates are not nested as a %s's are", raw.Type, raw.Type)
		}
		return nil, fmt.Errorf("%s: %v", raw.Type, err)
	}
	switch v := dst.(type) {
	case *position:
		return orb.Point(*v), nil
	case *[]position:
		ps := points(*v)
		if raw.Type == "MultiPoint" {
			return orb.MultiPoint(ps), nil
		}
		return orb.LineString(ps), nil
	case *[][]position:
		if raw.Type == "Polygon" {
			p := make(orb.Polygon, len(*v))
			for i, r := range *v {
				p[i] = orb.Ring(points(r))
			}
			return p, nil
		}
		m := make(orb.MultiLineString, len(*v))
		for i, l := range *v {
			m[i] = orb.LineString(points(l))
		}
		return m, nil
	case *[][][]position:
		m := make(orb.MultiPolygon, len(*v))
		for i, p := range *v {
			m[i] = make(orb.Polygon, len(p))
			for j, r := range p {
				m[i][j] = orb.Ring(points(r))
			}
		}
		return m, nil
	}
	panic("unreachable")
}

func points(ps []position) []orb.Point {
	out := make([]orb.Point, len(ps))
	for i, p := range ps {
		out[i] = orb.Point(p)
	}
	return out
}

// position is a GeoJSON position that must hold exactly a longitude and a
// latitude, both finite numbers.
type position orb.Point

// UnmarshalJSON reads a position such as [34.4, 31.5].
func (p *position) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return fmt.Errorf("position %s is not an array of longitude and latitude", short(b))
	}
	inner := bytes.TrimSpace(b[1 : len(b)-1])
	n := 0
	for len(inner) > 0 {
		if n == 2 {
			return fmt.Errorf("position %s has %d numbers: only longitude and latitude are stored, not elevation or measures", short(b), 3+bytes.Count(inner, []byte{','}))
		}
		num, rest, _ := bytes.Cut(inner, []byte{','})
		inner = rest
		num = bytes.TrimSpace(num)
		if len(num) > 0 && (num[0] == '[' || num[0] == '{') {
			return fmt.Errorf("position %s holds an array or object where a number belongs: are the coordinates nested as the geometry type's are?", short(b))
		}
		f, err := strconv.ParseFloat(string(num), 64)
		if err != nil || math.IsInf(f, 0) {
			return fmt.Errorf("position %s holds %s, not a finite number", short(b), short(num))
		}
		p[n] = f
		n++
	}
	if n < 2 {
		return fmt.Errorf("position %s has %d number%s, needs 2: longitude and latitude", short(b), n, map[bool]string{true: "s"}[n != 1])
	}
	return nil
}

// short gives b for an error message, cut to 40 bytes.
func short(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

// nesting returns how deeply the JSON text b nests arrays and objects, or
// stops counting once past max. It does not check the syntax.
func nesting(b []byte, max int) int {
	d, deepest, inString := 0, 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '[', '{':
			d++
			if d > deepest {
				if deepest = d; deepest > max {
					return deepest
				}
			}
		case ']', '}':
			d--
		}
	}
	return deepest
}
