package tilefile

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"
)

// TestTileID checks tile ids against those go-pmtiles' ZxyToID gives
// (recorded from it, version 1.31.2).
func TestTileID(t *testing.T) {
	for _, tc := range []struct {
		z    uint8
		x, y uint32
		want uint64
	}{
		{0, 0, 0, 0},
		{1, 0, 0, 1},
		{1, 0, 1, 2},
		{1, 1, 1, 3},
		{1, 1, 0, 4},
		{2, 1, 3, 11},
		{3, 5, 2, 76},
		{10, 600, 401, 1230744},
		{14, 9732, 6679, 315446916},
		{20, 1000000, 3, 1461989238116},
		{31, 2147483647, 12345, 6148914690984854889},
	} {
		if got := tileID(tc.z, tc.x, tc.y); got != tc.want {
			t.Errorf("tileID(%d, %d, %d) = %d, want %d", tc.z, tc.x, tc.y, got, tc.want)
		}
	}
}

// TestReference reads testdata/reference.pmtiles, written by go-pmtiles'
// serialisers (through Write as it was before pmtiles.go): tiles z0–z3
// whose content is their address, z3 with gaps.
func TestReference(t *testing.T) {
	a, err := Open("testdata/reference.pmtiles")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if info := a.Info(); info.Name != "Reference" || info.MinZoom != 0 || info.MaxZoom != 3 {
		t.Errorf("info %+v", info)
	}
	for z := uint8(0); z <= 3; z++ {
		n := uint32(1) << z
		for x := range n {
			for y := range n {
				got, err := a.Tile(z, x, y)
				if z == 3 && (x+y)%3 == 0 {
					if !errors.Is(err, ErrNoTile) {
						t.Errorf("%d/%d/%d: %q, %v; want ErrNoTile", z, x, y, got, err)
					}
					continue
				}
				if want := fmt.Sprintf("tile %d/%d/%d", z, x, y); err != nil || string(got) != want {
					t.Errorf("%d/%d/%d: %q, %v; want %q", z, x, y, got, err, want)
				}
			}
		}
	}
	// Written again by pmtiles.go, the same bytes but for gzip's.
	raw, err := os.ReadFile("testdata/reference.pmtiles")
	if err != nil {
		t.Fatal(err)
	}
	h, err := parseHeader(raw[:headerLen])
	if err != nil {
		t.Fatal(err)
	}
	if got := appendHeader(nil, h); !slices.Equal(got, raw[:headerLen]) {
		t.Errorf("header written again:\n%x\nwant\n%x", got, raw[:headerLen])
	}
}

// TestFindTile covers runs and leaf directories, which Write never makes.
func TestFindTile(t *testing.T) {
	es := []entry{{TileID: 5, RunLength: 3}, {TileID: 10, RunLength: 0}, {TileID: 20, RunLength: 1}}
	for _, tc := range []struct {
		id    uint64
		want  uint64
		found bool
	}{{4, 0, false}, {5, 5, true}, {7, 5, true}, {8, 0, false}, {10, 10, true}, {15, 10, true}, {20, 20, true}, {21, 0, false}} {
		e, ok := findTile(es, tc.id)
		if ok != tc.found || (ok && e.TileID != tc.want) {
			t.Errorf("findTile(%d) = %v, %v; want %d, %v", tc.id, e, ok, tc.want, tc.found)
		}
	}
	if _, ok := findTile(nil, 3); ok {
		t.Error("found a tile in no entries")
	}
}

// FuzzParseEntries checks that a directory that decodes is written back to
// the same entries, and that no input makes it panic.
func FuzzParseEntries(f *testing.F) {
	f.Add(appendEntries(nil, []entry{{TileID: 1, Offset: 0, Length: 10, RunLength: 1}, {TileID: 2, Offset: 10, Length: 5, RunLength: 2}, {TileID: 9, Offset: 100, Length: 1, RunLength: 0}}))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := parseEntries(b)
		if err != nil {
			return
		}
		again, err := parseEntries(appendEntries(nil, es))
		if err != nil || !slices.Equal(again, es) {
			t.Fatalf("%v written and read again: %v, %v", es, again, err)
		}
	})
}
