package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"strata/geo"
	"strata/internal/gate"
)

// exception is the OGC API error body.
type exception struct {
	Code        string `json:"code"`
	Description string `json:"description"`
}

// status maps an error to its HTTP status and OGC exception. This is the
// one place where domain errors become status codes; an error of unknown
// kind is a 500 whose detail stays in the log.
func status(err error) (int, exception) {
	var ge *geo.Error
	msg := "internal error"
	if errors.As(err, &ge) {
		msg = ge.Message
	}
	switch {
	case errors.Is(err, geo.ErrInvalid):
		return http.StatusBadRequest, exception{"InvalidParameterValue", msg}
	case errors.Is(err, geo.ErrNotFound):
		return http.StatusNotFound, exception{"NotFound", msg}
	case errors.Is(err, geo.ErrConflict):
		return http.StatusConflict, exception{"Conflict", msg}
	case errors.Is(err, errMethod):
		return http.StatusMethodNotAllowed, exception{"MethodNotAllowed", msg}
	case errors.Is(err, errNotReady):
		return http.StatusServiceUnavailable, exception{"ServiceUnavailable", "the database cannot be read; the server is not ready"}
	case errors.Is(err, gate.ErrBusy):
		return http.StatusServiceUnavailable, exception{"ServiceUnavailable", "the server is busy with other queries; try again shortly"}
	}
	return http.StatusInternalServerError, exception{"InternalError", "internal error"}
}

var (
	errMethod   = errors.New("method not allowed")
	errNotReady = errors.New("not ready") // see handleReady
)

// writeError answers with the status and JSON body for err. Internal
// errors are logged, except a client's cancelled request.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code, body := status(err)
	if code == http.StatusInternalServerError {
		if errors.Is(err, context.Canceled) || r.Context().Err() != nil {
			return // the client is gone; nobody reads the answer
		}
		s.log.Error("request failed", "method", r.Method, "url", redactedURL(r.URL), "err", err)
	}
	h := w.Header()
	h.Del("ETag")
	h.Del("Cache-Control")
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	if code == http.StatusServiceUnavailable {
		h.Set("Retry-After", "1")
	}
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(body)
}

// handleMethodNotAllowed answers 405 with the methods the path allows.
func (s *Server) handleMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", "GET, HEAD, OPTIONS")
	s.writeError(w, r, &geo.Error{Kind: errMethod, Message: "method " + r.Method + " is not allowed on " + r.URL.Path + "; use " + strings.Join([]string{"GET", "HEAD", "OPTIONS"}, ", ")})
}

// handleOptions answers OPTIONS (CORS preflight included) with 204.
func (s *Server) handleOptions(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", "GET, HEAD, OPTIONS")
	w.WriteHeader(http.StatusNoContent)
}
