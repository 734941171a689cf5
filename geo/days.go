package geo

import (
	"iter"
	"math"
	"slices"
)

// DayCounts summarises features in time by UTC day, as the map's timeline
// draws it: how many are valid on each day, and on which days they start
// and end. Days are numbered from 1970-01-01 (day 0). A feature is valid
// on every day its interval touches: from the day of valid_from to the day
// before the first midnight at or after valid_to.
type DayCounts struct {
	// Features is the number of features counted.
	Features int
	// Empty is true when no feature has a bound; First, Last and Valid
	// are then zero.
	Empty bool
	// First and Last are the first and last day a bound touches (a start's
	// day, or the last day before an end).
	First, Last int64
	// Valid[i] is the number of features valid on day First+i.
	Valid []int
	// Starts counts the features starting on each day; Ends those whose
	// valid_to falls on each day (the first day they are no longer valid).
	Starts, Ends map[int64]int
	// OpenStart and OpenEnd count the features with an open start (valid
	// on every day before First too) and an open end (after Last).
	OpenStart, OpenEnd int
}

// Day returns the number of the UTC day holding the instant ms: days since
// 1970-01-01, rounding down (day -1 for an instant of 1969-12-31).
func Day(ms int64) int64 {
	d := ms / DayMillis
	if ms%DayMillis < 0 {
		d--
	}
	return d
}

// ceilDiv divides ms by a day, rounding up.
func ceilDiv(ms int64) int64 {
	d := ms / DayMillis
	if ms%DayMillis > 0 {
		d++
	}
	return d
}

// CountDays summarises the valid times of seq in one pass, in memory that
// grows with the number of distinct days, not of features.
func CountDays(seq iter.Seq[Interval]) DayCounts {
	c := DayCounts{Starts: map[int64]int{}, Ends: map[int64]int{}, First: math.MaxInt64, Last: math.MinInt64}
	diff := map[int64]int{}
	for iv := range seq {
		c.Features++
		if iv.Start == OpenStart {
			c.OpenStart++
		} else {
			s := Day(iv.Start)
			c.Starts[s]++
			diff[s]++
			c.First, c.Last = min(c.First, s), max(c.Last, s)
		}
		if iv.End == OpenEnd {
			c.OpenEnd++
		} else {
			e := ceilDiv(iv.End)
			c.Ends[e]++
			diff[e]--
			c.First, c.Last = min(c.First, e-1), max(c.Last, e-1)
		}
	}
	if c.First > c.Last {
		c.Empty, c.First, c.Last = true, 0, 0
		return c
	}
	c.Valid = make([]int, c.Last-c.First+1)
	days := make([]int64, 0, len(diff))
	for d := range diff {
		days = append(days, d)
	}
	slices.Sort(days)
	n, k := c.OpenStart, 0
	for i := range c.Valid {
		for ; k < len(days) && days[k] <= c.First+int64(i); k++ {
			n += diff[days[k]]
		}
		c.Valid[i] = n
	}
	return c
}
