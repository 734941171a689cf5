// Package baselayers loads Strata's offline basemap, the TopoJSON files of
// data/basemap, into an in-memory geo.Store, so that the server can draw it
// into vector tiles like any other layer. Each file's objects become
// layers, and their multi-part geometries one feature per part, so a tile
// query touches only the parts near the tile:
//
//	world_land, world_borders    world.topo.json (Natural Earth, public domain)
//	region_sea                   the box the region was clipped to (its "clip")
//	region_land, region_coast,   region.topo.json (OpenStreetMap contributors,
//	region_borders               ODbL)
//
// A client draws them in that order: the world's land, the region's sea
// box over it, then the region's detailed land, coast and borders.
package baselayers

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"

	"github.com/paulmach/orb"

	"strata/data/memory"
	"strata/geo"
)

// Layer ids, in drawing order.
const (
	WorldLand     = "world_land"
	WorldBorders  = "world_borders"
	RegionSea     = "region_sea"
	RegionLand    = "region_land"
	RegionCoast   = "region_coast"
	RegionBorders = "region_borders"
)

const (
	worldCredit  = "Natural Earth"
	regionCredit = "© OpenStreetMap contributors (ODbL)"
)

// Open reads world.topo.json and region.topo.json from fsys and returns
// a store holding their layers. Parts that are not valid geometries (a
// ring of fewer than four positions) are left out; skipped counts them.
func Open(fsys fs.FS) (s *memory.Store, skipped int, err error) {
	s = memory.New()
	ctx := context.Background()
	type object struct{ name, layer, title string }
	files := []struct {
		file    string
		credit  string
		objects []object
	}{
		{"world.topo.json", worldCredit, []object{{"land", WorldLand, "World land"}, {"borders", WorldBorders, "World borders"}}},
		{"region.topo.json", regionCredit, []object{{"land", RegionLand, "Region land"}, {"coast", RegionCoast, "Region coastline"}, {"borders", RegionBorders, "Region borders"}}},
	}
	order := 0
	for _, file := range files {
		data, err := fs.ReadFile(fsys, file.file)
		if err != nil {
			return nil, 0, err
		}
		topo, arcs, err := decodeTopology(data)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", file.file, err)
		}
		if file.file == "region.topo.json" && len(topo.Clip) == 4 {
			w, so, e, n := topo.Clip[0], topo.Clip[1], topo.Clip[2], topo.Clip[3]
			box := orb.Polygon{{{w, so}, {e, so}, {e, n}, {w, n}, {w, so}}}
			k, err := put(ctx, s, layer(RegionSea, "Region sea", geo.KindPolygon, file.credit, order), []orb.Geometry{box})
			if err != nil {
				return nil, 0, err
			}
			skipped += k
			order++
		}
		for _, o := range file.objects {
			g, ok := topo.Objects[o.name]
			if !ok {
				return nil, 0, fmt.Errorf("%s: no object %q", file.file, o.name)
			}
			gs, err := geometries(g, arcs)
			if err != nil {
				return nil, 0, fmt.Errorf("%s: %s: %w", file.file, o.name, err)
			}
			kind := geo.KindLine
			if o.name == "land" {
				kind = geo.KindPolygon
			}
			k, err := put(ctx, s, layer(o.layer, o.title, kind, file.credit, order), parts(gs))
			if err != nil {
				return nil, 0, fmt.Errorf("%s: %s: %w", file.file, o.name, err)
			}
			skipped += k
			order++
		}
	}
	return s, skipped, nil
}

func layer(id, title string, kind geo.GeometryKind, credit string, order int) geo.Layer {
	return geo.Layer{ID: id, Title: title, Kind: kind, Attribution: credit, Order: order, Group: "Basemap"}
}

// parts splits multi-part geometries into their parts.
func parts(gs []orb.Geometry) []orb.Geometry {
	var out []orb.Geometry
	for _, g := range gs {
		switch g := g.(type) {
		case orb.MultiPolygon:
			for _, p := range g {
				out = append(out, p)
			}
		case orb.MultiLineString:
			for _, l := range g {
				out = append(out, l)
			}
		default:
			out = append(out, g)
		}
	}
	return out
}

// put imports the geometries as always-valid features of layer l, leaving
// out invalid ones, and returns how many it left out.
func put(ctx context.Context, s *memory.Store, l geo.Layer, gs []orb.Geometry) (skipped int, err error) {
	var fs []*geo.Feature
	for i, g := range gs {
		f := &geo.Feature{
			ID: fmt.Sprintf("%s.%d", l.ID, i), Geometry: g, Valid: geo.Always,
			Properties: json.RawMessage(`{}`), Sources: []geo.Source{{Title: l.Attribution}},
		}
		if f.Validate() != nil {
			skipped++
			continue
		}
		fs = append(fs, f)
	}
	_, err = s.Import(ctx, geo.ChangeNote{Author: "basemap"}, l, geo.Append, func(yield func(*geo.Feature, error) bool) {
		for _, f := range fs {
			if !yield(f, nil) {
				return
			}
		}
	})
	return skipped, err
}
