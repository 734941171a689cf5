package spacetime

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"strata/geo"
	"strata/internal/offheap"
)

const day = geo.DayMillis

// entry is one entry of a test index, kept on the side to compare with.
type entry struct {
	row                    int64
	minX, minY, maxX, maxY float64
	from, to               int64
}

// build indexes es, in their order.
func build(t testing.TB, es []entry) *Index {
	t.Helper()
	a := &offheap.Arena{}
	c := &Columns{
		Row:  offheap.Make[int64](a, len(es)),
		MinX: offheap.Make[float64](a, len(es)), MinY: offheap.Make[float64](a, len(es)),
		MaxX: offheap.Make[float64](a, len(es)), MaxY: offheap.Make[float64](a, len(es)),
		From: offheap.Make[int64](a, len(es)), To: offheap.Make[int64](a, len(es)),
	}
	points := true
	for i, e := range es {
		c.Row[i], c.MinX[i], c.MinY[i], c.MaxX[i], c.MaxY[i], c.From[i], c.To[i] = e.row, e.minX, e.minY, e.maxX, e.maxY, e.from, e.to
		points = points && e.minX == e.maxX && e.minY == e.maxY
	}
	if points && len(es)%2 == 0 {
		c.MaxX, c.MaxY = nil, nil // the form a store of points gives
	}
	ix, err := Build(c, a)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// match is the brute-force test: does e match box and [start, end], and
// is it inside the box?
func match(e entry, box *Box, start, end int64) (hit, inside bool) {
	if !(e.from <= end && e.to > start) {
		return false, false
	}
	if box == nil {
		return true, true
	}
	if e.minY > box.MaxY || e.maxY < box.MinY {
		return false, false
	}
	in := e.minY >= box.MinY && e.maxY <= box.MaxY
	if box.MinX > box.MaxX {
		if !(e.maxX >= box.MinX || e.minX <= box.MaxX) {
			return false, false
		}
		return true, in && (e.minX >= box.MinX || e.maxX <= box.MaxX)
	}
	if e.minX > box.MaxX || e.maxX < box.MinX {
		return false, false
	}
	return true, in && e.minX >= box.MinX && e.maxX <= box.MaxX
}

// randomEntries are points and boxes on a coarse grid (so that bounds
// often equal query edges) with valid times that are open, short, long
// or sub-day; rows are scattered.
func randomEntries(rnd *rand.Rand, n int, points bool) []entry {
	coord := func() float64 { return float64(rnd.IntN(41)-20) / 4 }
	es := make([]entry, n)
	for i := range es {
		x, y := coord(), coord()
		e := entry{row: int64(rnd.IntN(1 << 20)), minX: x, minY: y, maxX: x, maxY: y, from: geo.OpenStart, to: geo.OpenEnd}
		switch {
		case points && rnd.IntN(4) == 0:
			e.minX, e.maxX = 170+x, 170+x // near the antimeridian
		case !points && rnd.IntN(2) == 0:
			x2, y2 := coord(), coord()
			e.minX, e.maxX = min(x, x2), max(x, x2)
			e.minY, e.maxY = min(y, y2), max(y, y2)
		}
		switch rnd.IntN(5) {
		case 0:
		case 1:
			e.from = int64(rnd.IntN(100)) * day
		case 2:
			e.to = int64(rnd.IntN(100)) * day
		default:
			e.from = int64(rnd.IntN(100))*day + int64(rnd.IntN(3))*3600_000
			e.to = e.from + int64(1+rnd.IntN(40*24))*3600_000
		}
		es[i] = e
	}
	return es
}

func randomQuery(rnd *rand.Rand) (*Box, int64, int64) {
	var box *Box
	if rnd.IntN(4) > 0 {
		x0, y0 := float64(rnd.IntN(41)-20)/4, float64(rnd.IntN(41)-20)/4
		box = &Box{MinX: x0, MinY: y0, MaxX: x0 + float64(rnd.IntN(20))/4, MaxY: y0 + float64(rnd.IntN(20))/4}
		if rnd.IntN(5) == 0 {
			box.MinX, box.MaxX = 170+x0, -179+x0 // across the antimeridian
		}
	}
	start, end := geo.OpenStart, geo.OpenEnd
	switch rnd.IntN(5) {
	case 0:
	case 1:
		d := int64(rnd.IntN(100)) * day
		start, end = d, d+day-1
	case 2:
		end = int64(rnd.IntN(100)) * day
	case 3:
		start = int64(rnd.IntN(100))*day + int64(rnd.IntN(3))*3600_000
	default:
		d := int64(rnd.IntN(100))*day + int64(rnd.IntN(24))*3600_000
		start, end = d, d+int64(rnd.IntN(30))*day
	}
	return box, start, end
}

// TestSearchMatchesBruteForce compares Search, Leaves and Page with a
// linear test of every entry, for indexes of points and of boxes, with
// times in whole days and in milliseconds.
func TestSearchMatchesBruteForce(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, points := range []bool{true, false} {
		for _, n := range []int{0, 1, 15, 16, 17, 300, 5000} {
			es := randomEntries(rnd, n, points)
			ix := build(t, es)
			if ix.Len() != n {
				t.Fatalf("Len = %d, want %d", ix.Len(), n)
			}
			for range 300 {
				box, start, end := randomQuery(rnd)
				q := NewQuery(box, start, end)
				var wantRanks []uint32
				wantPartial := map[uint32]bool{}
				for r, e := range es {
					if hit, inside := match(e, box, start, end); hit {
						wantRanks = append(wantRanks, uint32(r))
						wantPartial[uint32(r)] = !inside
					}
				}
				ranks, partial := ix.Search(&q, nil)
				got := make([]uint32, 0, len(ranks))
				nPartial := 0
				for _, r := range ranks {
					if r&Partial != 0 != wantPartial[r&^Partial] {
						t.Fatalf("rank %d: partial %v, want %v (%+v against %+v)", r&^Partial, r&Partial != 0, wantPartial[r&^Partial], es[r&^Partial], box)
					}
					if r&Partial != 0 {
						nPartial++
					}
					got = append(got, r&^Partial)
				}
				slices.Sort(got)
				if !slices.Equal(got, wantRanks) || nPartial != partial {
					t.Fatalf("n %d points %v box %+v [%d, %d]: %d matches (%d partial, said %d), want %d", n, points, box, start, end, len(got), nPartial, partial, len(wantRanks))
				}
				// Leaves visits the same entries.
				var leaves []uint32
				if err := ix.Leaves(&q, func(p int, part bool) error {
					if part != wantPartial[ix.Rank(p)] {
						t.Fatalf("leaf %d: partial %v", p, part)
					}
					from, to := ix.Time(p)
					if e := es[ix.Rank(p)]; from != e.from || to != e.to {
						t.Fatalf("Time(%d) = %d, %d; want %d, %d", p, from, to, e.from, e.to)
					}
					leaves = append(leaves, ix.Rank(p))
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				slices.Sort(leaves)
				if !slices.Equal(leaves, wantRanks) {
					t.Fatalf("Leaves visited %d entries, want %d", len(leaves), len(wantRanks))
				}
				// A page is a window of the matches in rank order; an
				// exact test that drops every third partial candidate is
				// obeyed.
				drop := func(r uint32) bool { return wantPartial[r] && r%3 == 0 }
				var kept []uint32
				for _, r := range wantRanks {
					if !drop(r) {
						kept = append(kept, r)
					}
				}
				exact := func(ranks []uint32) ([]uint32, error) {
					out := ranks[:0]
					for _, r := range ranks {
						if r&Partial != 0 && drop(r&^Partial) {
							continue
						}
						out = append(out, r&^Partial)
					}
					return out, nil
				}
				offset, limit := rnd.IntN(len(kept)+2), rnd.IntN(60)-5
				var buf []uint32
				rows, matched, err := ix.Page(&q, offset, limit, &buf, nil, exact)
				if err != nil {
					t.Fatal(err)
				}
				var want []int64
				for i, r := range kept {
					if i >= offset && (limit <= 0 || i < offset+limit) {
						want = append(want, es[r].row)
					}
				}
				if matched != len(kept) || !slices.Equal(rows, want) {
					t.Fatalf("Page(offset %d, limit %d) = %v, %d; want %v, %d", offset, limit, rows, matched, want, len(kept))
				}
			}
		}
	}
}

func TestBuildRejectsBadColumns(t *testing.T) {
	c := &Columns{Row: []int64{1, 2}, MinX: []float64{0}, MinY: []float64{0, 0}, From: []int64{0, 0}, To: []int64{1, 1}}
	if _, err := Build(c, &offheap.Arena{}); err == nil {
		t.Error("columns of different lengths: no error")
	}
}

func TestSelectSmallest(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		n := 1 + rnd.IntN(300)
		a := make([]uint32, n)
		for i := range a {
			a[i] = uint32(rnd.IntN(n/2 + 1)) // with repeats
		}
		k := 1 + rnd.IntN(n)
		sorted := slices.Clone(a)
		slices.Sort(sorted)
		selectSmallest(a, k)
		got := slices.Clone(a[:k])
		slices.Sort(got)
		if !slices.Equal(got, sorted[:k]) {
			t.Fatalf("n %d k %d: smallest %v, want %v", n, k, got, sorted[:k])
		}
	}
}

// FuzzSearch builds an index of entries read from the input and checks
// Search against the brute-force test with a query read from it too.
func FuzzSearch(f *testing.F) {
	f.Add([]byte("0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"))
	f.Add(make([]byte, 200))
	f.Fuzz(func(t *testing.T, data []byte) {
		num := func() float64 {
			if len(data) < 1 {
				return 0
			}
			v := float64(int8(data[0])) / 4
			data = data[1:]
			return v
		}
		tm := func() int64 {
			if len(data) < 2 {
				return 0
			}
			v := int64(int16(binary.LittleEndian.Uint16(data)))
			data = data[2:]
			switch v {
			case math.MinInt16:
				return geo.OpenStart
			case math.MaxInt16:
				return geo.OpenEnd
			}
			return v * 3600_000
		}
		box := &Box{MinX: num(), MinY: num(), MaxX: num(), MaxY: num()}
		if box.MinY > box.MaxY {
			box.MinY, box.MaxY = box.MaxY, box.MinY
		}
		start, end := tm(), tm()
		if end < start {
			start, end = end, start
		}
		var es []entry
		for len(data) >= 8 && len(es) < 2000 {
			x0, y0, x1, y1 := num(), num(), num(), num()
			from, to := tm(), tm()
			if to <= from {
				from, to = to, from+1
			}
			es = append(es, entry{row: int64(len(es)), minX: min(x0, x1), minY: min(y0, y1), maxX: max(x0, x1), maxY: max(y0, y1), from: from, to: to})
		}
		ix := build(t, es)
		q := NewQuery(box, start, end)
		ranks, _ := ix.Search(&q, nil)
		n := 0
		for _, e := range es {
			if hit, _ := match(e, box, start, end); hit {
				n++
			}
		}
		if len(ranks) != n {
			t.Fatalf("Search found %d, brute force %d", len(ranks), n)
		}
	})
}

// benchIndex is an index of n points spread over the Gaza Strip's box,
// valid for random spans of 2025.
func benchIndex(b *testing.B, n int) *Index {
	rnd := rand.New(rand.NewPCG(3, 4))
	es := make([]entry, n)
	for i := range es {
		x, y := 34.2+rnd.Float64()*0.4, 31.2+rnd.Float64()*0.4
		from := 20089*day + int64(rnd.IntN(365))*day
		es[i] = entry{row: int64(i), minX: x, minY: y, maxX: x, maxY: y, from: from, to: from + int64(1+rnd.IntN(60))*day}
	}
	return build(b, es)
}

func BenchmarkBuild(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		benchIndex(b, 100_000)
	}
}

func BenchmarkPage(b *testing.B) {
	ix := benchIndex(b, 200_000)
	box := &Box{MinX: 34.3, MinY: 31.3, MaxX: 34.4, MaxY: 31.4}
	q := NewQuery(box, 20200*day, 20200*day+day-1)
	var buf []uint32
	var rows []int64
	b.ReportAllocs()
	for b.Loop() {
		var err error
		rows, _, err = ix.Page(&q, 0, 100, &buf, rows, nil)
		if err != nil {
			b.Fatal(err)
		}
	}
}
