package geojson

import (
	"testing"
	"time"
)

// TestAppendDate checks the hand-written date formatting against
// time.Format for days from year -1 to 10000, and that it declines
// years outside 0..9999.
func TestAppendDate(t *testing.T) {
	first := time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	last := time.Date(10001, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	for ms := first; ms < last; ms += 3 * day {
		tm := time.UnixMilli(ms).UTC()
		got, ok := appendDate(nil, ms)
		if y := tm.Year(); y < 0 || y > 9999 {
			if ok {
				t.Fatalf("%v: formatted as %s", tm, got)
			}
			continue
		}
		if want := `"` + tm.Format(time.DateOnly) + `"`; !ok || string(got) != want {
			t.Fatalf("%d: got %s, want %s", ms, got, want)
		}
		if got := string(appendDateOnly(nil, ms+day-1)); got != `"`+tm.Format(time.DateOnly)+`"` {
			t.Fatalf("appendDateOnly(%d) = %s", ms+day-1, got)
		}
	}
}
