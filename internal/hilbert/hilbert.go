// Package hilbert numbers the cells of a square grid along a Hilbert
// curve, so that cells close in number lie close together.
package hilbert

// Index returns the distance along the Hilbert curve of the grid of 2^order
// × 2^order cells to the cell (x, y), both below 2^order; order is at most
// 32. The curve starts at (0, 0) and ends at (2^order-1, 0), as PMTiles
// numbers tiles.
func Index(order uint, x, y uint64) uint64 {
	n := uint64(1) << order
	var d uint64
	for s := n / 2; s > 0; s /= 2 {
		var rx, ry uint64
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		d += s * s * ((3 * rx) ^ ry)
		if ry == 0 {
			if rx == 1 {
				x, y = n-1-x, n-1-y
			}
			x, y = y, x
		}
	}
	return d
}
