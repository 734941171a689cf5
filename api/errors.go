package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	var stale *geo.StaleError
	switch {
	case errors.As(err, &ge):
		msg = ge.Message
	case errors.As(err, &stale):
		msg = stale.Error()
	}
	switch {
	case errors.Is(err, geo.ErrInvalid):
		return http.StatusBadRequest, exception{"InvalidParameterValue", msg}
	case errors.Is(err, geo.ErrNotFound):
		return http.StatusNotFound, exception{"NotFound", msg}
	case errors.Is(err, geo.ErrConflict):
		return http.StatusConflict, exception{"Conflict", msg}
	case errors.Is(err, geo.ErrPrecondition):
		return http.StatusPreconditionFailed, exception{"PreconditionFailed", msg}
	case errors.Is(err, geo.ErrUnauthorized):
		return http.StatusUnauthorized, exception{"Unauthorized", msg}
	case errors.Is(err, geo.ErrForbidden):
		return http.StatusForbidden, exception{"Forbidden", msg}
	case errors.Is(err, errPreconditionRequired):
		return http.StatusPreconditionRequired, exception{"PreconditionRequired", msg}
	case errors.Is(err, errTooLarge):
		return http.StatusRequestEntityTooLarge, exception{"PayloadTooLarge", msg}
	case errors.Is(err, errMediaType):
		return http.StatusUnsupportedMediaType, exception{"UnsupportedMediaType", msg}
	case errors.Is(err, errReadOnly):
		return http.StatusMethodNotAllowed, exception{"ReadOnly", msg}
	case errors.Is(err, errMethod):
		return http.StatusMethodNotAllowed, exception{"MethodNotAllowed", msg}
	case errors.Is(err, errNotReady):
		return http.StatusServiceUnavailable, exception{"ServiceUnavailable", "the database cannot be read; the server is not ready"}
	case errors.Is(err, geo.ErrUnavailable):
		return http.StatusServiceUnavailable, exception{"ServiceUnavailable", "the database cannot be reached; try again shortly"}
	case errors.Is(err, gate.ErrBusy):
		return http.StatusServiceUnavailable, exception{"ServiceUnavailable", "the server is busy with other queries; try again shortly"}
	}
	return http.StatusInternalServerError, exception{"InternalError", "internal error"}
}

var (
	errMethod   = errors.New("method not allowed")
	errNotReady = errors.New("not ready") // see handleReady
	// errPreconditionRequired: a write that needs If-Match came without.
	errPreconditionRequired = errors.New("precondition required")
	// errTooLarge: a request body over Config.MaxBodyBytes.
	errTooLarge = errors.New("request body too large")
	// errMediaType: a body of a media type the endpoint does not read.
	errMediaType = errors.New("unsupported media type")
	// errReadOnly: a write to a server configured read-only.
	errReadOnly = errors.New("read-only")
)

// invalidBody is the body of a 400: the exception and the parameter or
// member at fault (such as "precision_m" or "sources"), so that a form
// can show the message beside its field.
type invalidBody struct {
	exception
	Param string `json:"param,omitempty"`
}

// apiError returns an error of one of this package's kinds with a
// message for the user.
func apiError(kind error, format string, args ...any) error {
	return &geo.Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

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
	switch code {
	case http.StatusServiceUnavailable:
		h.Set("Retry-After", "1")
	case http.StatusUnauthorized:
		// RFC 6750: a request with a token that does not work is told so.
		challenge := `Bearer realm="strata"`
		if r.Header.Get("Authorization") != "" {
			challenge += `, error="invalid_token"`
		}
		h.Set("WWW-Authenticate", challenge)
	case http.StatusMethodNotAllowed:
		if errors.Is(err, errReadOnly) {
			h.Set("Allow", "GET, HEAD, OPTIONS")
		}
	}
	w.WriteHeader(code)
	var ge *geo.Error
	if code == http.StatusBadRequest && errors.As(err, &ge) && ge.Param != "" {
		json.NewEncoder(w).Encode(invalidBody{body, ge.Param})
		return
	}
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
