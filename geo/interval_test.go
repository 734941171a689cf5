package geo_test

import (
	"errors"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"strata/geo"
)

func ms(s string) int64 {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMilli()
}

func TestParseDatetime(t *testing.T) {
	const endOfDay = geo.DayMillis - 1
	cases := []struct {
		in   string
		want geo.Interval
	}{
		{"2025-10-10T12:00:00Z", geo.Interval{ms("2025-10-10T12:00:00Z"), ms("2025-10-10T12:00:00Z")}},
		{"2025-10-10t12:00:00z", geo.Interval{ms("2025-10-10T12:00:00Z"), ms("2025-10-10T12:00:00Z")}},
		{"2025-10-10T14:00:00+02:00", geo.Interval{ms("2025-10-10T12:00:00Z"), ms("2025-10-10T12:00:00Z")}},
		{"2025-10-10", geo.Interval{ms("2025-10-10T00:00:00Z"), ms("2025-10-10T00:00:00Z") + endOfDay}},
		{"2025-10-10/2025-10-12", geo.Interval{ms("2025-10-10T00:00:00Z"), ms("2025-10-12T00:00:00Z") + endOfDay}},
		{"2025-10-10T00:00:00Z/2025-10-12T00:00:00Z", geo.Interval{ms("2025-10-10T00:00:00Z"), ms("2025-10-12T00:00:00Z")}},
		{"../2025-10-01", geo.Interval{geo.OpenStart, ms("2025-10-01T00:00:00Z") + endOfDay}},
		{"/2025-10-01", geo.Interval{geo.OpenStart, ms("2025-10-01T00:00:00Z") + endOfDay}},
		{"2025-10-17/..", geo.Interval{ms("2025-10-17T00:00:00Z"), geo.OpenEnd}},
		{"2025-10-17/", geo.Interval{ms("2025-10-17T00:00:00Z"), geo.OpenEnd}},
		{"../..", geo.Always},
		{"/", geo.Always},
		{"0000-01-01T00:00:00Z/9999-12-31T23:59:59Z", geo.Always},
		{"0000-01-01T00:00:00Z/2025-10-10T00:00:00Z", geo.Interval{geo.OpenStart, ms("2025-10-10T00:00:00Z")}},
		{"2025-10-10/9999-12-31T00:00:00Z", geo.Interval{ms("2025-10-10T00:00:00Z"), geo.OpenEnd}},
		{"2025-10-10/2025-10-10", geo.Interval{ms("2025-10-10T00:00:00Z"), ms("2025-10-10T00:00:00Z") + endOfDay}},
		// GDAL writes a comparison with a Date field as a date and a bare T.
		{"2025-10-10T", geo.Interval{ms("2025-10-10T00:00:00Z"), ms("2025-10-10T00:00:00Z") + endOfDay}},
		{"2025-10-10T/2025-10-12t", geo.Interval{ms("2025-10-10T00:00:00Z"), ms("2025-10-12T00:00:00Z") + endOfDay}},
		{"../2025-10-01T", geo.Interval{geo.OpenStart, ms("2025-10-01T00:00:00Z") + endOfDay}},
		// A leap second is the last second of its minute.
		{"2016-12-31T23:59:60Z", geo.Interval{ms("2016-12-31T23:59:59Z"), ms("2016-12-31T23:59:59Z")}},
		{"2016-12-31T23:59:60.5Z", geo.Interval{ms("2016-12-31T23:59:59.5Z"), ms("2016-12-31T23:59:59.5Z")}},
		{"2017-01-01T01:59:60+02:00", geo.Interval{ms("2016-12-31T23:59:59Z"), ms("2016-12-31T23:59:59Z")}},
		{"2025-10-10T12:00:00-23:59", geo.Interval{ms("2025-10-11T11:59:00Z"), ms("2025-10-11T11:59:00Z")}},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := geo.ParseDatetime(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestParseDatetimeErrors(t *testing.T) {
	for _, in := range []string{
		"", "garbage", " 2025-10-10 ", "2025-10-10\n", "2025-13-01", "2025-02-30", "2025-10-10T25:00:00Z", "2025-10-10T12:00:00",
		"2025-10-12/2025-10-10", "2025-10-10T12:00:00Z/2025-10-10T11:00:00Z", "a/b", "2025-10-10/x",
		"1/2/3", "2025/10/10", "20251010", "2025-10-10T12:00Z", "../2025-10-10/..",
		// Offsets beyond 23:59, a comma before the fraction, a leap second
		// other than at 23:59 UTC, offsets without a colon.
		"2025-10-10T12:00:00+24:00", "2025-10-10T12:00:00-24:00", "2025-10-10T12:00:00+23:60", "2025-10-10T12:00:00+99:00",
		"2025-10-10T12:00:00,5Z", "2025-10-10T12:30:60Z", "2016-12-31T23:59:60+01:00", "2016-12-31T23:59:61Z",
		"2025-10-10T12:00:00+0100", "2025-10-10T12:00:00.Z", "2025-10-10 12:00:00Z", "+2025-10-10", "2025-10-10/2025-10-10T00:00:00+24:00",
		// Only a whole date may end in a bare T.
		"2025-10-10TT", "2025-10-1T", "2025-13-10T", "2025-10-10T12T", "T",
	} {
		t.Run(in, func(t *testing.T) {
			_, err := geo.ParseDatetime(in)
			var ge *geo.Error
			if !errors.Is(err, geo.ErrInvalid) || !errors.As(err, &ge) || ge.Param != "datetime" || !strings.Contains(ge.Message, "datetime") {
				t.Errorf("error = %v, want ErrInvalid naming datetime", err)
			}
		})
	}
}

func FuzzParseDatetime(f *testing.F) {
	for _, s := range []string{"2025-10-10", "2025-10-10T12:00:00Z", "../2025-10-01", "2025-10-17/..", "/", "0000-01-01T00:00:00Z/9999-12-31T23:59:59Z", "a/b", "",
		"2016-12-31T23:59:60Z", "2025-10-10T12:00:00+24:00", "2025-10-10T12:00:00,5Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iv, err := geo.ParseDatetime(s)
		if err != nil {
			if !errors.Is(err, geo.ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		// Accepted instants have RFC 3339's shape, with offsets to 23:59.
		for _, part := range strings.Split(strings.TrimSpace(s), "/") {
			if part != "" && part != ".." && !rfc3339OrDate.MatchString(strings.ToUpper(part)) {
				t.Fatalf("%q accepted, but %q is not an RFC 3339 date-time or date", s, part)
			}
		}
		if iv.End < iv.Start {
			t.Fatalf("%q parsed to an interval ending before it starts: %+v", s, iv)
		}
	})
}

// rfc3339OrDate matches an RFC 3339 date-time (with an offset up to
// 23:59 and a second up to 60) or a date.
var rfc3339OrDate = regexp.MustCompile(`^\d{4}-[01]\d-[0-3]\d(T[0-2]\d:[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d))?$`)

func TestParseValidTime(t *testing.T) {
	cases := []struct {
		from, to string
		want     geo.Interval
		ok       bool
	}{
		{"", "", geo.Always, true},
		{"2025-10-10", "", geo.Interval{ms("2025-10-10T00:00:00Z"), geo.OpenEnd}, true},
		{"", "2025-10-10", geo.Interval{geo.OpenStart, ms("2025-10-10T00:00:00Z")}, true},
		{"2025-10-10", "2025-10-11", geo.Interval{ms("2025-10-10T00:00:00Z"), ms("2025-10-11T00:00:00Z")}, true},
		{"2025-10-10T06:00:00Z", "2025-10-10T07:00:00Z", geo.Interval{ms("2025-10-10T06:00:00Z"), ms("2025-10-10T07:00:00Z")}, true},
		{"2025-10-10", "2025-10-10", geo.Interval{}, false},
		{"2025-10-11", "2025-10-10", geo.Interval{}, false},
		{"yesterday", "", geo.Interval{}, false},
		{"", "2025-02-30", geo.Interval{}, false},
	}
	for _, c := range cases {
		got, err := geo.ParseValidTime("f", c.from, c.to)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("ParseValidTime(%q, %q) = %+v, %v; want %+v ok=%v", c.from, c.to, got, err, c.want, c.ok)
		}
	}
}

func TestOverlapsAndFormat(t *testing.T) {
	valid, _ := geo.ParseValidTime("f", "2025-10-10", "2025-10-17")
	for q, want := range map[string]bool{"2025-10-09": false, "2025-10-10": true, "2025-10-16": true, "2025-10-17": false, "../2025-10-10": true, "2025-10-16T23:59:59Z/..": true} {
		iv, err := geo.ParseDatetime(q)
		if err != nil {
			t.Fatal(err)
		}
		if got := valid.Overlaps(iv); got != want {
			t.Errorf("[2025-10-10, 2025-10-17) overlaps %s = %v, want %v", q, got, want)
		}
	}
	for in, want := range map[int64]string{geo.OpenStart: "", geo.OpenEnd: "", ms("2025-10-10T00:00:00Z"): "2025-10-10", ms("2025-10-10T06:30:00Z"): "2025-10-10T06:30:00Z"} {
		if got := geo.FormatBound(in); got != want {
			t.Errorf("FormatBound(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckStoredInterval(t *testing.T) {
	cases := []struct {
		name string
		iv   geo.Interval
		want string // "" for valid
	}{
		{"always", geo.Always, ""},
		{"bounded", geo.Interval{Start: ms("2025-10-10T00:00:00Z"), End: ms("2025-10-11T00:00:00Z")}, ""},
		{"years 0 to 9999", geo.Interval{Start: geo.MinTime, End: geo.MaxTime}, ""},
		{"open start", geo.Interval{Start: geo.OpenStart, End: 0}, ""},
		{"int64-wide", geo.Interval{Start: math.MinInt64 + 1, End: math.MaxInt64 - 1}, "valid_from"},
		{"end after 9999", geo.Interval{Start: 0, End: geo.MaxTime + 1}, "valid_to"},
		{"start before year 0", geo.Interval{Start: geo.MinTime - 1, End: 0}, "valid_from"},
		{"empty", geo.Interval{Start: 5, End: 5}, "not after"},
		{"reversed", geo.Interval{Start: 5, End: 4}, "not after"},
		{"open end as a start", geo.Interval{Start: geo.OpenEnd, End: geo.OpenEnd}, "valid_from"},
		{"open start as an end", geo.Interval{Start: geo.OpenStart, End: geo.OpenStart}, "valid_to"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := geo.CheckStoredInterval(c.iv)
			if c.want == "" {
				if err != nil {
					t.Errorf("unexpected error %v", err)
				}
				return
			}
			if !errors.Is(err, geo.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %v, want ErrInvalid mentioning %q", err, c.want)
			}
		})
	}
}

// TestMayBeBoundText checks that the text of every bound, whatever its
// year and precision, may be a bound's text, and that ordinary ids and
// names are not.
func TestMayBeBoundText(t *testing.T) {
	for _, b := range []int64{
		0, -1, 1, ms("2025-10-10T00:00:00Z"), ms("2025-10-10T12:34:56.789Z"),
		ms("0001-01-01T00:00:00Z"), ms("9999-12-31T23:59:59.999Z"),
		-62135596800000 - 86400000, // the day before year 1
		253402300800000,            // year 10000
		math.MinInt64 + 1, math.MaxInt64 - 1,
	} {
		if s := geo.FormatBound(b); !geo.MayBeBoundText(s) {
			t.Errorf("FormatBound(%d) = %q: MayBeBoundText says no", b, s)
		}
	}
	for day := int64(-800_000); day < 3_000_000; day += 997 {
		if s := geo.FormatBound(day*geo.DayMillis + day%86_400_000); !geo.MayBeBoundText(s) {
			t.Fatalf("FormatBound = %q: MayBeBoundText says no", s)
		}
	}
	for _, s := range []string{"", "1", "42", "p-1", "event 123 near Gaza", "Rafah crossing", "2025", "2025-10", "a2025-10-10"} {
		if geo.MayBeBoundText(s) {
			t.Errorf("MayBeBoundText(%q) = true", s)
		}
	}
}
