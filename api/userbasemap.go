package api

import (
	"errors"
	"fmt"
	"net/http"

	"strata/data/tilefile"
	"strata/geo"
)

// userBasemapRoutes adds a user's own vector basemap (strata serve
// -basemap FILE.pmtiles): its tiles at /basemap/user/{z}/{x}/{y}.mvt and
// its TileJSON at /basemap/user.json, which the front end reads to know
// whether there is one (204 when there is none, so that every page's
// first request is not a 404 in the browser's console), its zoom levels,
// bounds and credit.
func (s *Server) userBasemapRoutes(get func(string, http.HandlerFunc)) {
	get("/basemap/user.json", s.handleUserBasemapInfo)
	if s.cfg.UserBasemap != nil {
		get("/basemap/user/{z}/{x}/{y}.mvt", s.handleUserBasemapTile)
	}
}

// tileJSON is a TileJSON 3.0.0 document.
type tileJSON struct {
	TileJSON string `json:"tilejson"`
	tilefile.Info
	Tiles  []string `json:"tiles"`
	Scheme string   `json:"scheme"`
}

// handleUserBasemapInfo serves GET /basemap/user.json: the user basemap's
// TileJSON (name, attribution, zoom levels, bounds, centre, vector
// layers, tile URL template), or 204 when the server has none.
func (s *Server) handleUserBasemapInfo(w http.ResponseWriter, r *http.Request) {
	if err := checkParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.cfg.UserBasemap == nil {
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	s.writeJSONWith(w, r, "application/json", "no-cache", tileJSON{
		TileJSON: "3.0.0",
		Info:     s.cfg.UserBasemap.Info(),
		Tiles:    []string{s.baseURL(r) + "/basemap/user/{z}/{x}/{y}.mvt"},
		Scheme:   "xyz",
	})
}

// handleUserBasemapTile serves GET /basemap/user/{z}/{x}/{y}.mvt: one
// vector tile of the user's basemap as the file holds it (XYZ order, row
// 0 at the top). Coordinates that are not a tile are 400; a zoom level the
// file does not hold is 404; a tile it does not hold, within its zoom
// levels, is 204 with no body (an empty tile, as go-pmtiles' own server
// answers, so renderers draw nothing there instead of an error).
func (s *Server) handleUserBasemapTile(w http.ResponseWriter, r *http.Request) {
	t, err := basemapTile(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	info := s.cfg.UserBasemap.Info()
	if int(t.Z) < info.MinZoom || int(t.Z) > info.MaxZoom {
		s.writeError(w, r, geo.NotFoundf("the basemap has zoom levels %d to %d, not %d", info.MinZoom, info.MaxZoom, t.Z))
		return
	}
	data, err := s.cfg.UserBasemap.Tile(uint8(t.Z), t.X, t.Y)
	if errors.Is(err, tilefile.ErrNoTile) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err != nil {
		s.writeError(w, r, fmt.Errorf("basemap file: %w", err))
		return
	}
	writeTile(w, r, data, etag(data), "public, max-age=3600")
}
