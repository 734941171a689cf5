package geo

import (
	"iter"
	"slices"
)

// MaxCountedDays bounds the days a DayCounts covers: 36,600, a hundred
// years. However far apart the valid times lie (a damaged row may span the
// whole int64 range), counting allocates for at most this many days.
const MaxCountedDays = 36600

// DayCounts summarises features in time by UTC day, as the map's timeline
// draws it: how many are valid on each day of a window, and on which of its
// days they start and end. Days are numbered from 1970-01-01 (day 0). A
// feature is valid on every day its interval touches: from the day of
// valid_from to the day before the first midnight at or after valid_to.
//
// The window, First to Last, runs from the first day a bound touches to
// the last, but never outside the years 0 to 9999 nor beyond the window a
// caller asked for (see CountDaysWithin), and covers at most
// MaxCountedDays days: when the bounds span more, it is a
// MaxCountedDays-day stretch that holds the most bounds (the latest on a
// tie). Bounds outside the
// window are counted in StartsBefore, StartsAfter, EndsBefore and
// EndsAfter instead of Starts and Ends, so that every feature's start and
// end is counted exactly once:
//
//	Features = OpenStart + StartsBefore + Σ Starts + StartsAfter
//	         = OpenEnd + EndsBefore + Σ Ends + EndsAfter
type DayCounts struct {
	// Features is the number of features counted.
	Features int
	// Empty is true when no bound falls in the window (in particular when
	// no feature has a bound); First, Last and Valid are then zero.
	Empty bool
	// First and Last are the first and last day of the window.
	First, Last int64
	// Valid[i] is the number of features valid on day First+i.
	Valid []int
	// Starts counts the features starting on each day of the window; Ends
	// those whose valid_to falls on each day from First+1 to Last+1 (the
	// first day they are no longer valid).
	Starts, Ends map[int64]int
	// OpenStart and OpenEnd count the features with an open start (valid
	// on every day before First too) and an open end (after Last).
	OpenStart, OpenEnd int
	// StartsBefore and StartsAfter count the bounded starts on days
	// before First and after Last; EndsBefore and EndsAfter the bounded
	// ends whose last valid day is before First or after Last.
	StartsBefore, StartsAfter int
	EndsBefore, EndsAfter     int
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
// grows with the number of distinct days the bounds fall on, never with
// the span between them: see DayCounts for the window it covers.
func CountDays(seq iter.Seq[Interval]) DayCounts {
	return CountDaysWithin(seq, Always)
}

// CountDaysWithin is CountDays with the window limited to the days that
// the closed interval window touches (as ParseDatetime returns it; an
// open end leaves that side to the data). A window of more than
// MaxCountedDays days is narrowed as DayCounts describes.
func CountDaysWithin(seq iter.Seq[Interval], window Interval) DayCounts {
	c := DayCounts{Starts: map[int64]int{}, Ends: map[int64]int{}}
	// diff[d] is the change, on day d, in the number of valid features;
	// bounds[d] the number of bounds touching day d (a start's day, or
	// the last day before an end).
	diff, bounds := map[int64]int{}, map[int64]int{}
	for iv := range seq {
		c.Features++
		if iv.Start == OpenStart {
			c.OpenStart++
		} else {
			s := Day(iv.Start)
			c.Starts[s]++
			diff[s]++
			bounds[s]++
		}
		if iv.End == OpenEnd {
			c.OpenEnd++
		} else {
			e := ceilDiv(iv.End)
			c.Ends[e]++
			diff[e]--
			bounds[e-1]++
		}
	}
	days := make([]int64, 0, len(bounds))
	for d := range bounds {
		days = append(days, d)
	}
	slices.Sort(days)
	first, last, ok := countWindow(days, bounds, window)
	// Keep only the window's starts and ends; count the others. With no
	// window, last is first-1: every bound is before first or after last.
	for d, n := range c.Starts {
		switch {
		case d < first:
			c.StartsBefore += n
		case d > last:
			c.StartsAfter += n
		default:
			continue
		}
		delete(c.Starts, d)
	}
	for e, n := range c.Ends {
		switch {
		case e-1 < first:
			c.EndsBefore += n
		case e-1 > last:
			c.EndsAfter += n
		default:
			continue
		}
		delete(c.Ends, e)
	}
	if !ok {
		c.Empty = true
		return c
	}
	c.First, c.Last = first, last
	changes := make([]int64, 0, len(diff))
	for d := range diff {
		changes = append(changes, d)
	}
	slices.Sort(changes)
	c.Valid = make([]int, last-first+1)
	n, k := c.OpenStart, 0
	for i := range c.Valid {
		for ; k < len(changes) && changes[k] <= first+int64(i); k++ {
			n += diff[changes[k]]
		}
		c.Valid[i] = n
	}
	return c
}

// minDay and maxDay are the first and last days of the years 0 to 9999.
var (
	minDay = Day(MinTime)
	maxDay = Day(MaxTime) - 1
)

// countWindow chooses the days a DayCounts covers, given the sorted days
// bounds touch and how many touch each, and the window asked for. ok is
// false when no day is to be counted; last is then first-1, first the
// day that separates the bounds before the window from those after.
func countWindow(days []int64, bounds map[int64]int, window Interval) (first, last int64, ok bool) {
	lo, hi := max(Day(window.Start), minDay), min(Day(window.End), maxDay)
	// The bounds' days within the window asked for.
	i, _ := slices.BinarySearch(days, lo)
	j, found := slices.BinarySearch(days, hi)
	if found {
		j++
	}
	in := days[i:j]
	if len(in) == 0 && (window.Start == OpenStart || window.End == OpenEnd) || lo > hi {
		return lo, lo - 1, false
	}
	if window.Start == OpenStart {
		lo = in[0]
	}
	if window.End == OpenEnd {
		hi = in[len(in)-1]
	}
	if hi-lo < MaxCountedDays {
		return lo, hi, true
	}
	if len(in) == 0 {
		return hi - MaxCountedDays + 1, hi, true
	}
	// The stretch of MaxCountedDays days starting on a bound's day that
	// holds the most bounds: two pointers over the sorted days.
	best, bestN, n, k := in[0], -1, 0, 0
	for s := range in {
		for ; k < len(in) && in[k] <= in[s]+MaxCountedDays-1; k++ {
			n += bounds[in[k]]
		}
		if n >= bestN {
			best, bestN = in[s], n
		}
		n -= bounds[in[s]]
	}
	// A stretch running past hi holds no fewer bounds if it ends there.
	best = min(best, hi-MaxCountedDays+1)
	return best, best + MaxCountedDays - 1, true
}
