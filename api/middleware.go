package api

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"

	"strata/geo"
)

// recoverPanics turns a panic in a handler into a logged 500, so one bad
// request cannot take the server down.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// cors lets browsers on the configured origins read every response, and
// pages on origins listed by name (not "*") write: a preflight offers
// them the write methods and headers, and no one else. (Writes from
// other origins are refused again in checkWriteOrigin, preflight or
// not.) Credentials (cookies) are never allowed: writers send a token.
func (s *Server) cors(next http.Handler) http.Handler {
	any := len(s.cfg.CORSOrigins) == 0 || slices.Contains(s.cfg.CORSOrigins, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		h := w.Header()
		if origin != "" {
			writer := slices.Contains(s.cfg.CORSOrigins, origin)
			switch {
			case writer:
				h.Set("Access-Control-Allow-Origin", origin)
				h.Add("Vary", "Origin")
			case any:
				h.Set("Access-Control-Allow-Origin", "*")
			}
			h.Set("Access-Control-Expose-Headers", "ETag, Content-Length, Link, Location, Content-Crs")
			if r.Method == http.MethodOptions {
				if writer {
					h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE")
					h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match, If-None-Match, Content-Crs, "+commentHeader+", Last-Event-ID")
				} else {
					h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
					if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
						h.Set("Access-Control-Allow-Headers", req)
					}
				}
				h.Set("Access-Control-Max-Age", "86400")
			}
		}
		next.ServeHTTP(w, r)
	})
}

// etag returns a strong entity tag for a complete body.
func etag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// weakETag returns a weak entity tag for a response that is not buffered,
// from the parts that determine its content.
func weakETag(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return `W/"` + hex.EncodeToString(h.Sum(nil)[:12]) + `"`
}

// notModified sets the ETag and reports whether the request's
// If-None-Match already names it; the caller then answers 304.
func notModified(w http.ResponseWriter, r *http.Request, tag string) bool {
	w.Header().Set("ETag", tag)
	inm := r.Header.Get("If-None-Match")
	if inm == "" {
		return false
	}
	bare := strings.TrimPrefix(tag, "W/")
	for _, c := range strings.Split(inm, ",") {
		c = strings.TrimSpace(c)
		if c == "*" || strings.TrimPrefix(c, "W/") == bare {
			w.WriteHeader(http.StatusNotModified)
			return true
		}
	}
	return false
}

// files serves the files of fsys at the URL path prefix with a cache
// policy; http.FileServer handles Last-Modified, ranges and HEAD. A path
// that names no file, or a folder, is a JSON 404: there are no folder
// listings. Files take no parameters, but a query string (a cache buster)
// is allowed if it is well formed.
func (s *Server) files(fsys fs.FS, prefix, cacheControl string) http.Handler {
	serve := http.StripPrefix(prefix, http.FileServerFS(fsys))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := parseQuery(r.URL.RawQuery); err != nil {
			s.writeError(w, r, err)
			return
		}
		name := strings.TrimPrefix(path.Clean("/"+strings.TrimPrefix(r.URL.Path, prefix)), "/")
		if fi, err := fs.Stat(fsys, name); err != nil || fi.IsDir() {
			s.writeError(w, r, geo.NotFoundf("no resource at %s", r.URL.Path))
			return
		}
		w.Header().Set("Cache-Control", cacheControl)
		serve.ServeHTTP(w, r)
	})
}
