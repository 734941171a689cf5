package api

import (
	"bytes"
	"net/http"

	"github.com/gorilla/mux"

	"strata/bundle"
)

// handleExport serves GET /briefings/{briefingId}/export.html: the
// briefing as one self-contained HTML file that presents it offline (see
// package bundle), as a download. It is built from the server's own
// answers, so it needs the front end (Config.Static) and the basemap.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) {
	if err := checkParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := mux.Vars(r)["briefingId"]
	var buf bytes.Buffer
	if err := bundle.Write(r.Context(), &buf, s.router, id); err != nil {
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
