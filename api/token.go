package api

import (
	"net/http"
	"time"

	"strata/geo"
)

// tokenDoc answers GET /token: whether the server takes writes and, for
// a request with a valid token, whose writes they are and which layers
// they may change.
type tokenDoc struct {
	// Writes is false on a read-only server and on one without any valid
	// token: nobody can write there.
	Writes bool `json:"writes"`
	// Author is the token's name, the author of its writes; empty
	// without a token.
	Author string `json:"author,omitempty"`
	// Collections lists the existing collections the token may write,
	// in the order of /collections; absent without a token.
	Collections []string `json:"collections,omitempty"`
	// Expires is when the token stops working (RFC 3339); absent when
	// it never does.
	Expires string `json:"expires,omitempty"`
}

// handleToken serves GET /token, a Strata extension for the map's edit
// mode: without an Authorization header it says whether anyone can write
// here; with one it checks the token as a write would (401 for an
// unknown, expired or revoked token; 403 for a page on an origin that may
// not write) and names its author and the collections it may write. The
// secret is never echoed. Not cached: the answer depends on the token and
// on tokens revoked meanwhile.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request, snap geo.Snapshot) {
	if err := checkParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	doc := tokenDoc{}
	switch {
	case s.cfg.ReadOnly:
	case r.Header.Get("Authorization") == "":
		tokens, err := s.tokens.get(r.Context(), tokenTTL)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		now := time.Now()
		for i := range tokens {
			if tokens[i].Valid(now) {
				doc.Writes = true
				break
			}
		}
	default:
		if err := s.checkWriteOrigin(r); err != nil {
			s.writeError(w, r, err)
			return
		}
		tok, err := s.writer(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		doc.Writes, doc.Author, doc.Collections = true, tok.Name, []string{}
		for _, l := range snap.Layers() {
			if tok.CanWrite(l.ID) {
				doc.Collections = append(doc.Collections, l.ID)
			}
		}
		if !tok.Expires.IsZero() {
			doc.Expires = tok.Expires.UTC().Format(time.RFC3339)
		}
	}
	w.Header().Add("Vary", "Authorization")
	s.writeJSONWith(w, r, mediaJSON, "no-store", doc)
}
