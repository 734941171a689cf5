package tiles

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestCellGrid checks the cells a cellGrid finds, in its array and in its
// map, against a count of distinct cells by brute force.
func TestCellGrid(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, buffer := range []int{0, 64, 1000} {
		for _, n := range []int{1, 50, 3000} {
			// Points clustered in a corner and spread over the buffered tile.
			points := make([]tilePoint, n)
			for i := range points {
				span := Extent + 2*buffer + 1
				if i%2 == 0 {
					span = 200
				}
				points[i] = tilePoint{x: int32(rnd.IntN(span) - buffer), y: int32(rnd.IntN(span) - buffer)}
			}
			for _, cell := range []int{1, 16, 256} {
				for _, max := range []int{1, 10, 100, 1000} {
					t.Run(fmt.Sprintf("buffer %d/%d points/cell %d/max %d", buffer, n, cell, max), func(t *testing.T) {
						g := cellGrid{index: map[uint64]int32{}}
						fr := g.frameFor(points, cell, max, buffer)
						if got := distinctCells(points, fr.shift); got > max && 1<<fr.shift < Extent {
							t.Fatalf("side %d: %d cells, want at most %d", 1<<fr.shift, got, max)
						}
						if fr.shift > 0 && 1<<(fr.shift-1) >= cell {
							if got := distinctCells(points, fr.shift-1); got <= max {
								t.Fatalf("side %d holds the points in %d cells, but side %d was chosen", 1<<(fr.shift-1), got, 1<<fr.shift)
							}
						}
						// The array and the map number the same cells alike.
						sparse, m := fr, cellGrid{index: map[uint64]int32{}}
						sparse.dense = false
						next := int32(0)
						for i, p := range points {
							a, newA := g.number(fr, p.x, p.y, next)
							b, newB := m.number(sparse, p.x, p.y, next)
							if newA {
								next++
							}
							if a != b || newA != newB {
								t.Fatalf("point %d (%d, %d): cell %d (new %v) in the array, %d (new %v) in the map", i, p.x, p.y, a, newA, b, newB)
							}
						}
						g.empty()
						if len(g.index) != 0 || len(g.set) != 0 {
							t.Fatal("cells left after empty")
						}
						for _, v := range g.slots {
							if v != 0 {
								t.Fatal("slot left set after empty")
							}
						}
					})
				}
			}
		}
	}
}

// distinctCells counts the cells of side 1<<shift, aligned with the tile,
// that hold points.
func distinctCells(points []tilePoint, shift uint) int {
	seen := map[[2]int32]bool{}
	for _, p := range points {
		seen[[2]int32{p.x >> shift, p.y >> shift}] = true
	}
	return len(seen)
}
