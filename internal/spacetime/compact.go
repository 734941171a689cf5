package spacetime

import (
	"math"

	"strata/geo"
	"strata/internal/offheap"
)

// The index keeps two of its per-entry columns compact when the data
// allows, with the exact values kept either way: at 1,000,000 features
// this saves 12 MB of the server's memory (BENCHMARKS.md).
//
//   - rows: a row number as a 32-bit offset from the smallest, unless the
//     row numbers span 2³² or more.
//   - valid times: whole UTC days as 32-bit day numbers when every bound
//     of the layer is midnight UTC (dates, as in most data), open ends as
//     the smallest and largest int32; otherwise milliseconds.

// rowColumn holds the row numbers of an index by rank.
type rowColumn struct {
	base int64
	off  []uint32 // row - base, when wide is nil
	wide []int64
}

// compactRows returns the column for rows, which come from h: when the
// offsets fit, it takes them into a new 32-bit array and releases rows.
func compactRows(rows []int64, h *offheap.Arena) rowColumn {
	if len(rows) == 0 {
		return rowColumn{}
	}
	lo, hi := rows[0], rows[0]
	for _, r := range rows {
		lo, hi = min(lo, r), max(hi, r)
	}
	if uint64(hi)-uint64(lo) > math.MaxUint32 {
		return rowColumn{wide: rows}
	}
	c := rowColumn{base: lo, off: offheap.Make[uint32](h, len(rows))}
	for i, r := range rows {
		c.off[i] = uint32(r - lo)
	}
	offheap.Release(h, rows)
	return c
}

func (c *rowColumn) len() int { return len(c.off) + len(c.wide) }

// at returns the row number of rank r.
func (c *rowColumn) at(r int) int64 {
	if c.wide != nil {
		return c.wide[r]
	}
	return c.base + int64(c.off[r])
}

func (c *rowColumn) bytes() int { return 4*len(c.off) + 8*len(c.wide) }

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
func compactTimes(from, to []int64, h *offheap.Arena) timeColumns {
	for i := range from {
		if _, ok := toDay(from[i]); !ok {
			return timeColumns{from: from, to: to}
		}
		if _, ok := toDay(to[i]); !ok {
			return timeColumns{from: from, to: to}
		}
	}
	t := timeColumns{from32: offheap.Make[int32](h, len(from)), to32: offheap.Make[int32](h, len(to))}
	for i := range from {
		t.from32[i], _ = toDay(from[i])
		t.to32[i], _ = toDay(to[i])
	}
	offheap.Release(h, from)
	offheap.Release(h, to)
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
// interval, exactly as Query.hits does on milliseconds.
func (t *timeColumns) hit(q *Query, p int) bool {
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
