package baselayers_test

import (
	"testing"

	"strata/data/baselayers"
	"strata/data/basemap"
)

func BenchmarkOpen(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := baselayers.Open(basemap.FS); err != nil {
			b.Fatal(err)
		}
	}
}
