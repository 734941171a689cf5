package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"strata/api"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// TestOpenAPI validates the served OpenAPI document, then checks real
// requests and responses, errors included, against it.
func TestOpenAPI(t *testing.T) { forEachStore(t, testOpenAPI) }

func testOpenAPI(t *testing.T, srv *httptest.Server) {
	ctx := context.Background()
	r := get(t, srv.URL+"/api")
	if r.status != 200 || r.header.Get("Content-Type") != "application/vnd.oai.openapi+json;version=3.0" {
		t.Fatalf("/api: status %d, type %q", r.status, r.header.Get("Content-Type"))
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(r.body)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("invalid OpenAPI document: %v", err)
	}
	limit := doc.Components.Parameters["limit"].Value.Schema.Value
	if limit.Min == nil || *limit.Min != 1 || limit.Max == nil || *limit.Max != 10000 || limit.Default != float64(100) {
		t.Errorf("limit parameter: min %v max %v default %v", limit.Min, limit.Max, limit.Default)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	openapi3filter.RegisterBodyDecoder("application/geo+json", openapi3filter.JSONBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/vnd.oai.openapi+json;version=3.0", openapi3filter.JSONBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/vnd.mapbox-vector-tile", openapi3filter.FileBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/plain", openapi3filter.PlainBodyDecoder)
	paths := []string{
		"/", "/conformance", "/api", "/collections", "/collections/lines",
		"/collections/lines/items", "/collections/events/items?limit=3&offset=2",
		"/collections/towns/items?bbox=34,31,35,32&datetime=2025-10-10",
		"/collections/lines/items/yellow_line_2025_10_10",
		"/collections/events/histogram", "/collections/nope/histogram", "/collections/events/histogram?bins=3",
		"/collections/nope", "/collections/towns/items/nope",
		"/collections/towns/items?datetime=garbage",
		"/tileMatrixSets", "/tileMatrixSets/WebMercatorQuad", "/tiles", "/tiles/WebMercatorQuad",
		"/tiles/WebMercatorQuad/8/105/152?datetime=2025-10-10", "/xyz/8/152/105.mvt",
		"/tilejson.json", "/collections/lines/tiles", "/collections/lines/tiles/WebMercatorQuad",
		"/collections/lines/tiles/WebMercatorQuad/6/26/38", "/collections/lines/tilejson.json",
		"/collections/lines/xyz/6/38/26.mvt", "/tiles/WebMercatorQuad/30/0/0",
		"/briefings", "/briefings/cmcc-ceasefire", "/briefings/nope",
		"/briefings/cmcc-ceasefire/export.html", "/briefings/nope/export.html",
		"/healthz", "/readyz", "/metrics", "/metrics?x=1",
		// Filtering, sorting and property selection (filter.go).
		"/collections/events/queryables", "/collections/nope/queryables",
		"/collections/events/items?category=visit,plan&sortby=-valid_from,name&properties=name,category",
		"/collections/events/items?filter=category%3D'visit'%20AND%20valid_from%20%3C%20TIMESTAMP('2025-11-01T00:00:00Z')&filter-lang=cql2-text",
		"/collections/events/items?filter=S_INTERSECTS(geometry,BBOX(31,34,32,35))&filter-crs=http://www.opengis.net/def/crs/EPSG/0/4326",
		"/collections/events/items?filter=category%3D",
		"/collections/events/schema", "/collections/nope/schema", "/collections/lines/geojson-schema",
		"/collections/towns/items?crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F3857&bbox=31,34,32,35&bbox-crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F4326",
		"/collections/lines/items/yellow_line_2025_10_10?crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F4326",
		"/collections/towns/items?crs=nope",
		"/collections/crossings/items?q=rafah", "/collections/towns/items?q=",
		"/search?q=rafah", "/search?q=rafah&limit=2", "/search", "/search?q=",
		"/diff?from=2025-10-09&to=2025-10-11", "/diff?from=2025-10-09&to=2025-10-11&collections=lines,areas&bbox=34,31,35,32",
		"/diff?from=2025-10-09", "/diff?from=2025-10-09&to=2025-10-11&collections=nope",
	}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+p, nil)
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("not in the OpenAPI document: %v", err)
			}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == 200 {
				if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
					t.Errorf("request does not match the document: %v", err)
				}
			}
			out := &openapi3filter.ResponseValidationInput{
				RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
				Body: io.NopCloser(bytes.NewReader(body)), Options: &openapi3filter.Options{IncludeResponseStatus: true},
			}
			if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
				t.Errorf("response %d does not match the document: %v", res.StatusCode, err)
			}
		})
	}
}

// TestOpenAPIWrites checks writes, history and their errors against the
// OpenAPI document: each request and its response, on a real store.
func TestOpenAPIWrites(t *testing.T) {
	ctx := context.Background()
	e := writeStores(t, api.Config{})[1]
	doc, err := openapi3.NewLoader().LoadFromData(get(t, e.srv.URL+"/api").body)
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	openapi3filter.RegisterBodyDecoder("application/geo+json", openapi3filter.JSONBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/merge-patch+json", openapi3filter.JSONBodyDecoder)
	steps := []struct {
		method, path, body, ctype, token, ifMatch string
		status                                    int
	}{
		{"POST", "/collections/a/items", pointFeature("o1", 34, 31, ""), json1, "bob", "", 201},
		{"POST", "/collections/a/items", pointFeature("o1", 34, 31, ""), json1, "bob", "", 409},
		{"POST", "/collections/a/items", pointFeature("o2", 34, 31, ""), json1, "", "", 401},
		{"POST", "/collections/b/items", pointFeature("o2", 34, 31, ""), json1, "alice", "", 403},
		{"POST", "/collections/a/items", `{"type":"Feature"}`, json1, "bob", "", 400},
		{"PUT", "/collections/a/items/o1", pointFeature("o1", 35, 31, ""), json1, "bob", `"1"`, 200},
		{"PUT", "/collections/a/items/o1", pointFeature("o1", 35, 31, ""), json1, "bob", `"1"`, 412},
		{"PUT", "/collections/a/items/o1", pointFeature("o1", 35, 31, ""), json1, "bob", "", 428},
		{"PATCH", "/collections/a/items/o1", `{"properties":{"note":"n"}}`, "application/merge-patch+json", "bob", `"2"`, 200},
		{"OPTIONS", "/collections/a/items", "", "", "bob", "", 204},
		{"OPTIONS", "/collections/a/items/o1", "", "", "", "", 204},
		{"GET", "/token", "", "", "", "", 200},
		{"GET", "/token", "", "", "alice", "", 200},
		{"GET", "/token", "", "", "gone", "", 401},
		{"GET", "/token?x=1", "", "", "", "", 400},
		{"GET", "/collections/a/items/o1/versions", "", "", "", "", 200},
		{"GET", "/collections/a/items/o1/versions/1", "", "", "", "", 200},
		{"GET", "/collections/a/items/o1/versions/9", "", "", "", "", 404},
		{"GET", "/collections/a/items/o1?asof=2020-01-01", "", "", "", "", 404},
		{"GET", "/collections/a/items?asof=nope", "", "", "", "", 400},
		{"GET", "/changes?limit=2", "", "", "", "", 200},
		{"GET", "/changes/FIRST", "", "", "", "", 200},
		{"GET", "/changes/999", "", "", "", "", 404},
		{"DELETE", "/collections/a/items/o1", "", "", "bob", `"3"`, 204},
		{"DELETE", "/collections/a/items/o1", "", "", "bob", `"3"`, 412},
		{"POST", "/changes/LAST/revert", "", "", "bob", "", 201},
		{"POST", "/changes/FIRST/revert", "", "", "bob", "", 409},
	}
	// changeIDs returns the oldest and newest changeset ids.
	changeIDs := func() (first, last string) {
		var cs struct{ Changes []struct{ ID int64 } }
		json.Unmarshal(get(t, e.srv.URL+"/changes").body, &cs)
		if len(cs.Changes) == 0 {
			return "0", "0"
		}
		return strconv.FormatInt(cs.Changes[len(cs.Changes)-1].ID, 10), strconv.FormatInt(cs.Changes[0].ID, 10)
	}
	for _, st := range steps {
		first, last := changeIDs()
		st.path = strings.NewReplacer("FIRST", first, "LAST", last).Replace(st.path)
		t.Run(st.method+" "+st.path, func(t *testing.T) {
			var body io.Reader
			if st.body != "" {
				body = strings.NewReader(st.body)
			}
			req, _ := http.NewRequest(st.method, e.srv.URL+st.path, body)
			if st.ctype != "" {
				req.Header.Set("Content-Type", st.ctype)
			}
			if st.token != "" {
				req.Header.Set("Authorization", "Bearer "+e.secrets[st.token])
			}
			if st.ifMatch != "" {
				req.Header.Set("If-Match", st.ifMatch)
			}
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("not in the OpenAPI document: %v", err)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resBody, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != st.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, st.status, resBody)
			}
			// The request again, for the validator to read its body.
			vreq, _ := http.NewRequest(st.method, e.srv.URL+st.path, strings.NewReader(st.body))
			vreq.Header = req.Header
			in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
			if st.status < 300 {
				if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
					t.Errorf("request does not match the document: %v", err)
				}
			}
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
				Body: io.NopCloser(bytes.NewReader(resBody)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
			if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
				t.Errorf("response %d does not match the document: %v", res.StatusCode, err)
			}
		})
	}
}
