package geo

import (
	"maps"
	"slices"
	"testing"
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
	c := CountDays(slices.Values(ivs))
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
