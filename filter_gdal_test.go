package main

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestGDALFilter checks that GDAL's OAPIF driver sends an attribute
// filter to the server (category=visit, a query parameter the OpenAPI
// document declares for the collection) and prints the same features as
// when it filters on its own side.
func TestGDALFilter(t *testing.T) {
	ogrinfo := needTool(t, "ogrinfo")
	forEachEngine(t, func(t *testing.T, db string) { testGDALFilter(t, ogrinfo, db) })
}

// gdalRun runs ogrinfo with GDAL's debug output on and returns its
// standard output (the features) and standard error (the debug lines).
func gdalRun(t *testing.T, ogrinfo string, args ...string) (stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(ogrinfo, args...)
	cmd.Env = append(os.Environ(), "CPL_DEBUG=ON")
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("ogrinfo %q: %v\n%s", args, err, errOut.String())
	}
	return out.String(), errOut.String()
}

// gdalFeatures returns the features ogrinfo -al printed, each as its
// text without the feature number (GDAL numbers the features it reads,
// which differ with and without the server's filter), sorted.
func gdalFeatures(out string) []string {
	var feats []string
	for _, block := range strings.Split(out, "OGRFeature(")[1:] {
		_, body, _ := strings.Cut(block, "\n")
		feats = append(feats, strings.TrimSpace(body))
	}
	slices.Sort(feats)
	return feats
}

func testGDALFilter(t *testing.T, ogrinfo, db string) {
	srv := startServer(t, db)
	fetches := regexp.MustCompile(`HTTP: Fetch\((\S+)\)`)
	pushed, pushedLog := gdalRun(t, ogrinfo, "-ro", "-al", "-q", "OAPIF:"+srv.url, "events", "-where", "category='visit'")
	sent := false
	for _, m := range fetches.FindAllStringSubmatch(pushedLog, -1) {
		if strings.Contains(m[1], "/collections/events/items?") && strings.Contains(m[1], "category=visit") {
			sent = true
		}
	}
	if !sent || strings.Contains(pushedLog, "evaluated on client side") {
		t.Errorf("GDAL did not send category=visit to the server:\n%s", pushedLog)
	}
	// The same condition written so that GDAL cannot send it: it reads
	// every feature and filters them itself.
	local, localLog := gdalRun(t, ogrinfo, "-ro", "-al", "-q", "OAPIF:"+srv.url, "events", "-where", "category='visit' OR category='visit'")
	if !strings.Contains(localLog, "Full filter will be evaluated on client side") {
		t.Errorf("GDAL sent the OR filter to the server:\n%s", localLog)
	}
	got, want := gdalFeatures(pushed), gdalFeatures(local)
	if len(want) == 0 || !strings.Contains(local, "category (String) = visit") {
		t.Fatalf("GDAL printed no visits:\n%.2000s", local)
	}
	if !slices.Equal(got, want) {
		t.Errorf("GDAL prints %d features with the filter sent to the server, %d when it filters:\n%.3000s\n---\n%.3000s", len(got), len(want), pushed, local)
	}
}
