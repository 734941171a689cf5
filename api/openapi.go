package api

import (
	_ "embed"
	"encoding/json"
	"net/http"
)

//go:embed openapi.json
var openapiJSON []byte

// openAPI returns the OpenAPI document for this server: the embedded
// definition with this server's URL, version and page sizes filled in.
func (s *Server) openAPI(base string) (map[string]any, error) {
	var doc map[string]any
	if err := json.Unmarshal(openapiJSON, &doc); err != nil {
		return nil, err
	}
	doc["servers"] = []map[string]any{{"url": base, "description": "This server"}}
	doc["info"].(map[string]any)["version"] = s.cfg.Version
	limit := doc["components"].(map[string]any)["parameters"].(map[string]any)["limit"].(map[string]any)["schema"].(map[string]any)
	limit["maximum"] = s.cfg.MaxLimit
	limit["default"] = s.cfg.DefaultLimit
	return doc, nil
}

// handleOpenAPI serves GET /api, the OpenAPI 3.0 definition.
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	if err := s.checkDoc(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	doc, err := s.openAPI(s.baseURL(r))
	if err == nil {
		err = s.addItemsPaths(r.Context(), doc)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, mediaOpenAPI, doc)
}
