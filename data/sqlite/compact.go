package sqlite

import (
	"math"

	"strata/geo"
)

// The index keeps two of its per-feature columns compact when the data
// allows, with the exact values kept either way: at 1,000,000 features
// this saves 12 MB of the server's memory (BENCHMARKS.md).
//
//   - seqs: a row's seq as a 32-bit offset from the layer's smallest seq,
//     unless the layer's seqs span 2³² or more.
//   - valid times: whole UTC days as 32-bit day numbers when every bound
//     of the layer is midnight UTC (dates, as in most data), open ends as
//     the smallest and largest int32; otherwise milliseconds.

// seqColumn holds the seqs of an index by rank.
type seqColumn struct {
	base int64
	off  []uint32 // seq - base, when wide is nil
	wide []int64
}

// compactSeqs returns the column for seqs, which come from h: when the
// offsets fit, it takes them into a new 32-bit array and releases seqs.
func compactSeqs(seqs []int64, h *offHeap) seqColumn {
	if len(seqs) == 0 {
		return seqColumn{}
	}
	lo, hi := seqs[0], seqs[0]
	for _, s := range seqs {
		lo, hi = min(lo, s), max(hi, s)
	}
	if uint64(hi)-uint64(lo) > math.MaxUint32 {
		return seqColumn{wide: seqs}
	}
	c := seqColumn{base: lo, off: offHeapSlice[uint32](h, len(seqs))}
	for i, s := range seqs {
		c.off[i] = uint32(s - lo)
	}
	releaseSlice(h, seqs)
	return c
}

func (c *seqColumn) len() int { return len(c.off) + len(c.wide) }

// at returns the seq of rank r.
func (c *seqColumn) at(r int) int64 {
	if c.wide != nil {
		return c.wide[r]
	}
	return c.base + int64(c.off[r])
}

func (c *seqColumn) bytes() int { return 4*len(c.off) + 8*len(c.wide) }

// timeColumns holds the valid times of an index's leaves.
type timeColumns struct {
	from32, to32 []int32 // day numbers, when from is nil
	from, to     []int64 // milliseconds
}

const (
	dayMS    = geo.DayMillis
	openDay0 = math.MinInt32 // an open start as a day number
	openDay1 = math.MaxInt32 // an open end
)

// compactTimes returns the columns for from and to (milliseconds, from
// h): day numbers when every bound is a midnight or open, releasing from
// and to, else from and to themselves.
func compactTimes(from, to []int64, h *offHeap) timeColumns {
	for i := range from {
		if _, ok := toDay(from[i]); !ok {
			return timeColumns{from: from, to: to}
		}
		if _, ok := toDay(to[i]); !ok {
			return timeColumns{from: from, to: to}
		}
	}
	t := timeColumns{from32: offHeapSlice[int32](h, len(from)), to32: offHeapSlice[int32](h, len(to))}
	for i := range from {
		t.from32[i], _ = toDay(from[i])
		t.to32[i], _ = toDay(to[i])
	}
	releaseSlice(h, from)
	releaseSlice(h, to)
	return t
}

// at returns the valid time of leaf p in milliseconds.
func (t *timeColumns) at(p int) (from, to int64) {
	if t.from != nil {
		return t.from[p], t.to[p]
	}
	return fromDay(t.from32[p]), fromDay(t.to32[p])
}

// hit reports whether leaf p's valid time [from, to) meets q's closed
// interval, exactly as query.hits does on milliseconds.
func (t *timeColumns) hit(q *query, p int) bool {
	if t.from != nil {
		return t.from[p] <= q.end && t.to[p] > q.start
	}
	return t.from32[p] <= q.endDay && t.to32[p] > q.startDay
}

func (t *timeColumns) bytes() int { return 4*(len(t.from32)+len(t.to32)) + 8*(len(t.from)+len(t.to)) }

// fromDay returns the milliseconds of day number d (open ends included).
func fromDay(d int32) int64 {
	switch d {
	case openDay0:
		return math.MinInt64
	case openDay1:
		return math.MaxInt64
	}
	return int64(d) * dayMS
}

// floorDay returns the day number holding the instant ms, clamped to the
// int32 range: for a bound b of whole days, b*day <= ms exactly when
// b <= floorDay(ms), and b*day > ms when b > floorDay(ms), so a query
// bound converted by floorDay gives the tests on milliseconds (open ends
// included: openDay0 is never above, openDay1 never at or below, a
// clamped value unless the query is open there too).
func floorDay(ms int64) int32 {
	return int32(min(max(geo.Day(ms), openDay0), openDay1))
}

// queryDays returns the day numbers that stand for q's start and end in
// timeColumns.hit.
func queryDays(start, end int64) (startDay, endDay int32) {
	startDay, endDay = floorDay(start), floorDay(end)
	if startDay == openDay1 && start != math.MaxInt64 {
		// Only an open end lasts past such a start.
		startDay = openDay1 - 1
	}
	return startDay, endDay
}

// toDay returns the day number of ms, a midnight UTC or an open end, and
// false for any other instant or a day outside the int32 range.
func toDay(ms int64) (int32, bool) {
	switch {
	case ms == math.MinInt64:
		return openDay0, true
	case ms == math.MaxInt64:
		return openDay1, true
	case ms%dayMS != 0:
		return 0, false
	}
	d := ms / dayMS
	if d <= openDay0 || d >= openDay1 {
		return 0, false
	}
	return int32(d), true
}
