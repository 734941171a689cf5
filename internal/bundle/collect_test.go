package bundle

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"testing/fstest"

	"strata/geo"
)

// briefings is a geo.BriefingStore holding one briefing.
type briefings struct{ b geo.Briefing }

func (s briefings) PutBriefing(context.Context, geo.Briefing) error { return errors.New("read-only") }
func (s briefings) Briefings(context.Context) ([]geo.Briefing, error) {
	return []geo.Briefing{s.b}, nil
}
func (s briefings) Briefing(_ context.Context, id string) (geo.Briefing, error) {
	if id != s.b.ID {
		return geo.Briefing{}, geo.NotFoundf("briefing %q does not exist", id)
	}
	return s.b, nil
}

// day returns the Unix milliseconds of a date's UTC midnight.
func day(t *testing.T, date string) int64 {
	t.Helper()
	iv, err := geo.ParseDatetime(date)
	if err != nil {
		t.Fatal(err)
	}
	return iv.Start
}

// fakeSource serves features from memory. Its Features ignores the time
// it is given, so the tests see collect decide which step shows what.
func fakeSource(b geo.Briefing, layers []geo.Layer, features map[string][]geo.Feature) Source {
	return Source{
		Briefings: briefings{b},
		Layers:    func(context.Context) ([]geo.Layer, error) { return layers, nil },
		Features: func(_ context.Context, layer string, _ geo.Interval, fn func(*geo.Feature) error) error {
			for _, f := range features[layer] {
				if err := fn(&f); err != nil {
					return err
				}
			}
			return nil
		},
		Basemap: fstest.MapFS{
			"world.topo.json":  {Data: []byte(`{"type":"Topology"}`)},
			"region.topo.json": {Data: []byte(`{"type":"Topology"}`)},
			"places.json":      {Data: []byte(`{"type":"FeatureCollection","features":[]}`)},
		},
	}
}

func TestCollectAt(t *testing.T) {
	layers := []geo.Layer{{ID: "lines", Title: "Lines"}, {ID: "events", Title: "Events"}, {ID: "unused", Title: "Unused"}}
	iv := func(from, to string) geo.Interval {
		v := geo.Always
		if from != "" {
			v.Start = day(t, from)
		}
		if to != "" {
			v.End = day(t, to)
		}
		return v
	}
	features := map[string][]geo.Feature{
		"lines": {
			{ID: "open", Valid: geo.Always},
			{ID: "oct10-12", Valid: iv("2025-10-10", "2025-10-12")}, // valid_to is exclusive
			{ID: "from-oct12", Valid: iv("2025-10-12", "")},
			{ID: "noon-oct11", Valid: geo.Interval{Start: day(t, "2025-10-11") + geo.DayMillis/2, End: day(t, "2025-10-11") + geo.DayMillis/2 + 1}},
			{ID: "never-shown", Valid: iv("2024-01-01", "2024-02-01")},
		},
		"events": {
			{ID: "dec", Valid: iv("2025-12-20", "2025-12-21")},
		},
	}
	b := geo.Briefing{ID: "b", Title: "B", Steps: []geo.Step{
		{ID: "s1", Date: "2025-10-11", Layers: []string{"lines"}},
		{ID: "s2", Date: "2025-10-12", Layers: []string{"lines", "events"}},
		{ID: "s3", Date: "2025-10-11T12:00:00Z", Layers: []string{"lines"}},
		{ID: "s4", Date: "2025-12-02/2025-12-25", Layers: []string{"events"}},
		{ID: "s5", Date: "2025-10-13/..", Layers: []string{"lines"}},
		{ID: "s6", Date: "2025-10-11", Layers: []string{"lines"}}, // a date again
	}}
	d, err := collect(context.Background(), fakeSource(b, layers, features), "b")
	if err != nil {
		t.Fatal(err)
	}
	ids := func(layer string) []string {
		var out []string
		for _, raw := range d.Items[layer] {
			var f struct{ ID string }
			if err := json.Unmarshal(raw, &f); err != nil {
				t.Fatal(err)
			}
			out = append(out, f.ID)
		}
		return out
	}
	tests := []struct {
		date, layer string
		want        []string
	}{
		{"2025-10-11", "lines", []string{"open", "oct10-12", "noon-oct11"}},
		{"2025-10-12", "lines", []string{"open", "from-oct12"}},
		{"2025-10-12", "events", nil},
		{"2025-10-11T12:00:00Z", "lines", []string{"open", "oct10-12", "noon-oct11"}},
		{"2025-12-02/2025-12-25", "events", []string{"dec"}},
		{"2025-10-13/..", "lines", []string{"open", "from-oct12"}},
	}
	for _, tt := range tests {
		t.Run(tt.date+" "+tt.layer, func(t *testing.T) {
			idx, ok := d.At[tt.date][tt.layer]
			if !ok || idx == nil {
				t.Fatalf("no entry for %s at %s: %v", tt.layer, tt.date, d.At)
			}
			all := ids(tt.layer)
			var got []string
			for _, i := range idx {
				got = append(got, all[i])
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("shown %v, want %v", got, tt.want)
			}
		})
	}
	if got := ids("lines"); slices.Contains(got, "never-shown") || len(got) != 4 {
		t.Errorf("lines in the file: %v, want the 4 a step shows", got)
	}
	if len(d.At) != 5 {
		t.Errorf("%d dates in At, want 5", len(d.At))
	}
	var cols []string
	for _, c := range d.Collections {
		cols = append(cols, c.ID)
	}
	if !slices.Equal(cols, []string{"lines", "events"}) {
		t.Errorf("collections %v, want the shown layers in the store's order", cols)
	}
}

func TestCollectErrors(t *testing.T) {
	layers := []geo.Layer{{ID: "lines", Title: "Lines"}}
	step := func(date string, layers ...string) geo.Briefing {
		return geo.Briefing{ID: "b", Title: "B", Steps: []geo.Step{{ID: "s1", Date: date, Layers: layers}}}
	}
	failing := fakeSource(step("2025-10-11", "lines"), layers, nil)
	failing.Features = func(context.Context, string, geo.Interval, func(*geo.Feature) error) error {
		return errors.New("disk on fire")
	}
	noBasemap := fakeSource(step("2025-10-11", "lines"), layers, nil)
	noBasemap.Basemap = fstest.MapFS{"world.topo.json": {Data: []byte(`{}`)}}
	tests := []struct {
		name string
		src  Source
		id   string
		want string
	}{
		{"unknown briefing", fakeSource(step("2025-10-11", "lines"), layers, nil), "nope", `briefing "nope" does not exist`},
		{"unknown layer", fakeSource(step("2025-10-11", "roads"), layers, nil), "b", `step "s1" shows layer "roads", which does not exist`},
		{"bad date", fakeSource(step("yesterday", "lines"), layers, nil), "b", `step "s1": datetime "yesterday" is not an RFC 3339 instant or an interval a/b`},
		{"store fails", failing, "b", `layer "lines": disk on fire`},
		{"basemap missing", noBasemap, "b", "basemap: open region.topo.json: file does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := collect(context.Background(), tt.src, tt.id)
			if err == nil || err.Error() != tt.want {
				t.Errorf("collect: %v, want %q", err, tt.want)
			}
		})
	}
}
