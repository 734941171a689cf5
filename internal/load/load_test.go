package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// recorder is a test server that records the requests it serves.
type recorder struct {
	mu      sync.Mutex
	paths   []string
	headers []http.Header
	hits    atomic.Int64
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec.hits.Add(1)
	rec.mu.Lock()
	rec.paths = append(rec.paths, r.URL.RequestURI())
	rec.headers = append(rec.headers, r.Header.Clone())
	rec.mu.Unlock()
	// A body of known size: 100 bytes per path digit.
	n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/p/"))
	w.Write(bytes.Repeat([]byte("x"), 100*n))
}

func numbered(n int) []string {
	paths := make([]string, n)
	for i := range paths {
		paths[i] = fmt.Sprintf("/p/%d", i)
	}
	return paths
}

func TestRunCountsRequests(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	paths := numbered(10)
	res, err := Run(context.Background(), Config{
		BaseURL: srv.URL, Paths: paths, Concurrency: 4, Duration: time.Minute, MaxRequests: 50, Seed: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.hits.Load(); got != 50 {
		t.Errorf("server saw %d requests, want 50", got)
	}
	if res.Requests != 50 || res.Status[200] != 50 || res.Errors != 0 || res.Non2xx != 0 || res.Unfinished != 0 {
		t.Errorf("result %+v, want 50 requests, all 200", res)
	}
	// Paths are sent round-robin from the shuffled list: 5 times each;
	// path i's body is 100*i bytes.
	if want := int64(5 * 100 * (0 + 9) * 10 / 2); res.Bytes != want {
		t.Errorf("bytes %d, want %d", res.Bytes, want)
	}
	if res.AvgBytes != float64(res.Bytes)/50 {
		t.Errorf("average bytes %g, want %g", res.AvgBytes, float64(res.Bytes)/50)
	}
	if res.Duration <= 0 || res.Duration > 30*time.Second || res.Rate <= 0 {
		t.Errorf("duration %v, rate %g", res.Duration, res.Rate)
	}
	for _, h := range rec.headers {
		if ae, ok := h["Accept-Encoding"]; ok {
			t.Fatalf("request sent Accept-Encoding %q", ae)
		}
		if h.Get("User-Agent") != "strata-load" {
			t.Fatalf("User-Agent %q", h.Get("User-Agent"))
		}
	}
	if res.Paths != 10 || res.Concurrency != 4 || res.Target != srv.URL {
		t.Errorf("result echoes %d paths, %d connections, target %s", res.Paths, res.Concurrency, res.Target)
	}
}

// TestRunShuffle checks that one connection sends the paths in an order
// fixed by the seed, every path once per round.
func TestRunShuffle(t *testing.T) {
	order := func(seed uint64) []string {
		rec := &recorder{}
		srv := httptest.NewServer(rec)
		defer srv.Close()
		if _, err := Run(context.Background(), Config{
			BaseURL: srv.URL + "/", Paths: numbered(20), Concurrency: 1, MaxRequests: 40, Seed: seed,
		}); err != nil {
			t.Fatal(err)
		}
		return rec.paths
	}
	a, b, c := order(1), order(1), order(2)
	if !slices.Equal(a, b) {
		t.Error("same seed, different order")
	}
	if slices.Equal(a, c) {
		t.Error("different seeds, same order")
	}
	if slices.Equal(a[:20], numbered(20)) {
		t.Error("paths were not shuffled")
	}
	if !slices.Equal(a[:20], a[20:]) {
		t.Error("the second round differs from the first")
	}
	if got := slices.Sorted(slices.Values(a[:20])); !slices.Equal(got, slices.Sorted(slices.Values(numbered(20)))) {
		t.Errorf("first round %q is not a permutation of the paths", a[:20])
	}
}

// TestRunPercentiles runs 20 requests on one connection against a server
// with known delays: 10 immediate, 8 of 30 ms and 2 of 100 ms.
func TestRunPercentiles(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/sleep/"))
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}))
	defer srv.Close()
	var paths []string
	for range 10 {
		paths = append(paths, "/sleep/0")
	}
	// Classes far apart, so that a loaded machine's delays (tens of
	// milliseconds) cannot move a request into the next one.
	for range 8 {
		paths = append(paths, "/sleep/100")
	}
	paths = append(paths, "/sleep/600", "/sleep/600")
	res, err := Run(context.Background(), Config{BaseURL: srv.URL, Paths: paths, Concurrency: 1, MaxRequests: 20})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 20 {
		t.Fatalf("%d requests, want 20", res.Requests)
	}
	checks := []struct {
		name     string
		got      time.Duration
		min, max time.Duration
	}{
		{"p50", res.P50, 0, 100 * time.Millisecond},
		{"p90", res.P90, 100 * time.Millisecond, 600 * time.Millisecond},
		{"p99", res.P99, 600 * time.Millisecond, 5 * time.Second},
		{"max", res.Max, 600 * time.Millisecond, 5 * time.Second},
	}
	for _, c := range checks {
		if c.got < c.min || c.got >= c.max {
			t.Errorf("%s = %v, want within [%v, %v)", c.name, c.got, c.min, c.max)
		}
	}
}

func TestPercentile(t *testing.T) {
	ten := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	tests := []struct {
		sorted []time.Duration
		p      int
		want   time.Duration
	}{
		{[]time.Duration{7}, 50, 7},
		{[]time.Duration{7}, 99, 7},
		{ten, 50, 5},
		{ten, 90, 9},
		{ten, 91, 10},
		{ten, 99, 10},
		{ten, 100, 10},
		{ten, 0, 1},
		{ten, 10, 1},
		{ten, 11, 2},
	}
	for _, tt := range tests {
		if got := Percentile(tt.sorted, tt.p); got != tt.want {
			t.Errorf("Percentile(%v, %d) = %v, want %v", tt.sorted, tt.p, got, tt.want)
		}
	}
}

func TestRunStatusAndErrors(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	mux.HandleFunc("/created", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusCreated) })
	mux.HandleFunc("/boom", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) })
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://192.0.2.1/elsewhere", http.StatusFound)
	})
	mux.HandleFunc("/drop", func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	mux.HandleFunc("/short", func(w http.ResponseWriter, r *http.Request) {
		// Promise 100 bytes, send 2, close: a truncated body.
		w.Header().Set("Content-Length", "100")
		w.Write([]byte("ab"))
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err == nil {
			buf.Flush()
			conn.Close()
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	paths := []string{"/ok", "/created", "/missing", "/boom", "/away", "/drop", "/short"}
	res, err := Run(context.Background(), Config{BaseURL: srv.URL, Paths: paths, Concurrency: 2, MaxRequests: 70})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]int{200: 10, 201: 10, 404: 10, 500: 10, 302: 10}
	if !maps.Equal(res.Status, want) {
		t.Errorf("status counts %v, want %v", res.Status, want)
	}
	if res.Non2xx != 30 || res.Errors != 20 || res.Requests != 50 {
		t.Errorf("non-2xx %d, errors %d, requests %d; want 30, 20, 50", res.Non2xx, res.Errors, res.Requests)
	}
	if len(res.ErrorKinds) == 0 {
		t.Error("no error kinds recorded")
	}
}

func TestCancelPlan(t *testing.T) {
	const n = 100_000
	for _, frac := range []float64{0, 0.1, 0.5, 1} {
		planned := 0
		for i := range int64(n) {
			c, d := cancelPlan(7, i, frac, 5*time.Millisecond)
			if c2, d2 := cancelPlan(7, i, frac, 5*time.Millisecond); c != c2 || d != d2 {
				t.Fatal("cancelPlan is not deterministic")
			}
			if d < 0 || d > 5*time.Millisecond {
				t.Fatalf("delay %v outside 0-5ms", d)
			}
			if c {
				planned++
			}
		}
		if got := float64(planned) / n; got < frac-0.01 || got > frac+0.01 {
			t.Errorf("fraction %g: %g of requests planned", frac, got)
		}
	}
}

// TestRunCancel cancels some requests to a server slower than the
// cancellation delays: every planned cancellation must abort its request.
func TestRunCancel(t *testing.T) {
	tests := []struct {
		name     string
		fraction float64
	}{
		{"none", 0},
		{"half", 0.5},
		{"all", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var served atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-time.After(40 * time.Millisecond):
					served.Add(1)
					w.Write([]byte("done"))
				case <-r.Context().Done():
				}
			}))
			defer srv.Close()
			const n = 40
			cfg := Config{BaseURL: srv.URL, Paths: numbered(3), Concurrency: 4, MaxRequests: n, Seed: 11,
				CancelFraction: tt.fraction, CancelMaxDelay: 5 * time.Millisecond}
			res, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			planned := 0
			for i := range int64(n) {
				if c, _ := cancelPlan(cfg.Seed, i, cfg.CancelFraction, cfg.CancelMaxDelay); c {
					planned++
				}
			}
			if res.CancelPlanned != planned || res.Cancelled != planned || res.CancelLate != 0 {
				t.Errorf("planned %d, cancelled %d, late %d; want %d cancelled", res.CancelPlanned, res.Cancelled, res.CancelLate, planned)
			}
			if res.Requests != n-planned || res.Errors != 0 || res.Status[200] != n-planned {
				t.Errorf("requests %d, errors %d, status %v; want %d requests, no errors", res.Requests, res.Errors, res.Status, n-planned)
			}
		})
	}
}

// TestRunTimed runs by time: a warm-up and a measured period, and stops by
// itself.
func TestRunTimed(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	start := time.Now()
	res, err := Run(context.Background(), Config{BaseURL: srv.URL, Paths: numbered(5), Concurrency: 2,
		Warmup: 200 * time.Millisecond, Duration: 300 * time.Millisecond, PID: os.Getpid()})
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	if elapsed < 500*time.Millisecond || elapsed > 5*time.Second {
		t.Errorf("run took %v, want about 500ms", elapsed)
	}
	if res.Duration != 300*time.Millisecond {
		t.Errorf("measured %v, want 300ms", res.Duration)
	}
	if res.WarmupRequests == 0 || res.Requests == 0 {
		t.Errorf("%d warm-up and %d measured requests", res.WarmupRequests, res.Requests)
	}
	// Unfinished requests may or may not have reached the server.
	done := int64(res.WarmupRequests + res.Requests)
	if hits := rec.hits.Load(); hits < done || hits > done+int64(res.Unfinished) {
		t.Errorf("warm-up %d + measured %d (+ unfinished %d), server saw %d", res.WarmupRequests, res.Requests, res.Unfinished, hits)
	}
	if s := res.Server; s == nil || s.PID != os.Getpid() || s.PeakRSS <= 0 || s.MaxRSS <= 0 || s.CPUTotal <= 0 || s.CPU < 0 || s.CPU > s.CPUTotal {
		t.Errorf("server stats %+v", res.Server)
	}

	// A cancelled context ends the run early, without error.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start = time.Now()
	res, err = Run(ctx, Config{BaseURL: srv.URL, Paths: numbered(5), Concurrency: 2, Duration: time.Hour})
	if err != nil || time.Since(start) > 5*time.Second || res.Duration > time.Second {
		t.Errorf("run with a cancelled context: %v after %v, measured %v", err, time.Since(start), res.Duration)
	}
}

func TestRunRejects(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	good := Config{BaseURL: srv.URL, Paths: []string{"/"}, MaxRequests: 1}
	tests := []struct {
		name   string
		change func(c *Config)
	}{
		{"remote host", func(c *Config) { c.BaseURL = "http://192.0.2.1:8080" }},
		{"host name", func(c *Config) { c.BaseURL = "http://example.com" }},
		{"no paths", func(c *Config) { c.Paths = nil }},
		{"relative path", func(c *Config) { c.Paths = []string{"x"} }},
		{"host-changing path", func(c *Config) { c.Paths = []string{"@example.com/"} }},
		{"negative concurrency", func(c *Config) { c.Concurrency = -1 }},
		{"huge concurrency", func(c *Config) { c.Concurrency = maxConcurrency + 1 }},
		{"negative duration", func(c *Config) { c.Duration = -time.Second }},
		{"endless duration", func(c *Config) { c.Duration = maxDuration + 1 }},
		{"long warm-up", func(c *Config) { c.Warmup = maxWarmup + 1 }},
		{"cancel fraction", func(c *Config) { c.CancelFraction = 1.5 }},
		{"negative max requests", func(c *Config) { c.MaxRequests = -1 }},
		{"no such process", func(c *Config) { c.PID = 1 << 30 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.change(&cfg)
			if _, err := Run(context.Background(), cfg); err == nil {
				t.Error("no error")
			}
		})
	}
	if _, err := Run(context.Background(), good); err != nil {
		t.Errorf("the good config fails: %v", err)
	}
}

func TestReport(t *testing.T) {
	res := &Result{
		Target: "http://127.0.0.1:1", Paths: 3, Concurrency: 16, Warmup: 5 * time.Second,
		Duration: 20 * time.Second, Requests: 1000, Rate: 50, P50: 1500 * time.Microsecond,
		P90: 3 * time.Millisecond, P99: 9 * time.Millisecond, Max: 12 * time.Millisecond,
		Bytes: 10000, AvgBytes: 10, Status: map[int]int{200: 990, 404: 10}, Non2xx: 10,
		Errors: 2, ErrorKinds: map[string]int{"EOF": 2}, CancelPlanned: 5, Cancelled: 4, CancelLate: 1,
		Server: &ServerStats{PID: 42, PeakRSS: 64 << 20, MaxRSS: 60 << 20, CPU: 10 * time.Second, CPUTotal: 12 * time.Second},
	}
	var text bytes.Buffer
	if err := res.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(text.String()), " ")
	for _, want := range []string{"req/s 50.0", "latency p50 1.500 ms", "10 × 404", "2 × EOF", "4 of 5 planned", "64.0 MiB", "50% of one core"} {
		if !strings.Contains(flat, want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"req_per_s": 50.0, "p50_ms": 1.5, "p99_ms": 9.0, "non_2xx": 10.0, "cancelled": 4.0, "duration_s": 20.0} {
		if got[k] != want {
			t.Errorf("JSON %s = %v, want %v", k, got[k], want)
		}
	}
	if s, _ := got["server"].(map[string]any); s["peak_rss_bytes"] != float64(64<<20) {
		t.Errorf("JSON server = %v", got["server"])
	}
}

// TestRunCountsCacheStatus counts the X-Cache headers: 3 hits, 2 misses
// and 1 answer without the header among 6 requests.
func TestRunCountsCacheStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s := strings.TrimPrefix(r.URL.Path, "/"); s != "none" {
			w.Header().Set("X-Cache", s)
		}
	}))
	defer srv.Close()
	paths := []string{"/hit", "/hit", "/hit", "/miss", "/miss", "/none"}
	res, err := Run(context.Background(), Config{BaseURL: srv.URL, Paths: paths, Concurrency: 1, MaxRequests: 6})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 6 || res.CacheHits != 3 || res.CacheMisses != 2 {
		t.Errorf("%d requests, %d hits, %d misses; want 6, 3, 2", res.Requests, res.CacheHits, res.CacheMisses)
	}
	var b strings.Builder
	if err := res.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "3 hits, 2 misses (60.0% hits)") {
		t.Errorf("report lacks the cache line:\n%s", b.String())
	}
}
