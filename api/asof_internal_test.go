package api

import (
	"errors"
	"strings"
	"testing"
	"time"

	"strata/geo"
)

func TestParseAsOf(t *testing.T) {
	cases := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"2025-11-01", time.Date(2025, 11, 1, 23, 59, 59, 999999999, time.UTC), false},
		{"2025-11-01T12:00:00Z", time.Date(2025, 11, 1, 12, 0, 0, 0, time.UTC), false},
		{"2025-11-01T12:00:00.123456Z", time.Date(2025, 11, 1, 12, 0, 0, 123456000, time.UTC), false},
		{"2025-11-01T14:00:00+02:00", time.Date(2025, 11, 1, 12, 0, 0, 0, time.UTC), false},
		{"2024-02-29", time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.UTC), false},
		{"2025-02-29", time.Time{}, true},
		{"2025-11-01T12:00:00", time.Time{}, true},
		{"yesterday", time.Time{}, true},
		{"", time.Time{}, true},
		{"2025-13-01", time.Time{}, true},
		{"20251101", time.Time{}, true},
	}
	for _, c := range cases {
		got, err := parseAsOf(c.in)
		if c.err {
			var ge *geo.Error
			if !errors.As(err, &ge) || ge.Param != "asof" || !errors.Is(err, geo.ErrInvalid) {
				t.Errorf("parseAsOf(%q) = %v, %v; want an error naming asof", c.in, got, err)
			}
			continue
		}
		if err != nil || !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("parseAsOf(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

// FuzzParseAsOf checks that any value is either an instant in UTC within
// the years 0 to 9999 or an ErrInvalid naming asof, and that a date is
// the last instant of its day.
func FuzzParseAsOf(f *testing.F) {
	for _, s := range []string{"2025-11-01", "2025-11-01T12:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31", "2025-11-01T12:00:00.5-11:00", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseAsOf(s)
		if err != nil {
			var ge *geo.Error
			if !errors.As(err, &ge) || ge.Param != "asof" || !strings.Contains(ge.Message, "asof") {
				t.Fatalf("parseAsOf(%q): error %v does not name asof", s, err)
			}
			return
		}
		if got.Location() != time.UTC || got.Year() < 0 || got.Year() > 9999 {
			t.Fatalf("parseAsOf(%q) = %v", s, got)
		}
		if len(s) == 10 && (got.Hour() != 23 || got.Nanosecond() != 999999999 || got.Format(time.DateOnly) != s) {
			t.Fatalf("parseAsOf(%q) = %v, not the end of that day", s, got)
		}
	})
}
