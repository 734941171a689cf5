package storetest

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"strata/geo"
)

// BriefingOpener returns a new, empty store that keeps both features and
// briefings; the store is closed by the suite.
type BriefingOpener func(t *testing.T) interface {
	geo.Store
	geo.BriefingStore
}

// RunBriefings runs the briefing part of the contract suite.
func RunBriefings(t *testing.T, open BriefingOpener) {
	ctx := context.Background()
	s := open(t)
	t.Cleanup(func() { s.Close() })
	if bs, err := s.Briefings(ctx); err != nil || len(bs) != 0 {
		t.Fatalf("new store: Briefings = %v, %v", bs, err)
	}
	mustImport(t, s, "places", point("p1", 34.45, 31.5, "", ""))
	zoom := 9.0
	b := geo.Briefing{ID: "b1", Title: "One", Description: "About", Steps: []geo.Step{
		{ID: "s1", Title: "First", Date: "2025-10-10", View: geo.View{Bounds: &[4]float64{34, 31, 35, 32}}, Layers: []string{"places"},
			Highlight: []string{"places/p1"}, Caption: "Text.\n\nMore at https://example.org", Sources: testSources, Notes: "Say it", HoldSeconds: 5},
		{ID: "s2", Title: "Second", Date: "2025-10-10/2025-10-17", View: geo.View{Center: &[2]float64{34.4, 31.4}, Zoom: &zoom}, Layers: []string{"places"}, Caption: "C", Sources: testSources},
	}}
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := b.CheckReferences(ctx, snap(t, s)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutBriefing(ctx, b); err != nil {
		t.Fatal(err)
	}
	got, err := s.Briefing(ctx, "b1")
	if err != nil || !reflect.DeepEqual(got, b) {
		t.Fatalf("Briefing(b1) = %+v, %v; want %+v", got, err, b)
	}
	b.Title = "Renamed"
	if err := s.PutBriefing(ctx, b); err != nil {
		t.Fatal(err)
	}
	if all, _ := s.Briefings(ctx); len(all) != 1 || all[0].Title != "Renamed" {
		t.Errorf("after replace: %+v", all)
	}
	if _, err := s.Briefing(ctx, "nope"); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("Briefing(nope) error = %v", err)
	}
	bad := b
	bad.Steps = nil
	if err := s.PutBriefing(ctx, bad); !errors.Is(err, geo.ErrInvalid) {
		t.Errorf("PutBriefing(no steps) error = %v", err)
	}
	// References to missing layers and features name the step and field.
	for _, c := range []struct {
		mutate func(*geo.Step)
		want   string
	}{
		{func(st *geo.Step) { st.Layers = []string{"places", "ghosts"} }, `step 2 ("s2") layers: layer "ghosts"`},
		{func(st *geo.Step) { st.Highlight = []string{"places/nope"} }, `step 2 ("s2") highlight: feature "places/nope"`},
		{func(st *geo.Step) { st.Highlight = []string{"ghosts/p1"} }, `step 2 ("s2") highlight: layer "ghosts"`},
	} {
		r := b
		r.Steps = append([]geo.Step(nil), b.Steps...)
		c.mutate(&r.Steps[1])
		if err := r.CheckReferences(ctx, snap(t, s)); !errors.Is(err, geo.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("CheckReferences error = %v, want %q", err, c.want)
		}
	}
}
