package api

import (
	"bytes"
	"net/http"

	"github.com/gorilla/mux"

	"strata/geo"
	"strata/internal/bundle"
)

// handleExport serves GET /briefings/{briefingId}/export.html: the
// briefing as one self-contained HTML file that presents it offline (see
// package bundle), as a download. It is built from one snapshot of the
// server's store, its briefings, front end (Config.Static) and basemap.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	if err := checkParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := mux.Vars(r)["briefingId"]
	var buf bytes.Buffer
	src := bundle.SnapshotSource(snap, s.cfg.Briefings, s.cfg.Static, s.cfg.Basemap)
	if s.cfg.UserBasemap != nil {
		src.UserBasemap = s.cfg.UserBasemap
	}
	if err := bundle.Write(r.Context(), &buf, src, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Ids are letters, digits and ".-_~" (geo.ValidID): safe in the header.
	h.Set("Content-Disposition", `attachment; filename="`+id+`.html"`)
	h.Set("Cache-Control", "no-cache")
	w.Write(buf.Bytes())
}
