package geo

import (
	"encoding/binary"
	"maps"
	"math"
	"runtime"
	"slices"
	"testing"
	"time"
)

func TestCountDays(t *testing.T) {
	day := func(d int64) int64 { return d * DayMillis }
	tests := []struct {
		name string
		ivs  []Interval
		want DayCounts
	}{
		{"nothing", nil, DayCounts{Empty: true}},
		{"always", []Interval{Always}, DayCounts{Features: 1, Empty: true, OpenStart: 1, OpenEnd: 1}},
		{"one day", []Interval{{day(10), day(11)}},
			DayCounts{Features: 1, First: 10, Last: 10, Valid: []int{1}, Starts: map[int64]int{10: 1}, Ends: map[int64]int{11: 1}}},
		{"two overlapping", []Interval{{day(10), day(13)}, {day(12), day(14)}},
			DayCounts{Features: 2, First: 10, Last: 13, Valid: []int{1, 1, 2, 1}, Starts: map[int64]int{10: 1, 12: 1}, Ends: map[int64]int{13: 1, 14: 1}}},
		{"sub-day bounds touch their days", []Interval{{day(10) + 3600_000, day(12) + 1}},
			DayCounts{Features: 1, First: 10, Last: 12, Valid: []int{1, 1, 1}, Starts: map[int64]int{10: 1}, Ends: map[int64]int{13: 1}}},
		{"open start and end", []Interval{{OpenStart, day(12)}, {day(11), OpenEnd}},
			DayCounts{Features: 2, First: 11, Last: 11, Valid: []int{2}, Starts: map[int64]int{11: 1}, Ends: map[int64]int{12: 1}, OpenStart: 1, OpenEnd: 1}},
		{"open start, valid from the first day", []Interval{{OpenStart, day(12)}, {day(20), day(21)}},
			DayCounts{Features: 2, First: 11, Last: 20, Valid: []int{1, 0, 0, 0, 0, 0, 0, 0, 0, 1}, Starts: map[int64]int{20: 1}, Ends: map[int64]int{12: 1, 21: 1}, OpenStart: 1}},
		{"before 1970", []Interval{{day(-2) - 1, day(-1)}},
			DayCounts{Features: 1, First: -3, Last: -2, Valid: []int{1, 1}, Starts: map[int64]int{-3: 1}, Ends: map[int64]int{-1: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CountDays(slices.Values(tt.ivs))
			if tt.want.Starts == nil {
				tt.want.Starts, tt.want.Ends = map[int64]int{}, map[int64]int{}
			}
			if got.Features != tt.want.Features || got.Empty != tt.want.Empty || got.First != tt.want.First || got.Last != tt.want.Last ||
				!slices.Equal(got.Valid, tt.want.Valid) || !maps.Equal(got.Starts, tt.want.Starts) || !maps.Equal(got.Ends, tt.want.Ends) ||
				got.OpenStart != tt.want.OpenStart || got.OpenEnd != tt.want.OpenEnd {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			checkCounts(t, tt.ivs, got)
		})
	}
}

// TestCountDaysAgainstBruteForce checks Valid day by day against the
// definition, over many random intervals.
func TestCountDaysAgainstBruteForce(t *testing.T) {
	var ivs []Interval
	for i := range 500 {
		s, e := int64(i*7919%40-20)*DayMillis/3, int64(i*104729%50-10)*DayMillis/2
		switch {
		case i%11 == 0:
			s = OpenStart
		case i%13 == 0:
			e = OpenEnd
		}
		if s != OpenStart && e != OpenEnd && e <= s {
			s, e = e, s+1
		}
		ivs = append(ivs, Interval{s, e})
	}
	checkCounts(t, ivs, CountDays(slices.Values(ivs)))
}

// checkCounts checks c, counted from ivs, against DayCounts' definition:
// a bounded window, Valid day by day, and every bound counted once.
func checkCounts(t *testing.T, ivs []Interval, c DayCounts) {
	t.Helper()
	if len(c.Valid) > MaxCountedDays {
		t.Fatalf("Valid has %d days, more than %d", len(c.Valid), MaxCountedDays)
	}
	if c.Features != len(ivs) {
		t.Fatalf("Features = %d, want %d", c.Features, len(ivs))
	}
	sum := func(m map[int64]int) (n int) {
		for _, k := range m {
			n += k
		}
		return n
	}
	if n := c.OpenStart + c.StartsBefore + sum(c.Starts) + c.StartsAfter; n != c.Features {
		t.Fatalf("starts add up to %d, want %d: %+v", n, c.Features, c)
	}
	if n := c.OpenEnd + c.EndsBefore + sum(c.Ends) + c.EndsAfter; n != c.Features {
		t.Fatalf("ends add up to %d, want %d: %+v", n, c.Features, c)
	}
	if c.Empty {
		if c.Valid != nil || c.First != 0 || c.Last != 0 || len(c.Starts) > 0 || len(c.Ends) > 0 {
			t.Fatalf("empty counts with a window: %+v", c)
		}
		return
	}
	if c.First < Day(MinTime) || c.Last >= Day(MaxTime) || int64(len(c.Valid)) != c.Last-c.First+1 {
		t.Fatalf("window %d..%d with %d days of Valid", c.First, c.Last, len(c.Valid))
	}
	for d := range c.Starts {
		if d < c.First || d > c.Last {
			t.Fatalf("start day %d outside the window %d..%d", d, c.First, c.Last)
		}
	}
	for e := range c.Ends {
		if e-1 < c.First || e-1 > c.Last {
			t.Fatalf("end day %d outside the window %d..%d", e, c.First, c.Last)
		}
	}
	for i, n := range c.Valid {
		d := c.First + int64(i)
		want := 0
		for _, iv := range ivs {
			// Valid on day d when the interval meets [d, d+1) days.
			if iv.Start < (d+1)*DayMillis && iv.End > d*DayMillis {
				want++
			}
		}
		if n != want {
			t.Fatalf("day %d: %d valid, want %d", d, n, want)
		}
	}
}

// TestCountDaysBounded counts valid times far apart, as a damaged or
// foreign row may hold: the window stays within MaxCountedDays days and
// holds the data that is dense in time.
func TestCountDaysBounded(t *testing.T) {
	year := func(y int) int64 { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli() }
	recent := []Interval{{year(2025), year(2025) + 40*DayMillis}, {year(2025) + 3*DayMillis, OpenEnd}, {OpenStart, year(2026)}}
	tests := []struct {
		name        string
		ivs         []Interval
		window      Interval
		first, last int64 // want, unless empty
		empty       bool
	}{
		{"int64-wide", []Interval{{math.MinInt64 + 1, math.MaxInt64 - 1}}, Always, 0, 0, true},
		{"int64-wide beside recent data", append([]Interval{{math.MinInt64 + 1, math.MaxInt64 - 1}}, recent...), Always,
			Day(year(2025)), Day(year(2026)) - 1, false},
		{"years 0 to 9999", []Interval{{MinTime, MaxTime}}, Always, Day(MaxTime) - MaxCountedDays, Day(MaxTime) - 1, false},
		{"years 0 to 9999 beside recent data", append([]Interval{{MinTime, MaxTime}}, recent...), Always,
			Day(year(2025)), Day(year(2025)) + MaxCountedDays - 1, false},
		{"a window asked for", append([]Interval{{MinTime, MaxTime}}, recent...), Interval{year(2025) + 10*DayMillis, year(2025) + 20*DayMillis - 1},
			Day(year(2025)) + 10, Day(year(2025)) + 19, false},
		{"a window asked for, longer than the maximum", []Interval{{MinTime, MaxTime}}, Interval{year(1000), year(2000)},
			Day(year(2000)) - MaxCountedDays + 1, Day(year(2000)), false},
		{"a window with no bounds and an open side", recent, Interval{year(2100), OpenEnd}, 0, 0, true},
		{"bounds each side of the maximum span, the window ending at the last", []Interval{{year(1800), year(1800) + DayMillis}, {year(2000), year(2000) + DayMillis}, {year(2001), year(2001) + DayMillis}}, Always,
			Day(year(2001)) - MaxCountedDays + 1, Day(year(2001)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := CountDaysWithin(slices.Values(tt.ivs), tt.window)
			checkCounts(t, tt.ivs, c)
			if c.Empty != tt.empty || !tt.empty && (c.First != tt.first || c.Last != tt.last) {
				t.Errorf("window %d..%d (empty %v), want %d..%d (empty %v)", c.First, c.Last, c.Empty, tt.first, tt.last, tt.empty)
			}
		})
	}
}

// TestCountDaysAllocations counts a year-0-to-9999 feature and an
// int64-wide one: memory must not grow with their spans.
func TestCountDaysAllocations(t *testing.T) {
	ivs := []Interval{{MinTime, MaxTime}, {math.MinInt64 + 1, math.MaxInt64 - 1}}
	var ms1, ms2 runtime.MemStats
	runtime.ReadMemStats(&ms1)
	c := CountDays(slices.Values(ivs))
	runtime.ReadMemStats(&ms2)
	if got := ms2.TotalAlloc - ms1.TotalAlloc; got > 1<<20 {
		t.Errorf("counting two features allocated %d bytes", got)
	}
	checkCounts(t, ivs, c)
}

func FuzzCountDays(f *testing.F) {
	f.Add([]byte{}, int64(math.MinInt64), int64(math.MaxInt64))
	f.Add(binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, 1<<63+1), 1<<63-2), int64(math.MinInt64), int64(math.MaxInt64))
	minT, maxT := MinTime, MaxTime
	f.Add(binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, uint64(minT)), uint64(maxT)), int64(0), int64(DayMillis*400))
	f.Fuzz(func(t *testing.T, data []byte, from, to int64) {
		// Up to 8 intervals of two int64s each, any bounds at all.
		var ivs []Interval
		for len(data) >= 16 && len(ivs) < 8 {
			s, e := int64(binary.LittleEndian.Uint64(data)), int64(binary.LittleEndian.Uint64(data[8:]))
			data = data[16:]
			if e <= s {
				continue
			}
			ivs = append(ivs, Interval{s, e})
		}
		if to < from {
			from, to = to, from
		}
		checkCounts(t, ivs, CountDaysWithin(slices.Values(ivs), Interval{from, to}))
	})
}
