package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"strata/tiles"
)

// metrics are the server's Prometheus metrics, in a registry of its own
// (no package-level state), served at /metrics.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	inFlight prometheus.Gauge
}

// newMetrics registers the request metrics, the tile cache's and the
// query gate's state, and the Go runtime and process collectors.
func (s *Server) newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "strata_http_requests_total",
			Help: "HTTP requests answered, by route template, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "strata_http_request_duration_seconds",
			Help: "Time from a request's arrival to the end of its answer, by route template and method.",
			// From a cached tile (well under 1 ms) to a 10,000-feature page
			// to a slow client.
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "strata_http_requests_in_flight",
			Help: "HTTP requests being answered now.",
		}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.inFlight,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "strata_query_gate_waiting",
			Help: "Items pages, tiles and histograms waiting for their turn to be computed (-max-queries).",
		}, func() float64 { return float64(s.gate.Waiting()) }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	for _, g := range []struct {
		name, help string
		value      func(tiles.CacheStats) int64
	}{
		{"strata_tile_cache_tiles", "Vector tiles held in the tile cache.", func(c tiles.CacheStats) int64 { return int64(c.Tiles) }},
		{"strata_tile_cache_bytes", "Memory the cached vector tiles are counted as holding.", func(c tiles.CacheStats) int64 { return c.Bytes }},
		{"strata_tile_cache_max_bytes", "The tile cache's memory bound (-tile-cache-mb); 0 when it is off.", func(c tiles.CacheStats) int64 { return c.MaxBytes }},
	} {
		m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: g.name, Help: g.help},
			func() float64 { return float64(g.value(s.tiles.CacheStats())) }))
	}
	return m
}

// handleMetrics serves GET /metrics in the Prometheus text format.
func (s *Server) handleMetrics() http.HandlerFunc {
	// Compression is left to the server's own compressor.
	h := promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{DisableCompression: true, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelError)})
	return func(w http.ResponseWriter, r *http.Request) {
		if err := checkParams(r); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	}
}

// handleHealth serves GET /healthz: 200 while the process serves HTTP.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if err := checkParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", mediaJSON)
	w.Write([]byte(`{"status":"ok"}` + "\n"))
}

// readyTimeout bounds the database read of /readyz: a database that
// takes longer is not ready to serve.
const readyTimeout = 2 * time.Second

// handleReady serves GET /readyz: 200 with the data version when a cheap
// read of the database (geo.Store.Snapshot) succeeds and Config.Ready, if
// set, says the store is ready (its indexes built), else 503.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if err := checkParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	snap, err := s.store.Snapshot(ctx)
	if err != nil {
		if r.Context().Err() == nil {
			s.log.Error("not ready: the database cannot be read", "err", err)
			s.writeError(w, r, errNotReady)
		}
		return
	}
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(ctx); err != nil {
			if r.Context().Err() == nil {
				s.log.Info("not ready yet", "err", err)
				s.writeError(w, r, errNotReady)
			}
			return
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", mediaJSON)
	w.Write([]byte(`{"status":"ready","data_version":` + strconv.FormatInt(snap.Version(), 10) + "}\n"))
}

// routeKey is the context key of a request's *routeLabel.
type routeKey struct{}

// routeLabel receives the route template a request matched, for the
// metrics and the access log, from inside the router (see labelRoute).
type routeLabel struct{ route string }

// labelRoute is router middleware: it records the matched route's name
// or path template in the request's routeLabel.
func labelRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l, ok := r.Context().Value(routeKey{}).(*routeLabel); ok {
			if cur := mux.CurrentRoute(r); cur != nil {
				if l.route = cur.GetName(); l.route == "" {
					l.route, _ = cur.GetPathTemplate()
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// observe counts and times every request by route template and status,
// and writes the access log line when Config.AccessLog is set.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		label := &routeLabel{}
		rec := &recorder{ResponseWriter: w}
		s.metrics.inFlight.Inc()
		defer func() {
			s.metrics.inFlight.Dec()
			took := time.Since(start)
			route := label.route
			if route == "" {
				route = "unmatched"
			}
			method := r.Method
			switch method {
			case http.MethodGet, http.MethodHead, http.MethodOptions:
			default:
				method = "other" // a bounded set of label values
			}
			status := rec.status
			if status == 0 {
				status = http.StatusOK // nothing written, or a panic before it
			}
			s.metrics.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
			s.metrics.latency.WithLabelValues(route, method).Observe(took.Seconds())
			if s.cfg.AccessLog {
				attrs := []slog.Attr{
					slog.String("method", r.Method),
					slog.String("url", redactedURL(r.URL)),
					slog.String("route", route),
					slog.Int("status", status),
					slog.Int64("bytes", rec.bytes),
					slog.Duration("took", took),
					slog.String("remote", r.RemoteAddr),
				}
				if r.Header.Get("Authorization") != "" {
					attrs = append(attrs, slog.String("authorization", redacted))
				}
				if ua := r.UserAgent(); ua != "" {
					attrs = append(attrs, slog.String("user_agent", ua))
				}
				s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
			}
		}()
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), routeKey{}, label)))
	})
}

// recorder notes the status and body size of an answer. It passes
// Flush on, and Unwrap lets http.ResponseController reach the
// connection's writer (for write deadlines).
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *recorder) Flush() {
	http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// redacted stands for a secret left out of the logs.
const redacted = "[redacted]"

// redactedURL is u for the logs, with the value of every query parameter
// whose name suggests a secret (token, key, secret, password, auth, in
// any case) replaced by [redacted]. It works on the raw query, malformed
// or not, taking ';' as a separator as well as '&' so that no secret
// slips through inside another parameter's value.
func redactedURL(u *url.URL) string {
	if u.RawQuery == "" {
		return u.String()
	}
	var b strings.Builder
	rest := u.RawQuery
	for rest != "" {
		pair := rest
		sep := ""
		if i := strings.IndexAny(rest, "&;"); i >= 0 {
			pair, sep, rest = rest[:i], rest[i:i+1], rest[i+1:]
		} else {
			rest = ""
		}
		name, _, hasValue := strings.Cut(pair, "=")
		plain, err := url.QueryUnescape(name)
		if err != nil {
			plain = name
		}
		if hasValue && secretName(plain) {
			pair = name + "=" + redacted
		}
		b.WriteString(pair)
		b.WriteString(sep)
	}
	c := *u
	c.RawQuery = b.String()
	return c.String()
}

// secretName reports whether a query parameter's name suggests it holds a
// secret.
func secretName(name string) bool {
	n := strings.ToLower(name)
	for _, s := range []string{"token", "key", "secret", "password", "auth"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}
