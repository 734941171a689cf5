package cql2

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// unsupported lists the standard's examples that use what this package
// does not implement, with the error text each must give.
var unsupported = map[string]string{
	"clause6_02c":     "arithmetic",
	"clause7_19":      "arrays and parenthesised values",
	"example72":       "arrays and parenthesised values",
	"example73":       "arrays and parenthesised values",
	"example74":       "arrays and parenthesised values",
	"example75":       "arrays and parenthesised values",
	"example76":       "arrays and parenthesised values",
	"example77":       "arrays and parenthesised values",
	"example78":       "arrays and parenthesised values",
	"example85":       "arrays and parenthesised values",
	"example85-alt01": "arithmetic",
	"clause7_15":      "arrays and parenthesised values",
	"example79":       "arrays and parenthesised values",
	"example80":       "arrays and parenthesised values",
	"example81":       "arrays and parenthesised values",
	"example82":       "arrays and parenthesised values",
	"example49":       "heights (Z)",
	"example49-alt01": "WKT geometry in two dimensions",
}

// TestStandardExamples parses every example of the CQL2 standard in both
// encodings and checks that the two give the same expression.
func TestStandardExamples(t *testing.T) {
	texts, err := filepath.Glob("testdata/examples/text/*.txt")
	if err != nil || len(texts) < 100 {
		t.Fatalf("examples: %v, %d found", err, len(texts))
	}
	sort.Strings(texts)
	for _, path := range texts {
		name := strings.TrimSuffix(filepath.Base(path), ".txt")
		t.Run(name, func(t *testing.T) {
			text, _ := os.ReadFile(path)
			fromText, err := ParseText(strings.TrimSpace(string(text)))
			jsonName := strings.Split(name, "-alt")[0]
			js, jerr := os.ReadFile(filepath.Join("testdata/examples/json", jsonName+".json"))
			if jerr != nil {
				t.Fatal(jerr)
			}
			fromJSON, jerr := ParseJSON(js)
			if want, ok := unsupported[name]; ok {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("text: error %v, want one containing %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("text %s: %v", text, err)
			}
			if jerr != nil {
				t.Fatalf("json: %v", jerr)
			}
			if !reflect.DeepEqual(fromText, fromJSON) {
				t.Errorf("text and JSON differ:\n%s\n%#v\n%#v", text, fromText, fromJSON)
			}
		})
	}
}
