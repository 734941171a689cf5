package bundle

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"strata/data/tilefile"
	"strata/geo"
)

// TileSource is a user's own vector basemap (strata serve -basemap
// FILE.pmtiles): a *tilefile.Archive.
type TileSource interface {
	Info() tilefile.Info
	Tile(z uint8, x, y uint32) ([]byte, error)
}

const (
	// maxUserTiles and maxUserTileBytes bound the user basemap's tiles a
	// file holds; past them, the views' higher zoom levels are left out
	// and the built-in basemap shows there.
	maxUserTiles     = 1500
	maxUserTileBytes = 16 << 20
	// viewTilesX and viewTilesY are the tiles a step's view needs on each
	// side of its centre: a 2048 × 1536 pixel screen.
	viewTilesX, viewTilesY = 4, 3
)

// userTiles returns the user basemap's tiles that the briefing's step
// views show, by "z/x/y", and its TileJSON: each step's view at the zoom
// levels viewOf gives, a screen around its centre, zoom levels clamped to
// the file's (the renderer over-zooms its highest).
func userTiles(src TileSource, b geo.Briefing) (map[string][]byte, json.RawMessage, error) {
	info := src.Info()
	tj, err := json.Marshal(struct {
		TileJSON string `json:"tilejson"`
		tilefile.Info
		Tiles []string `json:"tiles"`
	}{"3.0.0", info, []string{"basemap/user/{z}/{x}/{y}.mvt"}})
	if err != nil {
		return nil, nil, err
	}
	want := map[maptile.Tile]bool{}
	var order []maptile.Tile
	for z := info.MinZoom; z <= info.MaxZoom; z++ {
		for _, s := range b.Steps {
			center, lo, hi, ok := viewOf(s.View)
			if !ok {
				continue
			}
			lo, hi = min(max(lo, info.MinZoom), info.MaxZoom), min(max(hi, info.MinZoom), info.MaxZoom)
			if z < lo || z > hi {
				continue
			}
			c := maptile.At(center, maptile.Zoom(z))
			n := int64(1) << z
			for dy := -viewTilesY; dy <= viewTilesY; dy++ {
				for dx := -viewTilesX; dx <= viewTilesX; dx++ {
					x, y := (int64(c.X)+int64(dx)+n)%n, int64(c.Y)+int64(dy)
					if y < 0 || y >= n {
						continue
					}
					t := maptile.New(uint32(x), uint32(y), maptile.Zoom(z))
					if !want[t] {
						want[t] = true
						order = append(order, t)
					}
				}
			}
		}
	}
	out := map[string][]byte{}
	total := 0
	for _, t := range order {
		data, err := src.Tile(uint8(t.Z), t.X, t.Y)
		if errors.Is(err, tilefile.ErrNoTile) {
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("basemap file: %w", err)
		}
		if len(out) >= maxUserTiles || total+len(data) > maxUserTileBytes {
			break
		}
		out[fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y)] = data
		total += len(data)
	}
	return out, tj, nil
}

// viewOf returns a step view's centre and the zoom levels it may be
// drawn at: a centred view's zoom and the one below; for bounds, which the
// page fits to its map (its size unknown here), the zoom at which they
// span about 400 pixels, with two levels below and one above.
func viewOf(v geo.View) (c orb.Point, lo, hi int, ok bool) {
	switch {
	case v.Center != nil && v.Zoom != nil:
		z := int(math.Round(*v.Zoom))
		return orb.Point{v.Center[0], v.Center[1]}, z - 1, z, true
	case v.Bounds != nil:
		b := orb.Bound{Min: orb.Point{v.Bounds[0], v.Bounds[1]}, Max: orb.Point{v.Bounds[2], v.Bounds[3]}}
		// A tile spans 360° / 2^z of longitude; 400 pixels are about 1.5 tiles.
		width := max(b.Max[0]-b.Min[0], 1e-6)
		z := int(math.Round(math.Log2(360 * 1.5 / width)))
		return b.Center(), z - 2, z + 1, true
	}
	return orb.Point{}, 0, 0, false
}
