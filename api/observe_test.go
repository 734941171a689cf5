package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"strata/api"
)

func TestHealthAndReady(t *testing.T) {
	db := seededDB(t)
	var logs bytes.Buffer
	srv := httptest.NewServer(api.New(api.Config{Store: db, Logger: slog.New(slog.NewTextHandler(&logs, nil))}).Handler())
	defer srv.Close()
	if r := get(t, srv.URL+"/healthz"); r.status != 200 || decode[struct{ Status string }](t, r).Status != "ok" {
		t.Errorf("/healthz: %d %s", r.status, r.body)
	}
	r := get(t, srv.URL+"/readyz")
	ready := decode[struct {
		Status      string
		DataVersion *int64 `json:"data_version"`
	}](t, r)
	if r.status != 200 || ready.Status != "ready" || ready.DataVersion == nil || r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("/readyz: %d %s", r.status, r.body)
	}
	if r := get(t, srv.URL+"/readyz?x=1"); r.status != 400 {
		t.Errorf("/readyz?x=1: status %d", r.status)
	}
	// With the database gone the process is alive but not ready.
	db.Close()
	if r := get(t, srv.URL+"/healthz"); r.status != 200 {
		t.Errorf("/healthz with the database closed: %d", r.status)
	}
	r = get(t, srv.URL+"/readyz")
	e := decode[struct{ Code, Description string }](t, r)
	if r.status != 503 || e.Code != "ServiceUnavailable" || strings.Contains(e.Description, "sql") {
		t.Errorf("/readyz with the database closed: %d %+v", r.status, e)
	}
	if !strings.Contains(logs.String(), "not ready") {
		t.Errorf("the failed read is not logged: %s", logs.String())
	}
}

// metricValue returns the value of one sample line of a Prometheus text
// exposition, and whether it is there.
func metricValue(body, sample string) (float64, bool) {
	for _, line := range strings.Split(body, "\n") {
		if rest, ok := strings.CutPrefix(line, sample+" "); ok {
			v, err := strconv.ParseFloat(rest, 64)
			return v, err == nil
		}
	}
	return 0, false
}

func TestMetrics(t *testing.T) {
	srv := newSiteServer(t, api.Config{TileCacheBytes: 1 << 20})
	for range 3 {
		get(t, srv.URL+"/collections/events/items?limit=2")
	}
	get(t, srv.URL+"/collections/events/items?limit=x")
	do(t, "HEAD", srv.URL+"/collections", nil)
	get(t, srv.URL+"/no/such/thing")
	do(t, "POST", srv.URL+"/collections", nil)
	get(t, srv.URL+"/js/main.js")
	get(t, srv.URL+"/tiles/WebMercatorQuad/8/105/152")
	r := get(t, srv.URL+"/metrics")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %q", r.status, r.header.Get("Content-Type"))
	}
	body := string(r.body)
	for sample, want := range map[string]float64{
		`strata_http_requests_total{code="200",method="GET",route="/collections/{collectionId}/items"}`:                 3,
		`strata_http_requests_total{code="400",method="GET",route="/collections/{collectionId}/items"}`:                 1,
		`strata_http_requests_total{code="200",method="HEAD",route="/collections"}`:                                     1,
		`strata_http_requests_total{code="404",method="GET",route="/{file}"}`:                                           1,
		`strata_http_requests_total{code="405",method="other",route="unmatched"}`:                                       1,
		`strata_http_requests_total{code="200",method="GET",route="/{file}"}`:                                           1,
		`strata_http_request_duration_seconds_count{method="GET",route="/collections/{collectionId}/items"}`:            4,
		`strata_http_request_duration_seconds_bucket{method="GET",route="/collections/{collectionId}/items",le="+Inf"}`: 4,
		`strata_http_requests_in_flight`: 1, // this request
		`strata_tile_cache_tiles`:        1,
		`strata_query_gate_waiting`:      0,
	} {
		got, ok := metricValue(body, sample)
		if !ok || got != want {
			t.Errorf("%s = %v (present: %v), want %v", sample, got, ok, want)
		}
	}
	for _, name := range []string{"strata_tile_cache_bytes", "strata_tile_cache_max_bytes", "go_goroutines", "process_resident_memory_bytes"} {
		if !regexp.MustCompile(`(?m)^` + name + ` `).MatchString(body) {
			t.Errorf("no %s", name)
		}
	}
}

// TestAccessLog checks the access log's fields, in JSON, and that no
// token reaches it.
func TestAccessLog(t *testing.T) {
	db := seededDB(t)
	var logs bytes.Buffer
	srv := httptest.NewServer(api.New(api.Config{Store: db, AccessLog: true, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}).Handler())
	defer srv.Close()
	get(t, srv.URL+"/collections/towns/items?limit=1")
	do(t, "GET", srv.URL+"/collections?token=s3cret-1&f=json", map[string]string{"Authorization": "Bearer s3cret-2"})
	get(t, srv.URL+"/collections?f=json;access_token=s3cret-3")
	get(t, srv.URL+"/conformance?API%5FKEY=s3cret-4")
	if strings.Contains(logs.String(), "s3cret") {
		t.Fatalf("a secret reached the log:\n%s", logs.String())
	}
	type line struct {
		Msg, Method, URL, Route, Authorization string
		Status                                 int
		Bytes                                  int64
		Took                                   int64
	}
	var lines []line
	sc := bufio.NewScanner(&logs)
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("not JSON: %s", sc.Bytes())
		}
		if l.Msg == "request" {
			lines = append(lines, l)
		}
	}
	if len(lines) != 4 {
		t.Fatalf("%d request lines, want 4", len(lines))
	}
	first := lines[0]
	if first.Method != "GET" || first.URL != "/collections/towns/items?limit=1" || first.Route != "/collections/{collectionId}/items" || first.Status != 200 || first.Bytes == 0 || first.Took <= 0 {
		t.Errorf("first line: %+v", first)
	}
	if l := lines[1]; l.Status != 400 || l.Authorization != "[redacted]" || l.URL != "/collections?token=[redacted]&f=json" {
		t.Errorf("second line: %+v", l)
	}
	if l := lines[2]; l.URL != "/collections?f=json;access_token=[redacted]" {
		t.Errorf("third line: %+v", l)
	}
	if l := lines[3]; l.URL != "/conformance?API%5FKEY=[redacted]" {
		t.Errorf("fourth line: %+v", l)
	}
}

// TestReadyWaitsForIndexes: /readyz answers 503 while Config.Ready says
// the store is not ready (its indexes being built), 200 after.
func TestReadyWaitsForIndexes(t *testing.T) {
	db := seededDB(t)
	var notReady atomic.Bool
	notReady.Store(true)
	ready := func(context.Context) error {
		if notReady.Load() {
			return errors.New("the index of layer towns is being built")
		}
		return nil
	}
	srv := httptest.NewServer(api.New(api.Config{Store: db, Ready: ready, Logger: slog.New(slog.DiscardHandler)}).Handler())
	defer srv.Close()
	if r := get(t, srv.URL+"/readyz"); r.status != 503 || strings.Contains(string(r.body), "towns") {
		t.Errorf("/readyz while building: %d %s", r.status, r.body)
	}
	notReady.Store(false)
	if r := get(t, srv.URL+"/readyz"); r.status != 200 {
		t.Errorf("/readyz once built: %d %s", r.status, r.body)
	}
}
