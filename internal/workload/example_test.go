package workload_test

import (
	"fmt"

	"strata/geo"
	"strata/internal/workload"
)

func ExampleGenerate() {
	cfg := workload.Config{Points: 3, Polygons: 1, Lines: 1, Seed: 1}
	counts := map[string]int{}
	err := workload.Generate(cfg, func(f *geo.Feature) error {
		counts[f.Layer]++
		return nil
	})
	fmt.Println(counts, err)
	// Output: map[lines:1 points:3 polygons:1] <nil>
}
