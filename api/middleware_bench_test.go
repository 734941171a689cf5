package api

import (
	"net/http"

	"net/http/httptest"
	"testing"

	"github.com/klauspost/compress/gzhttp"

	"strata/data/memory"
)

// BenchmarkMiddleware measures what the layers around the router
// (deadlines, metrics, access counting, panics, security headers, CORS,
// HEAD, compression) add to the cheapest request, /healthz.
func BenchmarkMiddleware(b *testing.B) {
	s := New(Config{Store: memory.New()})
	for _, c := range []struct {
		name string
		h    http.Handler
	}{
		{"router", s.router},
		{"compression", gzipped(s.router)},
		{"security+compression", s.secure(headAsGet(gzipped(s.router)))},
		{"metrics+security+compression", s.observe(s.secure(headAsGet(gzipped(s.router))))},
		{"handler", s.Handler()},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				c.h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

func gzipped(h http.Handler) http.Handler {
	gz, _ := gzhttp.NewWrapper(gzhttp.MinSize(512))
	return gz(h)
}
