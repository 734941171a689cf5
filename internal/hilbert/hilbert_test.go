package hilbert

import "testing"

// TestIndex checks the curve of order 1 and 2 cell by cell, and that
// every order visits each cell once, moving to a neighbour at each step.
func TestIndex(t *testing.T) {
	for _, tc := range []struct {
		order uint
		want  [][2]uint64 // cells in curve order
	}{
		{1, [][2]uint64{{0, 0}, {0, 1}, {1, 1}, {1, 0}}},
		{2, [][2]uint64{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 2}, {0, 3}, {1, 3}, {1, 2}, {2, 2}, {2, 3}, {3, 3}, {3, 2}, {3, 1}, {2, 1}, {2, 0}, {3, 0}}},
	} {
		for d, c := range tc.want {
			if got := Index(tc.order, c[0], c[1]); got != uint64(d) {
				t.Errorf("Index(%d, %d, %d) = %d, want %d", tc.order, c[0], c[1], got, d)
			}
		}
	}
	for order := uint(1); order <= 6; order++ {
		n := uint64(1) << order
		at := make([][2]uint64, n*n)
		seen := make([]bool, n*n)
		for x := range n {
			for y := range n {
				d := Index(order, x, y)
				if d >= n*n || seen[d] {
					t.Fatalf("order %d: cell (%d, %d) at %d, out of range or taken", order, x, y, d)
				}
				seen[d], at[d] = true, [2]uint64{x, y}
			}
		}
		for d := 1; d < len(at); d++ {
			dx, dy := int64(at[d][0])-int64(at[d-1][0]), int64(at[d][1])-int64(at[d-1][1])
			if dx*dx+dy*dy != 1 {
				t.Fatalf("order %d: step %d from %v to %v is not to a neighbour", order, d, at[d-1], at[d])
			}
		}
	}
}
