package cql2

import "testing"

const benchFilter = "category = 'visit' AND valid_from < TIMESTAMP('2025-11-01T00:00:00Z') AND S_INTERSECTS(geometry, BBOX(34, 31, 35, 32)) AND name LIKE '%Visit%'"

func BenchmarkParseText(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseText(benchFilter); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	e, err := ParseText(benchFilter)
	if err != nil {
		b.Fatal(err)
	}
	f, err := Compile(e, testQueryables, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, feat := range testFeatures {
			f.Match(feat)
		}
	}
}
