package api_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// TestOpenAPI validates the served OpenAPI document, then checks real
// requests and responses, errors included, against it.
func TestOpenAPI(t *testing.T) {
	srv := newServer(t)
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
