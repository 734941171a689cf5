package archive

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/paulmach/orb"

	"strata/geo"
)

// TestDecodeLegacyRows reads rows as archives written before valid_from
// and valid_to were date-times hold them: bounds at midnight as dates and
// no citation. They read back to the same features as the current form.
func TestDecodeLegacyRows(t *testing.T) {
	const oct10 = 1760054400000
	cases := []struct {
		name, line string
		props      string
		iv         geo.Interval
	}{
		{"dates", `{"row":{"layer":"l","pos":1,"from":2,"version":1,"name":"N","kind":"k","feature":{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[34.5,31.5]},"properties":{"x": 1,"valid_from":"2025-10-10","valid_to":"2025-10-11","precision_m":25,"sources":[{"title":"T","url":"https://e.org"}]},"time":{"date":"2025-10-10"}}}}`,
			`{"x": 1}`, geo.Interval{Start: oct10, End: oct10 + geo.DayMillis}},
		{"timestamps and open", `{"row":{"layer":"l","pos":1,"from":2,"version":1,"name":"N","kind":"k","feature":{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[34.5,31.5]},"properties":{"valid_from":"2025-10-10T01:00:00.5Z","valid_to":null,"precision_m":25,"sources":[{"title":"T","url":"https://e.org"}]},"time":{"interval":["2025-10-10T01:00:00.5Z",".."]}}}}`,
			`{}`, geo.Interval{Start: oct10 + 3600500, End: geo.OpenEnd}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := decodeAll([]byte(Header + "\n" + c.line + "\n"))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			want := &geo.Feature{ID: "a", Layer: "l", Name: "N", Kind: "k", Geometry: orb.Point{34.5, 31.5}, Properties: json.RawMessage(c.props),
				Valid: c.iv, PrecisionM: 25, Sources: []geo.Source{{Title: "T", URL: "https://e.org"}}, Version: 1}
			if len(got) != 1 || got[0].Row == nil || !reflect.DeepEqual(got[0].Row.Feature, want) {
				t.Fatalf("decoded %#v, want the row of %#v", got, want)
			}
		})
	}
	// A legacy row whose bounds do not match its time is refused, as any
	// row whose properties do not end as Strata writes them.
	bad := `{"row":{"layer":"l","pos":1,"from":2,"version":1,"name":"N","kind":"k","feature":{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[34.5,31.5]},"properties":{"valid_from":"2025-10-10","valid_to":"2025-10-11","precision_m":25,"sources":[{"title":"T"}],"citation":"wrong"}}}}`
	if _, err := decodeAll([]byte(Header + "\n" + bad + "\n")); err == nil {
		t.Error("a row with a stale citation and date bounds was read")
	}
}
