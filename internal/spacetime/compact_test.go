package spacetime

import (
	"math"
	"math/rand/v2"
	"testing"

	"strata/internal/offheap"
)

func TestToDay(t *testing.T) {
	tests := []struct {
		ms   int64
		day  int32
		ok   bool
		name string
	}{
		{0, 0, true, "epoch"},
		{dayMS, 1, true, "a day later"},
		{-dayMS, -1, true, "a day before"},
		{20000 * dayMS, 20000, true, "2024"},
		{1, 0, false, "a millisecond past midnight"},
		{-1, 0, false, "a millisecond before midnight"},
		{math.MinInt64, openDay0, true, "open start"},
		{math.MaxInt64, openDay1, true, "open end"},
		{int64(math.MaxInt32) * dayMS, 0, false, "the open end's day number"},
		{int64(math.MinInt32) * dayMS, 0, false, "the open start's day number"},
		{int64(math.MaxInt32-1) * dayMS, math.MaxInt32 - 1, true, "the last day"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := toDay(tt.ms)
			if d != tt.day || ok != tt.ok {
				t.Fatalf("toDay(%d) = %d, %v; want %d, %v", tt.ms, d, ok, tt.day, tt.ok)
			}
			if ok && fromDay(d) != tt.ms {
				t.Errorf("fromDay(%d) = %d, want %d", d, fromDay(d), tt.ms)
			}
		})
	}
}

// TestDayHitsMatchMilliseconds compares timeColumns.hit on day numbers
// with the test on milliseconds, for random whole-day intervals against
// random query bounds, extremes and open ends included.
func TestDayHitsMatchMilliseconds(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	special := []int64{math.MinInt64, math.MaxInt64, math.MinInt64 + 1, math.MaxInt64 - 1,
		int64(math.MaxInt32) * dayMS, int64(math.MaxInt32)*dayMS - 1, int64(math.MinInt32) * dayMS, int64(math.MinInt32)*dayMS + 1, 0, -1, 1}
	// Feature bounds: whole days (the extreme day numbers included) or
	// open; query bounds: any instant.
	featureDays := []int64{math.MinInt64, math.MaxInt64, int64(math.MaxInt32-1) * dayMS, int64(math.MinInt32+1) * dayMS}
	bound := func(days bool) int64 {
		if rnd.IntN(6) == 0 {
			if days {
				return featureDays[rnd.IntN(len(featureDays))]
			}
			return special[rnd.IntN(len(special))]
		}
		d := int64(rnd.IntN(40) - 20)
		if days {
			return d * dayMS
		}
		return d*dayMS + int64(rnd.IntN(3)-1)*int64(rnd.IntN(int(dayMS)))
	}
	const n = 4000
	from, to := make([]int64, n), make([]int64, n)
	for i := range n {
		from[i], to[i] = bound(true), bound(true)
		if from[i] == math.MaxInt64 {
			from[i] = math.MinInt64
		}
		if to[i] == math.MinInt64 {
			to[i] = math.MaxInt64
		}
	}
	tc := compactTimes(append([]int64(nil), from...), append([]int64(nil), to...), &offheap.Arena{})
	if tc.from != nil {
		t.Fatal("whole days kept in milliseconds")
	}
	for range 3000 {
		q := Query{start: bound(false), end: bound(false)}
		q.startDay, q.endDay = queryDays(q.start, q.end)
		for p := range n {
			want := from[p] <= q.end && to[p] > q.start
			if got := tc.hit(&q, p); got != want {
				t.Fatalf("[%d, %d) against [%d, %d]: %v by days, %v by milliseconds", from[p], to[p], q.start, q.end, got, want)
			}
			if f, e := tc.at(p); f != from[p] || e != to[p] {
				t.Fatalf("at(%d) = %d, %d; want %d, %d", p, f, e, from[p], to[p])
			}
		}
	}
	// One instant that is not a midnight keeps milliseconds.
	from[7]++
	if tc := compactTimes(from, to, &offheap.Arena{}); tc.from == nil {
		t.Error("a time that is not a midnight was made a day number")
	}
}

func TestCompactRows(t *testing.T) {
	tests := []struct {
		name string
		seqs []int64
		wide bool
	}{
		{"empty", nil, false},
		{"dense", []int64{5, 3, 4, 100}, false},
		{"span just fits", []int64{10, 10 + math.MaxUint32}, false},
		{"span too wide", []int64{10, 11 + math.MaxUint32, 12}, true},
		{"extremes", []int64{math.MinInt64, math.MaxInt64}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := compactRows(append([]int64(nil), tt.seqs...), &offheap.Arena{})
			if (c.wide != nil) != tt.wide || c.len() != len(tt.seqs) {
				t.Fatalf("wide %v len %d; want wide %v len %d", c.wide != nil, c.len(), tt.wide, len(tt.seqs))
			}
			for r, s := range tt.seqs {
				if c.at(r) != s {
					t.Errorf("at(%d) = %d, want %d", r, c.at(r), s)
				}
			}
		})
	}
}
