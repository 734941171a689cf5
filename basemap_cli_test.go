package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"strata/data/tilefile/tilefiletest"
)

// TestServeBasemapFlag: -basemap and STRATA_BASEMAP serve a PMTiles
// file; a missing or invalid one stops the server at start with an
// error naming the flag and the file.
func TestServeBasemapFlag(t *testing.T) {
	dir := t.TempDir()
	notPM := filepath.Join(dir, "notes.pmtiles")
	os.WriteFile(notPM, []byte(strings.Repeat("not tiles\n", 20)), 0o644)
	missing := filepath.Join(dir, "missing.pmtiles")
	for _, tc := range []struct {
		name string
		args []string
		env  string
		want []string
	}{
		{"missing", []string{"-basemap", missing}, "", []string{"-basemap", missing, "no such file"}},
		{"not pmtiles", []string{"-basemap", notPM}, "", []string{"-basemap", notPM, "not a PMTiles archive"}},
		{"env", nil, notPM, []string{"-basemap", notPM, "not a PMTiles archive"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("STRATA_BASEMAP", tc.env)
			args := append([]string{"serve", "-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "s.db")}, tc.args...)
			code, _, stderr := runCLI(t, "", args...)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not say %q", stderr, w)
				}
			}
		})
	}

	path := tilefiletest.File(t)
	for _, tc := range []struct {
		name    string
		flags   []string
		prepare func(*exec.Cmd)
	}{
		{"flag", []string{"-basemap", path}, nil},
		{"env", nil, func(c *exec.Cmd) { c.Env = append(os.Environ(), "STRATA_BASEMAP="+path) }},
	} {
		t.Run("serves with "+tc.name, func(t *testing.T) {
			s := startServerCmd(t, filepath.Join(t.TempDir(), "s.db"), tc.prepare, tc.flags...)
			var tj struct{ Attribution string }
			getJSON(t, s.url+"/basemap/user.json", &tj)
			if tj.Attribution != tilefiletest.Attribution {
				t.Errorf("attribution %q", tj.Attribution)
			}
			res, err := http.Get(s.url + "/basemap/user/10/609/418.mvt")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 200 {
				t.Errorf("tile: %d", res.StatusCode)
			}
		})
	}
}
