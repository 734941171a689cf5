package api

import (
	"net/http"
	"net/url"

	"github.com/gorilla/mux"

	"strata/geo"
)

// briefingSummary lists a briefing without its steps.
type briefingSummary struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Steps       int    `json:"steps"`
	Links       []Link `json:"links"`
}

func (s *Server) briefingLinks(r *http.Request, id string) []Link {
	base := s.baseURL(r)
	return []Link{
		{base + "/briefings/" + url.PathEscape(id), "self", mediaJSON, "The briefing"},
		{base + "/present.html#briefing=" + url.QueryEscape(id), "alternate", mediaHTML, "Present it"},
	}
}

// handleBriefings serves GET /briefings.
func (s *Server) handleBriefings(w http.ResponseWriter, r *http.Request) {
	if err := s.checkDoc(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	bs, err := s.cfg.Briefings.Briefings(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]briefingSummary, 0, len(bs))
	for _, b := range bs {
		out = append(out, briefingSummary{ID: b.ID, Title: b.Title, Description: b.Description, Steps: len(b.Steps), Links: s.briefingLinks(r, b.ID)})
	}
	s.writeJSON(w, r, mediaJSON, map[string]any{
		"links":     []Link{{s.baseURL(r) + "/briefings", "self", mediaJSON, "Briefings"}},
		"briefings": out,
	})
}

// handleBriefing serves GET /briefings/{briefingId}: the whole briefing.
func (s *Server) handleBriefing(w http.ResponseWriter, r *http.Request) {
	if err := s.checkDoc(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := s.cfg.Briefings.Briefing(r.Context(), mux.Vars(r)["briefingId"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, mediaJSON, struct {
		geo.Briefing
		Links []Link `json:"links"`
	}{b, s.briefingLinks(r, b.ID)})
}
