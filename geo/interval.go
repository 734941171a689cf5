package geo

import (
	"errors"
	"math"
	"regexp"
	"strings"
	"time"
)

// Time bounds are stored as Unix milliseconds. OpenStart and OpenEnd stand
// for an unbounded end, so that a store can compare plain integers.
const (
	OpenStart int64 = math.MinInt64
	OpenEnd   int64 = math.MaxInt64

	// MinTime and MaxTime bound the instants Strata stores: 0000-01-01
	// and 10000-01-01 at midnight UTC, the years RFC 3339 can write.
	MinTime int64 = -62167219200000
	MaxTime int64 = 253402300800000
)

// DayMillis is the length of a UTC day in milliseconds (UTC has no
// daylight saving; leap seconds do not exist in Unix time).
const DayMillis int64 = 24 * 60 * 60 * 1000

// Interval is a time interval in Unix milliseconds. Used as a feature's
// valid time it is half-open, [Start, End): valid from Start, no longer
// valid at End. Used as a query (see ParseDatetime) it is closed, [Start,
// End]. OpenStart and OpenEnd mark unbounded ends.
type Interval struct {
	Start int64
	End   int64
}

// Always is the interval without bounds.
var Always = Interval{Start: OpenStart, End: OpenEnd}

// IsOpenStart reports whether the interval has no start.
func (iv Interval) IsOpenStart() bool { return iv.Start == OpenStart }

// IsOpenEnd reports whether the interval has no end.
func (iv Interval) IsOpenEnd() bool { return iv.End == OpenEnd }

// Overlaps reports whether the valid time iv (half-open) intersects the
// query q (closed, as parsed by ParseDatetime).
func (iv Interval) Overlaps(q Interval) bool {
	return iv.Start <= q.End && iv.End > q.Start
}

// Millis converts t to Unix milliseconds.
func Millis(t time.Time) int64 { return t.UnixMilli() }

// TimeOf converts Unix milliseconds to a UTC time.
func TimeOf(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// FormatBound writes a bound as a date (YYYY-MM-DD) when it falls on UTC
// midnight, otherwise as an RFC 3339 timestamp. Open bounds give "".
func FormatBound(ms int64) string {
	if ms == OpenStart || ms == OpenEnd {
		return ""
	}
	t := TimeOf(ms)
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339Nano)
}

// MayBeBoundText reports whether s could be FormatBound's text of some
// instant. It errs on the side of yes: every string of at least ten
// bytes that starts with a digit or '-' and holds a '-' after its first
// byte.
func MayBeBoundText(s string) bool {
	return len(s) >= 10 && (s[0] == '-' || '0' <= s[0] && s[0] <= '9') && strings.IndexByte(s[1:], '-') >= 0
}

// ParseValidTime parses a feature's valid_from and valid_to, each a date or
// an RFC 3339 timestamp; "" (or nil in JSON) means open. A date means the
// start of that UTC day. The result is the half-open interval [from, to);
// to must be after from. field names the input in errors.
func ParseValidTime(field, from, to string) (Interval, error) {
	iv := Always
	if from != "" {
		t, _, err := parseInstant(from)
		if err != nil {
			return iv, Invalidf(field, "%s: valid_from %q is not a date or RFC 3339 timestamp", field, from)
		}
		iv.Start = Millis(t)
	}
	if to != "" {
		t, _, err := parseInstant(to)
		if err != nil {
			return iv, Invalidf(field, "%s: valid_to %q is not a date or RFC 3339 timestamp", field, to)
		}
		iv.End = Millis(t)
	}
	if iv.End <= iv.Start {
		return iv, Invalidf(field, "%s: valid_to %q is not after valid_from %q", field, to, from)
	}
	return iv, nil
}

// ParseDatetime parses the OGC API datetime parameter: an instant, or an
// interval "a/b" where either end may be ".." or empty for open. An instant
// is an RFC 3339 date-time or a date; a date stands for the whole UTC day,
// so as an interval end it extends to the end of that day. QGIS's
// "0000-01-01T00:00:00Z" and any "9999-12-31..." mean open. The result is a
// closed interval for Interval.Overlaps. An end before the start is an
// error.
func ParseDatetime(s string) (Interval, error) {
	if s == "" {
		return Always, Invalidf("datetime", "datetime is empty")
	}
	if strings.TrimSpace(s) != s {
		return Always, Invalidf("datetime", "datetime %q has spaces or line breaks around it", s)
	}
	a, b, isInterval := strings.Cut(s, "/")
	if !isInterval {
		t, isDate, err := parseInstant(gdalDate(a))
		if err != nil {
			return Always, Invalidf("datetime", "datetime %q is not an RFC 3339 instant or an interval a/b", s)
		}
		ms := Millis(t)
		if isDate {
			return Interval{Start: ms, End: ms + DayMillis - 1}, nil
		}
		return Interval{Start: ms, End: ms}, nil
	}
	if strings.Contains(b, "/") {
		return Always, Invalidf("datetime", "datetime %q has more than one '/'", s)
	}
	iv := Always
	if a != ".." && a != "" {
		start, _, err := parseQueryInstant(a)
		if err != nil {
			return Always, Invalidf("datetime", "datetime start %q is not an RFC 3339 instant or '..'", a)
		}
		iv.Start = start
	}
	if b != ".." && b != "" {
		_, end, err := parseQueryInstant(b)
		if err != nil {
			return Always, Invalidf("datetime", "datetime end %q is not an RFC 3339 instant or '..'", b)
		}
		iv.End = end
	}
	if iv.End < iv.Start {
		return Always, Invalidf("datetime", "datetime %q ends before it starts", s)
	}
	return iv, nil
}

// gdalDate reads a date followed by a bare "T" (2025-11-01T), which GDAL
// sends for a comparison with a Date field, as that date; any other s is
// returned as it is.
func gdalDate(s string) string {
	if len(s) == len(time.DateOnly)+1 && (s[len(s)-1] == 'T' || s[len(s)-1] == 't') {
		return s[:len(s)-1]
	}
	return s
}

// parseQueryInstant parses one end of a datetime query and returns the
// closed range it covers: a timestamp covers itself, a date its whole day.
// QGIS's sentinels give the open bounds.
func parseQueryInstant(s string) (start, end int64, err error) {
	t, isDate, err := parseInstant(gdalDate(s))
	if err != nil {
		return 0, 0, err
	}
	switch {
	case t.Year() == 0 && t.Month() == 1 && t.Day() == 1 && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0:
		return OpenStart, OpenStart, nil
	case t.Year() == 9999 && t.Month() == 12 && t.Day() == 31:
		return OpenEnd, OpenEnd, nil
	case isDate:
		ms := Millis(t)
		return ms, ms + DayMillis - 1, nil
	}
	ms := Millis(t)
	return ms, ms, nil
}

// parseInstant parses a date (YYYY-MM-DD) or an RFC 3339 timestamp. The
// lower-case "t" and "z" RFC 3339 allows are accepted. Where Go's parser is
// lenient it is strict: a fraction follows a '.', never a ',', and an
// offset is at most 23:59. A leap second, second 60, is accepted at 23:59
// UTC only and read as the last second of that minute (23:59:59 and the
// same fraction): Unix time has no leap seconds.
func parseInstant(s string) (t time.Time, isDate bool, err error) {
	if len(s) == len(time.DateOnly) {
		t, err = time.Parse(time.DateOnly, s)
		return t.UTC(), true, err
	}
	s = strings.ToUpper(s)
	if !rfc3339.MatchString(s) {
		return time.Time{}, false, errNotRFC3339
	}
	if off := s[len(s)-6:]; off[0] == '+' || off[0] == '-' {
		if off[1:3] > "23" || off[4:6] > "59" {
			return time.Time{}, false, errNotRFC3339
		}
	}
	leap := s[17:19] == "60"
	if leap {
		s = s[:17] + "59" + s[19:]
	}
	t, err = time.Parse(time.RFC3339Nano, s)
	t = t.UTC()
	if err == nil && leap && (t.Hour() != 23 || t.Minute() != 59) {
		return time.Time{}, false, errNotRFC3339
	}
	return t, false, err
}

// rfc3339 matches the shape of an RFC 3339 date-time in upper case;
// time.Parse checks the ranges of its fields.
var rfc3339 = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)

var errNotRFC3339 = errors.New("not an RFC 3339 date-time")
