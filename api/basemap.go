package api

import (
	"net/http"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb/maptile"

	"strata/geo"
	"strata/tiles"
)

// basemapCacheBytes bounds the memory for cached basemap tiles: they never
// change, and the map asks for a few hundred of them at most.
const basemapCacheBytes = 16 << 20

// basemapRoutes adds the basemap's vector tiles when the server has
// basemap layers.
func (s *Server) basemapRoutes(get func(string, http.HandlerFunc)) {
	if s.cfg.BasemapLayers == nil {
		return
	}
	tr := tiles.NewRenderer(tiles.Options{CacheBytes: basemapCacheBytes})
	get("/basemap/tiles/{z}/{x}/{y}.mvt", func(w http.ResponseWriter, r *http.Request) {
		s.handleBasemapTile(w, r, tr)
	})
}

// handleBasemapTile serves GET /basemap/tiles/{z}/{x}/{y}.mvt: one vector
// tile of the offline basemap (XYZ order, row 0 at the top) holding one
// MVT layer per basemap layer. The tiles never change while the server
// runs, so clients may keep them for a day.
func (s *Server) handleBasemapTile(w http.ResponseWriter, r *http.Request, tr *tiles.Renderer) {
	t, err := basemapTile(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	snap, err := s.cfg.BasemapLayers.Snapshot(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	err = tr.Tile(r.Context(), snap, t, layerIDs(snap.Layers()), geo.Always, func(d tiles.Drawn) error {
		writeTile(w, r, d.Data, d.ETag, "public, max-age=86400")
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
	}
}

// basemapTile checks a basemap tile request (no query parameters) and
// returns the tile its path names in XYZ order ({z}/{x}/{y}).
func basemapTile(r *http.Request) (maptile.Tile, error) {
	if err := checkParams(r); err != nil {
		return maptile.Tile{}, err
	}
	v := mux.Vars(r)
	return tiles.ParseTile(v["z"], v["y"], v["x"])
}
