package seed_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"strata/data/seed"
	"strata/data/sqlite"
	"strata/geo"
)

// loaded is the whole seed, decoded once per test that needs it.
type loaded struct {
	layers   []geo.Layer
	features map[string][]*geo.Feature // by layer id
}

func load(t *testing.T) loaded {
	t.Helper()
	layers, err := seed.Layers()
	if err != nil {
		t.Fatal(err)
	}
	l := loaded{layers: layers, features: map[string][]*geo.Feature{}}
	for _, layer := range layers {
		fs, err := seed.Features(layer.ID)
		if err != nil {
			t.Fatal(err)
		}
		l.features[layer.ID] = fs
	}
	return l
}

func (l loaded) feature(t *testing.T, layer, id string) *geo.Feature {
	t.Helper()
	for _, f := range l.features[layer] {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("layer %q has no feature %q", layer, id)
	return nil
}

func props(t *testing.T, f *geo.Feature) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(f.Properties, &m); err != nil {
		t.Fatalf("%s/%s: properties: %v", f.Layer, f.ID, err)
	}
	return m
}

func TestLayers(t *testing.T) {
	layers, err := seed.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) == 0 {
		t.Fatal("layers.json lists no layers")
	}
	seen := map[string]bool{}
	for _, l := range layers {
		t.Run(l.ID, func(t *testing.T) {
			if err := l.Validate(); err != nil {
				t.Fatal(err)
			}
			if seen[l.ID] {
				t.Fatalf("layer id %q repeats", l.ID)
			}
			seen[l.ID] = true
			for field, v := range map[string]string{
				"description": l.Description,
				"group":       l.Group,
				"style.color": l.Style.Color,
				"attribution": l.Attribution,
				"licence":     l.Licence,
			} {
				if v == "" {
					t.Errorf("%s is empty", field)
				}
			}
		})
	}
	for _, id := range []string{"towns", "facilities", "crossings", "lines", "schematics", "borders", "areas", "events"} {
		if !seen[id] {
			t.Errorf("layer %q is missing", id)
		}
	}
}

// TestFilesMatchLayers checks that every layer has a features file and
// every features file belongs to a layer.
func TestFilesMatchLayers(t *testing.T) {
	layers, err := seed.Layers()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, l := range layers {
		want[seed.FeaturesFile(l.ID)] = true
	}
	names, err := fs.Glob(seed.FS(), "features/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if !want[n] {
			t.Errorf("%s belongs to no layer in layers.json", n)
		}
		delete(want, n)
	}
	for n := range want {
		t.Errorf("%s is missing", n)
	}
}

var kindTypes = map[geo.GeometryKind][]string{
	geo.KindPoint:   {"Point", "MultiPoint"},
	geo.KindLine:    {"LineString", "MultiLineString"},
	geo.KindPolygon: {"Polygon", "MultiPolygon"},
}

// TestFeatures checks the rules every seed feature follows: it decodes with
// no defaults, has a unique id, a name and a kind, a positive precision,
// sources that can be followed, a geometry that fits its layer, and says
// whether and why it is approximate.
func TestFeatures(t *testing.T) {
	l := load(t)
	for _, layer := range l.layers {
		t.Run(layer.ID, func(t *testing.T) {
			feats := l.features[layer.ID]
			if len(feats) == 0 {
				t.Fatal("no features")
			}
			ids := map[string]bool{}
			for _, f := range feats {
				if ids[f.ID] {
					t.Errorf("id %q repeats", f.ID)
				}
				ids[f.ID] = true
				if strings.TrimSpace(f.Name) == "" {
					t.Errorf("%s: name is empty", f.ID)
				}
				if f.Kind == "" {
					t.Errorf("%s: kind is empty", f.ID)
				}
				if !(f.PrecisionM > 0) {
					t.Errorf("%s: precision_m is %g, want > 0", f.ID, f.PrecisionM)
				}
				if len(f.Sources) == 0 {
					t.Errorf("%s: no sources", f.ID)
				}
				for i, s := range f.Sources {
					if s.URL == "" && s.Note == "" {
						t.Errorf("%s: sources[%d] %q has neither url nor note", f.ID, i, s.Title)
					}
				}
				if types, ok := kindTypes[layer.Kind]; ok {
					if typ := f.Geometry.GeoJSONType(); !contains(types, typ) {
						t.Errorf("%s: %s in a %s layer", f.ID, typ, layer.Kind)
					}
				}
				p := props(t, f)
				if d, _ := p["description"].(string); d == "" {
					t.Errorf("%s: description is missing", f.ID)
				}
				if n, _ := p["precision_note"].(string); n == "" {
					t.Errorf("%s: precision_note is missing", f.ID)
				}
				if _, ok := p["approximate"].(bool); !ok {
					t.Errorf("%s: approximate is not true or false", f.ID)
				}
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestRequiredFeatures checks that the places the map is about are there.
func TestRequiredFeatures(t *testing.T) {
	l := load(t)
	required := map[string][]string{
		"towns": {"kiryat_gat", "el_arish", "rafah_gaza", "khan_yunis", "gaza_city", "deir_al_balah",
			"beit_lahia", "jabalia_camp", "sharm_el_sheikh", "cairo", "doha"},
		"facilities": {"cmcc_kiryat_gat", "ashdod_port", "el_arish_port"},
		"crossings": {"rafah_crossing", "kerem_shalom_crossing", "zikim_crossing", "kissufim_crossing",
			"erez_crossing", "nitzana_crossing"},
		"lines":      {"yellow_line_2025_10_10"},
		"schematics": {"red_line_phase2_schematic", "security_perimeter_phase3_schematic"},
		"borders":    {"gaza_strip", "egypt_gaza_border", "israel_gaza_boundary"},
		"areas":      {"israeli_held_area_phase1"},
	}
	for layer, ids := range required {
		for _, id := range ids {
			l.feature(t, layer, id)
		}
	}
}

// TestDatedFacts checks valid times against the reference facts. An empty
// to means the feature is still valid.
func TestDatedFacts(t *testing.T) {
	l := load(t)
	tests := []struct {
		layer, id   string
		from, to    string
		approximate bool
		geometry    string
	}{
		{"lines", "yellow_line_2025_10_10", "2025-10-10", "", true, "LineString"},
		{"areas", "israeli_held_area_phase1", "2025-10-10", "", true, "Polygon"},
		{"facilities", "cmcc_kiryat_gat", "2025-10-17", "", true, "Point"},
		{"crossings", "zikim_crossing", "2024-05-12", "", true, "Point"},
		{"schematics", "red_line_phase2_schematic", "2025-09-29", "", true, "LineString"},
		{"borders", "gaza_strip", "", "", false, "Polygon"},
		{"events", "ceasefire_2025_10_10", "2025-10-10", "2025-10-11", true, "Point"},
		{"events", "cmcc_open_2025_10_17", "2025-10-17", "2025-10-18", true, "Point"},
		{"events", "zikim_2025_11_12", "2025-11-12", "2025-11-13", true, "Point"},
		{"events", "caine_2025_10_30", "2025-10-30", "2025-11-02", true, "Point"},
		{"events", "tuffah_blocks_2025_12", "2025-12-02", "2025-12-26", true, "Point"},
		{"events", "herzog_2026_02_18", "2026-02-18", "2026-02-19", true, "Point"},
	}
	for _, tt := range tests {
		t.Run(tt.layer+"/"+tt.id, func(t *testing.T) {
			f := l.feature(t, tt.layer, tt.id)
			if got := geo.FormatBound(f.Valid.Start); got != tt.from {
				t.Errorf("valid_from = %q, want %q", got, tt.from)
			}
			if got := geo.FormatBound(f.Valid.End); got != tt.to {
				t.Errorf("valid_to = %q, want %q", got, tt.to)
			}
			if got := props(t, f)["approximate"]; got != tt.approximate {
				t.Errorf("approximate = %v, want %v", got, tt.approximate)
			}
			if got := f.Geometry.GeoJSONType(); got != tt.geometry {
				t.Errorf("geometry = %s, want %s", got, tt.geometry)
			}
		})
	}
}

func TestCMCC(t *testing.T) {
	l := load(t)
	f := l.feature(t, "facilities", "cmcc_kiryat_gat")
	if f.PrecisionM != 3000 {
		t.Errorf("precision_m = %g, want 3000", f.PrecisionM)
	}
	if want := (orb.Point{34.77167, 31.60611}); f.Geometry != want {
		t.Errorf("geometry = %v, want the Kiryat Gat centre %v", f.Geometry, want)
	}
	p := props(t, f)
	// Disagreeing counts stay visible as text with their sources.
	if s, _ := p["aid_trucks_per_day_reported"].(string); !strings.Contains(s, "459") || !strings.Contains(s, "113") || !strings.Contains(s, "800+") {
		t.Errorf("aid_trucks_per_day_reported = %q, want the AP, UN and Defence Talks figures", s)
	}
}

func TestZikim(t *testing.T) {
	l := load(t)
	p := props(t, l.feature(t, "crossings", "zikim_crossing"))
	for key, want := range map[string]string{
		"opened":      "2024-05-12",
		"closed_from": "2025-09-12",
		"reopened":    "2025-11-12",
	} {
		if got := p[key]; got != want {
			t.Errorf("%s = %v, want %s", key, got, want)
		}
	}
}

func TestEvents(t *testing.T) {
	l := load(t)
	events := l.features["events"]
	if len(events) != 37 {
		t.Fatalf("%d events, want 37", len(events))
	}
	const day = geo.DayMillis
	for _, f := range events {
		p := props(t, f)
		if f.Kind != "event" {
			t.Errorf("%s: kind = %q, want event", f.ID, f.Kind)
		}
		for _, key := range []string{"category", "confidence", "date_precision", "place_id"} {
			if s, _ := p[key].(string); s == "" {
				t.Errorf("%s: %s is missing", f.ID, key)
			}
		}
		if m, _ := p["location_precision_m"].(float64); m != f.PrecisionM {
			t.Errorf("%s: location_precision_m = %v, precision_m = %g", f.ID, p["location_precision_m"], f.PrecisionM)
		}
		if f.Valid.IsOpenStart() || f.Valid.IsOpenEnd() {
			t.Errorf("%s: valid time %s/%s is open", f.ID, geo.FormatBound(f.Valid.Start), geo.FormatBound(f.Valid.End))
		} else if d := f.Valid.End - f.Valid.Start; d < day || d%day != 0 {
			t.Errorf("%s: valid time is not whole days", f.ID)
		}
	}
}

// TestSchematics checks that schematic lines cannot pass for surveyed ones.
func TestSchematics(t *testing.T) {
	l := load(t)
	dashed := map[string]bool{}
	for _, layer := range l.layers {
		dashed[layer.ID] = layer.Style.Dash != ""
	}
	n := 0
	for layer, feats := range l.features {
		for _, f := range feats {
			if f.Kind != "planned_line_schematic" {
				continue
			}
			n++
			if !strings.Contains(f.Name, "(schematic)") {
				t.Errorf("%s: name %q does not say (schematic)", f.ID, f.Name)
			}
			if props(t, f)["approximate"] != true {
				t.Errorf("%s: not marked approximate", f.ID)
			}
			if !dashed[layer] {
				t.Errorf("%s: layer %q is not drawn dashed", f.ID, layer)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d schematic lines, want 2", n)
	}
}

func openStore(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "seed.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestApplyIdempotent(t *testing.T) {
	ctx := context.Background()
	l := load(t)
	db := openStore(t)

	applied, err := seed.Apply(ctx, db, db)
	if err != nil {
		t.Fatal(err)
	}
	if !applied {
		t.Fatal("first Apply returned false on an empty store")
	}
	applied, err = seed.Apply(ctx, db, db)
	if err != nil {
		t.Fatal(err)
	}
	if applied {
		t.Fatal("second Apply returned true")
	}

	snap, err := db.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	layers := snap.Layers()
	if len(layers) != len(l.layers) {
		t.Fatalf("store holds %d layers, want %d", len(layers), len(l.layers))
	}
	for _, layer := range l.layers {
		n, err := snap.Search(ctx, geo.Filter{Layer: layer.ID, Time: geo.Always}, func(*geo.Feature) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		if want := len(l.features[layer.ID]); n != want {
			t.Errorf("layer %s: %d features stored, want %d", layer.ID, n, want)
		}
	}
	f, err := snap.Feature(ctx, "lines", "yellow_line_2025_10_10")
	if err != nil {
		t.Fatal(err)
	}
	if got := geo.FormatBound(f.Valid.Start); got != "2025-10-10" || !f.Valid.IsOpenEnd() {
		t.Errorf("stored yellow line valid from %q, open end %v", got, f.Valid.IsOpenEnd())
	}
}

func TestApplyLeavesDataAlone(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	own := geo.Layer{ID: "mine", Title: "Mine", Kind: geo.KindPoint}
	if err := db.PutLayer(ctx, own); err != nil {
		t.Fatal(err)
	}
	applied, err := seed.Apply(ctx, db, db)
	if err != nil {
		t.Fatal(err)
	}
	if applied {
		t.Fatal("Apply seeded a store that already held a layer")
	}
	snap, err := db.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if layers := snap.Layers(); len(layers) != 1 || layers[0].ID != "mine" {
		t.Fatalf("store layers = %v, want only %q", snap.Layers(), own.ID)
	}
}

func TestSeedBriefing(t *testing.T) {
	bs, err := seed.Briefings()
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 1 || bs[0].ID != "cmcc-ceasefire" {
		t.Fatalf("briefings = %v", bs)
	}
	b := bs[0]
	if len(b.Steps) < 12 {
		t.Errorf("seed briefing has %d steps, want at least 12", len(b.Steps))
	}
	first, last := b.Steps[0].Date, b.Steps[len(b.Steps)-1].Date
	if first > "2025-10-10" || last < "2026-01" {
		t.Errorf("steps run from %s to %s, want October 2025 to January 2026", first, last)
	}
	for i, s := range b.Steps {
		if s.Notes == "" || len(s.Sources) == 0 {
			t.Errorf("step %d (%s) lacks notes or sources", i+1, s.ID)
		}
		if i > 0 && s.Date < b.Steps[i-1].Date {
			t.Errorf("step %d (%s) goes back in time", i+1, s.ID)
		}
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := seed.Apply(ctx, db, db); err != nil {
		t.Fatal(err)
	}
	stored, err := db.Briefing(ctx, "cmcc-ceasefire")
	if err != nil || len(stored.Steps) != len(b.Steps) {
		t.Fatalf("stored briefing: %d steps, %v", len(stored.Steps), err)
	}
	snap, err := db.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stored.CheckReferences(ctx, snap); err != nil {
		t.Errorf("seed briefing refers to missing data: %v", err)
	}
}

// TestBriefingNamesNotIDs checks that the seed briefing's titles,
// captions and speaker notes name places as people do, never by the
// features' ids ("Mapped at sharm_el_sheikh").
func TestBriefingNamesNotIDs(t *testing.T) {
	l := load(t)
	ids := map[string]bool{}
	for _, fs := range l.features {
		for _, f := range fs {
			ids[f.ID] = true
		}
	}
	bs, err := seed.Briefings()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		for _, s := range b.Steps {
			for field, text := range map[string]string{"title": s.Title, "caption": s.Caption, "notes": s.Notes} {
				for _, w := range strings.FieldsFunc(text, func(r rune) bool {
					return !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
				}) {
					if ids[w] || strings.Contains(w, "_") {
						t.Errorf("step %s: %s names %q, an id", s.ID, field, w)
					}
				}
			}
		}
	}
}
