package geo_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"strata/geo"
)

func validBriefing() geo.Briefing {
	z := 10.0
	return geo.Briefing{ID: "b", Title: "B", Steps: []geo.Step{
		{ID: "one", Title: "One", Date: "2025-10-10", View: geo.View{Bounds: &[4]float64{34, 31, 35, 32}}, Layers: []string{"lines"}, Caption: "C", Sources: []geo.Source{{Title: "S"}}},
		{ID: "two", Title: "Two", Date: "2025-10-10/..", View: geo.View{Center: &[2]float64{34.4, 31.4}, Zoom: &z}, Layers: []string{"lines"}, Highlight: []string{"lines/x"}, Caption: "C", Sources: []geo.Source{{Title: "S"}}},
	}}
}

func TestBriefingValidate(t *testing.T) {
	b := validBriefing()
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	z, badZ := 10.0, 30.0
	cases := []struct {
		name   string
		mutate func(b *geo.Briefing)
		want   string
	}{
		{"id", func(b *geo.Briefing) { b.ID = "a b" }, "briefing id"},
		{"title", func(b *geo.Briefing) { b.Title = " " }, "no title"},
		{"no steps", func(b *geo.Briefing) { b.Steps = nil }, "no steps"},
		{"step id", func(b *geo.Briefing) { b.Steps[1].ID = "" }, `step 2 ("") id`},
		{"duplicate step", func(b *geo.Briefing) { b.Steps[1].ID = "one" }, "repeats step 1"},
		{"step title", func(b *geo.Briefing) { b.Steps[0].Title = "" }, `step 1 ("one") title`},
		{"bad date", func(b *geo.Briefing) { b.Steps[1].Date = "2025-02-30" }, `step 2 ("two") date`},
		{"no date", func(b *geo.Briefing) { b.Steps[1].Date = "" }, `step 2 ("two") date`},
		{"no view", func(b *geo.Briefing) { b.Steps[0].View = geo.View{} }, "view: needs bounds"},
		{"both views", func(b *geo.Briefing) { b.Steps[0].View.Zoom = &z }, "not both"},
		{"bounds order", func(b *geo.Briefing) { b.Steps[0].View.Bounds = &[4]float64{35, 31, 34, 32} }, "view: bounds"},
		{"bounds NaN", func(b *geo.Briefing) { b.Steps[0].View.Bounds = &[4]float64{math.NaN(), 31, 34, 32} }, "view: bounds"},
		{"zoom", func(b *geo.Briefing) { b.Steps[1].View.Zoom = &badZ }, "zoom 30"},
		{"centre", func(b *geo.Briefing) { b.Steps[1].View.Center = &[2]float64{200, 0} }, "center"},
		{"centre without zoom", func(b *geo.Briefing) { b.Steps[1].View.Zoom = nil }, "needs bounds"},
		{"no layers", func(b *geo.Briefing) { b.Steps[0].Layers = nil }, "layers: lists no layer"},
		{"highlight form", func(b *geo.Briefing) { b.Steps[1].Highlight = []string{"x"} }, "highlight"},
		{"caption", func(b *geo.Briefing) { b.Steps[0].Caption = "" }, "caption"},
		{"sources", func(b *geo.Briefing) { b.Steps[0].Sources = nil }, "sources"},
		{"source title", func(b *geo.Briefing) { b.Steps[0].Sources = []geo.Source{{URL: "https://x"}} }, "source 1 has no title"},
		{"hold", func(b *geo.Briefing) { b.Steps[0].HoldSeconds = -1 }, "hold_seconds"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := validBriefing()
			c.mutate(&b)
			err := b.Validate()
			if !errors.Is(err, geo.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %v, want ErrInvalid containing %q", err, c.want)
			}
		})
	}
}

func TestParseBriefing(t *testing.T) {
	good := `{"id":"b","title":"B","steps":[{"id":"s","title":"S","date":"2025-10-10","view":{"center":[34,31],"zoom":9},"layers":["l"],"caption":"c","sources":[{"title":"t"}]}]}`
	if _, err := geo.ParseBriefing([]byte(good)); err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]string{
		"not JSON":       `{`,
		"unknown member": strings.Replace(good, `"caption"`, `"captoin"`, 1),
		"trailing":       good + `{}`,
		"array":          `[]`,
		"bad step":       strings.Replace(good, `"2025-10-10"`, `"soon"`, 1),
		"huge":           strings.Repeat(" ", geo.MaxBriefingBytes+1),
		"invalid UTF-8":  strings.Replace(good, `"caption":"c"`, "\"caption\":\"c\xff\"", 1),
	} {
		if _, err := geo.ParseBriefing([]byte(in)); !errors.Is(err, geo.ErrInvalid) {
			t.Errorf("%s: error = %v, want ErrInvalid", name, err)
		}
	}
	bad := strings.Replace(good, `{"id":"s"`, "\n{\"id\":\"s\xed\xa0\x80\"", 1)
	if _, err := geo.ParseBriefing([]byte(bad)); err == nil || !strings.Contains(err.Error(), "not valid UTF-8: line 2, byte 41") {
		t.Errorf("invalid UTF-8: error = %v, want its place", err)
	}
}

func FuzzParseBriefing(f *testing.F) {
	f.Add(`{"id":"b","title":"B","steps":[{"id":"s","title":"S","date":"2025-10-10","view":{"center":[34,31],"zoom":9},"layers":["l"],"caption":"c","sources":[{"title":"t"}]}]}`)
	f.Add(`{"id":"b","steps":[]}`)
	f.Fuzz(func(t *testing.T, in string) {
		b, err := geo.ParseBriefing([]byte(in))
		if err != nil {
			if !errors.Is(err, geo.ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		if err := b.Validate(); err != nil {
			t.Fatalf("parsed briefing does not validate: %v", err)
		}
		if !utf8.ValidString(in) {
			t.Fatalf("a briefing with invalid UTF-8 was accepted")
		}
	})
}
