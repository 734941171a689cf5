package geojson

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"strata/geo"
)

// AppendFeature appends f as a GeoJSON Feature. Its properties are its own
// followed by valid_from and valid_to (RFC 3339 date-times in UTC, null
// when open; valid_to is exclusive), precision_m, sources and citation
// (the sources as one line of text, see Citation); the valid time is also
// given as the JSON-FG "time" member.
func AppendFeature(b []byte, f *geo.Feature) []byte {
	b = append(b, `{"type":"Feature","id":`...)
	b = AppendString(b, f.ID)
	b = append(b, `,"geometry":`...)
	b = AppendGeometry(b, f.Geometry)
	b = append(b, `,"properties":`...)
	b = appendProperties(b, f)
	b = append(b, `,"time":`...)
	b = appendTime(b, f.Valid)
	return append(b, '}')
}

// appendProperties appends the feature's own properties merged with
// valid_from, valid_to, precision_m, sources and citation, as one JSON
// object.
// Invalid UTF-8 in the properties, which no store should hold (see
// geo.CheckStoredFeature), is replaced with U+FFFD.
func appendProperties(b []byte, f *geo.Feature) []byte {
	own := f.Properties
	if !utf8.Valid(own) {
		own = bytes.ToValidUTF8(own, []byte("\uFFFD"))
	}
	if len(own) >= 2 && own[0] == '{' {
		b = append(b, own[:len(own)-1]...)
		if len(own) > 2 {
			b = append(b, ',')
		}
	} else {
		b = append(b, '{')
	}
	b = append(b, `"valid_from":`...)
	b = appendBound(b, f.Valid.Start)
	b = append(b, `,"valid_to":`...)
	b = appendBound(b, f.Valid.End)
	b = append(b, `,"precision_m":`...)
	b = AppendFloat(b, f.PrecisionM)
	b = append(b, `,"sources":`...)
	b = appendSources(b, f.Sources)
	b = append(b, `,"citation":`...)
	b = appendCitation(b, f.Sources)
	return append(b, '}')
}

// appendBound appends a bound of the valid time as an RFC 3339
// date-time in UTC ("2025-10-11T00:00:00Z", with the fraction of a
// second where there is one), so that clients type the field as a
// date-time; an open bound is null.
func appendBound(b []byte, ms int64) []byte {
	if ms == geo.OpenStart || ms == geo.OpenEnd {
		return append(b, "null"...)
	}
	if ms%day == 0 {
		if out, ok := appendDate(b, ms); ok {
			return append(out[:len(out)-1], `T00:00:00Z"`...)
		}
	}
	return AppendString(b, geo.TimeOf(ms).Format(time.RFC3339Nano))
}

const day = geo.DayMillis

// appendDateOnly appends the UTC date of ms, a JSON string in the layout
// time.DateOnly.
func appendDateOnly(b []byte, ms int64) []byte {
	if out, ok := appendDate(b, geo.Day(ms)*day); ok {
		return out
	}
	return AppendString(b, geo.TimeOf(ms).Format(time.DateOnly))
}

// appendDate appends the date of ms, a UTC midnight, as a JSON string
// "YYYY-MM-DD", what geo.FormatBound and time.DateOnly write, without
// going through time.Time (it is in every feature). ok is false, and b
// unchanged, for a year outside 0..9999.
func appendDate(b []byte, ms int64) ([]byte, bool) {
	// Days to civil date (H. Hinnant's algorithm), proleptic Gregorian.
	z := ms/day + 719468
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	if y < 0 || y > 9999 {
		return b, false
	}
	return append(b, '"',
		byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10), '"'), true
}

// appendSources appends sources as a JSON array of objects.
func appendSources(b []byte, srcs []geo.Source) []byte {
	b = append(b, '[')
	for i, s := range srcs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"title":`...)
		b = AppendString(b, s.Title)
		for _, kv := range [...]struct{ k, v string }{{"publisher", s.Publisher}, {"date", s.Date}, {"url", s.URL}, {"note", s.Note}} {
			if kv.v != "" {
				b = append(b, ',', '"')
				b = append(b, kv.k...)
				b = append(b, '"', ':')
				b = AppendString(b, kv.v)
			}
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// Citation is the flat text form of sources, for clients that cannot read
// an array of objects (QGIS 3.22 reads sources as NULL): each source's
// title, publisher, date and URL, those not empty, joined by ", ", and the
// sources joined by "; ". A source's note is left out.
func Citation(srcs []geo.Source) string {
	var b strings.Builder
	citationParts(srcs, func(sep, part string) {
		b.WriteString(sep)
		b.WriteString(part)
	})
	return b.String()
}

// appendCitation appends Citation(srcs) as a JSON string, without
// building it first (it is in every feature).
func appendCitation(b []byte, srcs []geo.Source) []byte {
	b = append(b, '"')
	citationParts(srcs, func(sep, part string) {
		b = append(b, sep...)
		b = appendEscaped(b, part)
	})
	return append(b, '"')
}

// citationParts calls fn with each part of the citation of srcs, in
// order, and the separator that goes before it ("" for the first).
func citationParts(srcs []geo.Source, fn func(sep, part string)) {
	sep := ""
	for _, s := range srcs {
		inner := sep
		for _, part := range [...]string{s.Title, s.Publisher, s.Date, s.URL} {
			if part != "" {
				fn(inner, part)
				inner, sep = ", ", "; "
			}
		}
	}
}

// appendTime appends the JSON-FG "time" value for a valid-time interval:
// {"date": D} for exactly one UTC day; otherwise {"interval": [start,
// end]} with ".." for an open end, both for a feature with no known
// bound (which every datetime query matches: it is not "no time"). Where both bounds
// fall on UTC midnight they are written as dates, the end as the last day
// included (JSON-FG dates cover whole days); otherwise as timestamps.
func appendTime(b []byte, iv geo.Interval) []byte {
	midnight := func(ms int64) bool {
		return ms == geo.OpenStart || ms == geo.OpenEnd || geo.TimeOf(ms).Truncate(24*time.Hour).UnixMilli() == ms
	}
	dates := midnight(iv.Start) && midnight(iv.End)
	if dates && !iv.IsOpenStart() && iv.End-iv.Start == day {
		b = append(b, `{"date":`...)
		b = appendDateOnly(b, iv.Start)
		return append(b, '}')
	}
	end := func(b []byte, ms int64, isEnd bool) []byte {
		switch {
		case ms == geo.OpenStart || ms == geo.OpenEnd:
			return append(b, `".."`...)
		case dates && isEnd:
			return appendDateOnly(b, ms-day)
		case dates:
			return appendDateOnly(b, ms)
		}
		return AppendString(b, geo.TimeOf(ms).Format(time.RFC3339Nano))
	}
	b = append(b, `{"interval":[`...)
	b = end(b, iv.Start, false)
	b = append(b, ',')
	b = end(b, iv.End, true)
	return append(b, "]}"...)
}

// AppendGeometry appends g as a GeoJSON geometry object; nil gives null.
func AppendGeometry(b []byte, g orb.Geometry) []byte {
	if g == nil {
		return append(b, "null"...)
	}
	if c, ok := g.(orb.Collection); ok {
		b = append(b, `{"type":"GeometryCollection","geometries":[`...)
		for i, m := range c {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendGeometry(b, m)
		}
		return append(b, "]}"...)
	}
	b = append(b, `{"type":"`...)
	b = append(b, g.GeoJSONType()...)
	b = append(b, `","coordinates":`...)
	switch g := g.(type) {
	case orb.Point:
		b = appendPoint(b, g)
	case orb.MultiPoint:
		b = appendPoints(b, g)
	case orb.LineString:
		b = appendPoints(b, g)
	case orb.Ring:
		b = appendPoints(b, g)
	case orb.MultiLineString:
		b = append(b, '[')
		for i, l := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPoints(b, l)
		}
		b = append(b, ']')
	case orb.Polygon:
		b = appendPolygon(b, g)
	case orb.MultiPolygon:
		b = append(b, '[')
		for i, p := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPolygon(b, p)
		}
		b = append(b, ']')
	case orb.Bound:
		b = appendPolygon(b, g.ToPolygon())
	}
	return append(b, '}')
}

func appendPoint(b []byte, p orb.Point) []byte {
	b = append(b, '[')
	b = AppendFloat(b, p[0])
	b = append(b, ',')
	b = AppendFloat(b, p[1])
	return append(b, ']')
}

func appendPoints[S ~[]orb.Point](b []byte, ps S) []byte {
	b = append(b, '[')
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPoint(b, p)
	}
	return append(b, ']')
}

func appendPolygon(b []byte, p orb.Polygon) []byte {
	b = append(b, '[')
	for i, r := range p {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPoints(b, r)
	}
	return append(b, ']')
}

// AppendFloat appends v as a JSON number in its shortest exact form, as
// encoding/json writes it: in decimal, or with an exponent below 1e-6 and
// from 1e21 on (1e308 is "1e+308", not 309 digits). JSON has no NaN or
// infinity: they are written as null, which no stored value should need
// (see geo.CheckStoredGeometry).
func AppendFloat(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	format := byte('f')
	if abs := math.Abs(v); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, v, format, -1, 64)
	if format == 'e' {
		// "1e-07" -> "1e-7", as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hex = "0123456789abcdef"

// AppendString appends s as a JSON string. Like encoding/json it escapes
// <, > and & so the output is safe inside HTML, and replaces invalid UTF-8
// with U+FFFD.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendEscaped(b, s)
	return append(b, '"')
}

// appendEscaped appends s escaped as AppendString does, without the
// quotes.
func appendEscaped(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}
