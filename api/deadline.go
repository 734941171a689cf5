package api

import (
	"net/http"
	"strings"
	"time"
)

// Default write bounds; see Config.StallTimeout and Config.WriteTimeout.
const (
	DefaultStallTimeout = 10 * time.Second
	DefaultWriteTimeout = 2 * time.Minute
)

// writeDeadlines bounds how long an answer may wait on its client. Each
// write must go through within StallTimeout (the client reads nothing
// for that long: it has stalled), and the whole answer within
// WriteTimeout of the request's start. A handler blocked on a stalled
// client then gets an error and returns, giving back its buffers and
// compressor state, instead of waiting as long as the client does.
// (Query places are given up before writing anyway, see internal/gate.)
//
// The change feed (/changes/stream) is bounded by StallTimeout only.
//
// A deadline set here stays on the connection, so each request first
// sets its own; net/http resets it too when the http.Server has a
// WriteTimeout.
func (s *Server) writeDeadlines(next http.Handler) http.Handler {
	stall, total := s.cfg.StallTimeout, s.cfg.WriteTimeout
	if stall < 0 && total < 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dw := &deadlineWriter{ResponseWriter: w, rc: http.NewResponseController(w), stall: stall}
		// The change feed lasts as long as its client listens: only each
		// write is bounded (by stall; a heartbeat comes well within it).
		if total >= 0 && strings.TrimSuffix(r.URL.Path, "/") != streamPath {
			dw.end = time.Now().Add(total)
		}
		dw.rc.SetWriteDeadline(dw.end) // zero: none, until the first write
		next.ServeHTTP(dw, r)
		// net/http sends what it still buffers after the handler returns.
		dw.refresh()
	})
}

// deadlineWriter moves the connection's write deadline before each write:
// stall from now, but never past end (when set).
type deadlineWriter struct {
	http.ResponseWriter
	rc    *http.ResponseController
	stall time.Duration // < 0: no per-write bound
	end   time.Time     // zero: no bound on the whole answer
}

// refresh sets the deadline for a write starting now.
func (w *deadlineWriter) refresh() {
	if w.stall < 0 {
		return
	}
	d := time.Now().Add(w.stall)
	if !w.end.IsZero() && w.end.Before(d) {
		d = w.end
	}
	// Writers without deadlines (in tests) return ErrNotSupported.
	w.rc.SetWriteDeadline(d)
}

func (w *deadlineWriter) Write(b []byte) (int, error) {
	w.refresh()
	return w.ResponseWriter.Write(b)
}

func (w *deadlineWriter) Flush() {
	w.refresh()
	w.rc.Flush()
}

func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
