package api

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gorilla/mux"

	"strata/geo"
	"strata/tiles"
)

// OGC link relations for tiles.
const (
	relTilesetsVector = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
	relTilingSchemes  = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes"
	mediaMVT          = tiles.ContentType
)

// tilesConformance lists the OGC API – Tiles and TMS classes implemented.
var tilesConformance = []string{
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/dataset-tilesets",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/datetime",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
	"http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
}

// tilePaths adds the routes of the tiles themselves. They come first:
// tiles are the most requested resources, gorilla/mux tries routes in
// order, and no other route matches these paths.
func (s *Server) tilePaths(dataAsOf func(string, dataHandler)) {
	dataAsOf("/tiles/{tileMatrixSetId}/{z}/{y}/{x}", s.handleTile)
	dataAsOf("/xyz/{z}/{x}/{y}.mvt", s.handleTile)
	dataAsOf("/collections/{collectionId}/tiles/{tileMatrixSetId}/{z}/{y}/{x}", s.handleTile)
	dataAsOf("/collections/{collectionId}/xyz/{z}/{x}/{y}.mvt", s.handleTile)
}

// tileRoutes adds the OGC API – Tiles and XYZ documents' routes.
func (s *Server) tileRoutes(get func(string, http.HandlerFunc), data func(string, dataHandler)) {
	get("/tileMatrixSets", s.handleTileMatrixSets)
	get("/tileMatrixSets/{tileMatrixSetId}", s.handleTileMatrixSet)
	data("/tiles", s.handleTilesets)
	data("/tiles/{tileMatrixSetId}", s.handleTileset)
	data("/tilejson.json", s.handleTileJSON)
	data("/collections/{collectionId}/tiles", s.handleTilesets)
	data("/collections/{collectionId}/tiles/{tileMatrixSetId}", s.handleTileset)
	data("/collections/{collectionId}/tilejson.json", s.handleTileJSON)
}

// tileLayers returns the layers a tile request covers: the one collection
// in the path, or every layer. The prefix is the URL path up to /tiles.
func (s *Server) tileLayers(r *http.Request, snap geo.Snapshot) (layers []geo.Layer, prefix string, err error) {
	base := s.baseURL(r)
	if id, ok := mux.Vars(r)["collectionId"]; ok {
		l, err := snap.Layer(id)
		if err != nil {
			return nil, "", err
		}
		return []geo.Layer{l}, base + "/collections/" + url.PathEscape(l.ID), nil
	}
	return snap.Layers(), base, nil
}

// tileDocLayers returns what the tile documents describe: the layers of
// the request (see tileLayers) with their extents.
func (s *Server) tileDocLayers(r *http.Request, snap geo.Snapshot) (layers []geo.Layer, prefix string, extents map[string]geo.Extent, err error) {
	layers, prefix, err = s.tileLayers(r, snap)
	if err != nil {
		return nil, "", nil, err
	}
	extents = make(map[string]geo.Extent, len(layers))
	for _, l := range layers {
		e, err := snap.Extent(r.Context(), l.ID)
		if err != nil {
			return nil, "", nil, err
		}
		extents[l.ID] = e
	}
	return layers, prefix, extents, nil
}

// layerIDs lists the layers' ids.
func layerIDs(layers []geo.Layer) []string {
	ids := make([]string, len(layers))
	for i, l := range layers {
		ids[i] = l.ID
	}
	return ids
}

// writeTile sends a tile with its ETag, answering 304 when the client has
// it already. data is shared with the tile cache and is not modified.
func writeTile(w http.ResponseWriter, r *http.Request, data []byte, tag, cacheControl string) {
	h := w.Header()
	h.Set("Cache-Control", cacheControl)
	if notModified(w, r, tag) {
		return
	}
	h.Set("Content-Type", mediaMVT)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}

func checkTileMatrixSet(r *http.Request) error {
	if id := mux.Vars(r)["tileMatrixSetId"]; id != tiles.TileMatrixSetID {
		return geo.NotFoundf("tile matrix set %q is not offered; use %s", id, tiles.TileMatrixSetID)
	}
	return nil
}

// checkTileMatrixSetDoc checks a request for a document about the tile
// matrix set in its path: only f=json, and only WebMercatorQuad.
func (s *Server) checkTileMatrixSetDoc(r *http.Request) error {
	if err := s.checkDoc(r); err != nil {
		return err
	}
	return checkTileMatrixSet(r)
}

// handleTileMatrixSets serves GET /tileMatrixSets.
func (s *Server) handleTileMatrixSets(w http.ResponseWriter, r *http.Request) {
	if err := s.checkDoc(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	base := s.baseURL(r)
	s.writeJSON(w, r, mediaJSON, map[string]any{
		"links": []Link{{base + "/tileMatrixSets", "self", mediaJSON, "Tile matrix sets"}},
		"tileMatrixSets": []map[string]any{{
			"id": tiles.TileMatrixSetID, "title": "Google Maps Compatible for the World",
			"uri":   tiles.TileMatrixSetURI,
			"links": []Link{{base + "/tileMatrixSets/" + tiles.TileMatrixSetID, "self", mediaJSON, tiles.TileMatrixSetID}},
		}},
	})
}

// handleTileMatrixSet serves GET /tileMatrixSets/{tileMatrixSetId}.
func (s *Server) handleTileMatrixSet(w http.ResponseWriter, r *http.Request) {
	if err := s.checkTileMatrixSetDoc(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, mediaJSON, tiles.WebMercatorQuad())
}

// handleTilesets serves GET /tiles and GET /collections/{collectionId}/tiles:
// the list of vector tilesets (one, in WebMercatorQuad).
func (s *Server) handleTilesets(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	if err := s.checkDoc(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	_, prefix, err := s.tileLayers(r, snap)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	set := prefix + "/tiles/" + tiles.TileMatrixSetID
	s.writeJSON(w, r, mediaJSON, map[string]any{
		"links": []Link{{prefix + "/tiles", "self", mediaJSON, "Tilesets"}},
		"tilesets": []map[string]any{{
			"title": "Vector tiles", "dataType": "vector", "crs": tiles.CRS,
			"tileMatrixSetURI": tiles.TileMatrixSetURI,
			"links": []Link{
				{set, "self", mediaJSON, "Tileset metadata"},
				{s.baseURL(r) + "/tileMatrixSets/" + tiles.TileMatrixSetID, tiles.RelTilingScheme, mediaJSON, "WebMercatorQuad"},
			},
		}},
	})
}

// handleTileset serves the tileset metadata at
// /tiles/{tileMatrixSetId} and /collections/{collectionId}/tiles/{tileMatrixSetId}.
func (s *Server) handleTileset(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	if err := s.checkTileMatrixSetDoc(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	layers, prefix, ext, err := s.tileDocLayers(r, snap)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	set := prefix + "/tiles/" + tiles.TileMatrixSetID
	title := "All layers"
	if len(layers) == 1 && mux.Vars(r)["collectionId"] != "" {
		title = layers[0].Title
	}
	s.writeJSON(w, r, mediaJSON, tiles.NewTileSet(title, layers, ext,
		tiles.Link{Href: set, Rel: "self", Type: mediaJSON, Title: "This tileset"},
		tiles.Link{Href: set + "/{tileMatrix}/{tileRow}/{tileCol}", Rel: "item", Type: mediaMVT, Title: "Tiles (datetime filters them)", Templated: true},
		tiles.Link{Href: s.baseURL(r) + "/tileMatrixSets/" + tiles.TileMatrixSetID, Rel: tiles.RelTilingScheme, Type: mediaJSON, Title: "WebMercatorQuad"},
	))
}

// handleTileJSON serves /tilejson.json and /collections/{collectionId}/tilejson.json.
func (s *Server) handleTileJSON(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	if err := checkParams(r, "datetime", "f"); err != nil {
		s.writeError(w, r, err)
		return
	}
	layers, prefix, ext, err := s.tileDocLayers(r, snap)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	tmpl := prefix + "/xyz/{z}/{x}/{y}.mvt"
	if dt := r.URL.Query().Get("datetime"); dt != "" {
		if _, err := geo.ParseDatetime(dt); err != nil {
			s.writeError(w, r, err)
			return
		}
		tmpl += "?datetime=" + url.QueryEscape(dt)
	}
	s.writeJSON(w, r, mediaJSON, tiles.NewTileJSON(tmpl, layers, ext))
}

// handleTile serves one vector tile, at the OGC path .../{z}/{y}/{x} or the
// XYZ path .../xyz/{z}/{x}/{y}.mvt, holding every layer or one collection,
// filtered by datetime, as known at asof (drawn by a renderer of its
// own, so that tiles of the past do not empty the cache of today's).
func (s *Server) handleTile(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	if err := checkParams(r, "datetime", "asof", "f"); err != nil {
		s.writeError(w, r, err)
		return
	}
	query := r.URL.Query() // parsed once: each call parses anew
	if f := query.Get("f"); f != "" && f != "mvt" {
		s.writeError(w, r, geo.Invalidf("f", "format f=%q is not offered for tiles; use f=mvt", f))
		return
	}
	if _, ok := mux.Vars(r)["tileMatrixSetId"]; ok {
		if err := checkTileMatrixSet(r); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	v := mux.Vars(r)
	t, err := tiles.ParseTile(v["z"], v["y"], v["x"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	when := geo.Always
	if query.Has("datetime") {
		if when, err = geo.ParseDatetime(query.Get("datetime")); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	layers, _, err := s.tileLayers(r, snap)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	renderer := s.tiles
	if query.Has("asof") {
		renderer = s.pastTiles
	}
	err = renderer.Tile(r.Context(), snap, t, layerIDs(layers), when, func(d tiles.Drawn) error {
		if s.cfg.TileCacheBytes > 0 {
			w.Header().Set("X-Cache", cacheStatus(d.Hit))
		}
		writeTile(w, r, d.Data, d.ETag, cacheControl(r, "public, max-age=60"))
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
	}
}

// cacheStatus is the X-Cache header of an answer from a cache (hit) or
// computed for it (miss).
func cacheStatus(hit bool) string {
	if hit {
		return "hit"
	}
	return "miss"
}
