package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb/geojson"

	"strata/internal/workload"
)

func TestRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-points", "30", "-polygons", "4", "-lines", "2", "-seed", "7", dir}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "wrote 30 4 2") {
		t.Errorf("stdout %q", stdout.String())
	}
	cfg := workload.Config{Points: 30, Polygons: 4, Lines: 2, Seed: 7}
	want := map[string]int{"points": 30, "polygons": 4, "lines": 2}
	for _, l := range workload.Layers {
		b, err := os.ReadFile(filepath.Join(dir, l+".geojson"))
		if err != nil {
			t.Fatal(err)
		}
		fc, err := geojson.UnmarshalFeatureCollection(b)
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		if len(fc.Features) != want[l] {
			t.Errorf("%s: %d features, want %d", l, len(fc.Features), want[l])
		}
		var buf bytes.Buffer
		if err := workload.WriteGeoJSON(&buf, cfg, l); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, buf.Bytes()) {
			t.Errorf("%s differs from workload.WriteGeoJSON", l)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("output directory holds %d entries, want 3", len(entries))
	}
}

func TestRunUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"no directory", nil},
		{"two directories", []string{"a", "b"}},
		{"negative count", []string{"-points", "-1", t.TempDir()}},
		{"bad flag", []string{"-nope", t.TempDir()}},
		{"bad seed", []string{"-seed", "x", t.TempDir()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := run(tt.args, &out, &out); err == nil {
				t.Error("no error")
			}
		})
	}
}
