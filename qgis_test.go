package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// qgisPython finds a Python that can import QGIS's bindings (Debian's
// python3-qgis, for the system Python); without one the test skips,
// except under CI where it fails.
func qgisPython(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		path, err := exec.LookPath(py)
		if err != nil {
			continue
		}
		if exec.Command(path, "-c", "import qgis.core").Run() == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("QGIS's Python bindings are not installed; .ci/run must install python3-qgis")
	}
	t.Skip("QGIS's Python bindings (python3-qgis) are not installed")
	return ""
}

// qgisLayer is what testdata/qgis_read.py reports of one layer.
type qgisLayer struct {
	Valid      bool              `json:"valid"`
	Fields     map[string]string `json:"fields"`
	Count      int               `json:"count"`
	IDs        []string          `json:"ids"`
	NoCitation int               `json:"no_citation"`
	Filter     string            `json:"filter"`
	OnDay      []string          `json:"on_day"`
}

// TestQGIS reads the running server with QGIS 3.22's OAPIF provider,
// headless: every layer loads with all its features, valid_from and
// valid_to are DateTime fields wherever a feature has a value, every
// feature has its citation, and the Temporal Controller's filter for
// 10 October 2025 (start and end from valid_from and valid_to) keeps
// exactly the features valid on that day, computed here from the
// features the server gives.
func TestQGIS(t *testing.T) {
	if testing.Short() {
		t.Skip("QGIS takes seconds to start; not run with -short (the race detector's run)")
	}
	py := qgisPython(t)
	forEachEngine(t, func(t *testing.T, db string) { testQGIS(t, py, db) })
}

func testQGIS(t *testing.T, py, db string) {
	srv := startServer(t, db)
	counts := layerCounts(t, srv.url)
	layers := make([]string, 0, len(counts))
	for id := range counts {
		layers = append(layers, id)
	}
	slices.Sort(layers)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, append([]string{filepath.Join("testdata", "qgis_read.py"), srv.url}, layers...)...)
	cmd.Env = append(os.Environ(), "QT_QPA_PLATFORM=offscreen", "XDG_RUNTIME_DIR="+t.TempDir())
	var stderr syncBuffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("qgis_read.py: %v\n%s", err, stderr.String())
	}
	var got map[string]qgisLayer
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("qgis_read.py printed %q: %v\n%s", out, err, stderr.String())
	}

	day := time.Date(2025, 10, 10, 0, 0, 0, 0, time.UTC)
	sawDay := false
	for _, id := range layers {
		q := got[id]
		if !q.Valid {
			t.Errorf("%s: QGIS cannot load the layer\n%s", id, stderr.String())
			continue
		}
		if q.Count != counts[id] || len(q.IDs) != counts[id] {
			t.Errorf("%s: QGIS counts %d and reads %d features, the server has %d", id, q.Count, len(q.IDs), counts[id])
		}
		if q.NoCitation != 0 || q.Fields["citation"] != "QString" {
			t.Errorf("%s: %d features without a citation (field %q)", id, q.NoCitation, q.Fields["citation"])
		}
		var fc struct {
			Features []struct {
				ID         string `json:"id"`
				Properties struct {
					From *string `json:"valid_from"`
					To   *string `json:"valid_to"`
				} `json:"properties"`
			} `json:"features"`
		}
		getJSON(t, srv.url+"/collections/"+id+"/items?limit=10000", &fc)
		var want []string
		hasFrom, hasTo := false, false
		for _, f := range fc.Features {
			from, to := f.Properties.From, f.Properties.To
			hasFrom, hasTo = hasFrom || from != nil, hasTo || to != nil
			// Valid at some instant of the day: [from, to) meets [day, day+24h).
			if (from == nil || parseRFC3339(t, *from).Before(day.AddDate(0, 0, 1))) && (to == nil || parseRFC3339(t, *to).After(day)) {
				want = append(want, f.ID)
			}
		}
		// QGIS 3.22 types a field from the values of the first page and
		// reads no schema: a field null in every feature is a String.
		for field, has := range map[string]bool{"valid_from": hasFrom, "valid_to": hasTo} {
			if has && q.Fields[field] != "QDateTime" {
				t.Errorf("%s: QGIS types %s as %s, not DateTime", id, field, q.Fields[field])
			}
		}
		slices.Sort(want)
		slices.Sort(q.OnDay)
		if !slices.Equal(q.OnDay, want) {
			t.Errorf("%s: QGIS's temporal filter %s keeps %v; valid on 10 October 2025: %v", id, q.Filter, q.OnDay, want)
		}
		if id == "events" {
			sawDay = len(want) > 0 && len(want) < len(fc.Features)
		}
	}
	if !sawDay {
		t.Errorf("the events of 10 October 2025 are none or all of them: the temporal filter is not put to the test")
	}
}

// parseRFC3339 parses a date-time as the server writes valid_from and
// valid_to.
func parseRFC3339(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("%q is not an RFC 3339 date-time: %v", s, err)
	}
	return v
}
