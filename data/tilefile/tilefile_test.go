package tilefile_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"strata/data/tilefile"
)

// roadTile returns an MVT tile of z/x/y holding one "roads" line across
// it, named name.
func roadTile(t testing.TB, z uint8, x, y uint32, name string) []byte {
	t.Helper()
	tile := maptile.New(x, y, maptile.Zoom(z))
	b := tile.Bound()
	f := geojson.NewFeature(orb.LineString{b.Min, b.Max})
	f.Properties["name"] = name
	fc := geojson.NewFeatureCollection()
	fc.Append(f)
	layers := mvt.NewLayers(map[string]*geojson.FeatureCollection{"roads": fc})
	layers.ProjectToTile(tile)
	data, err := mvt.Marshal(layers)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeArchive(t testing.TB, tiles []tilefile.Tile, meta map[string]any) string {
	t.Helper()
	var buf bytes.Buffer
	if err := tilefile.Write(&buf, tiles, meta); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "basemap.pmtiles")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOpenAndTile(t *testing.T) {
	tiles := []tilefile.Tile{
		{Z: 8, X: 152, Y: 105, Data: roadTile(t, 8, 152, 105, "Road A")},
		{Z: 7, X: 76, Y: 52, Data: roadTile(t, 7, 76, 52, "Road B")},
	}
	path := writeArchive(t, tiles, map[string]any{"name": "Test", "attribution": "© Test contributors", "vector_layers": []any{map[string]any{"id": "roads"}}})
	a, err := tilefile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	info := a.Info()
	if info.MinZoom != 7 || info.MaxZoom != 8 || info.Name != "Test" || info.Attribution != "© Test contributors" || !strings.Contains(string(info.VectorLayers), `"roads"`) {
		t.Errorf("info = %+v", info)
	}
	if b := info.Bounds; !(b[0] < 34.5 && b[2] > 34.5 && b[1] < 31.5 && b[3] > 31.5) {
		t.Errorf("bounds %v do not hold Gaza", b)
	}
	for _, tc := range []struct {
		z    uint8
		x, y uint32
		want string
		err  error
	}{
		{8, 152, 105, "Road A", nil},
		{7, 76, 52, "Road B", nil},
		{8, 153, 105, "", tilefile.ErrNoTile},
		{9, 304, 210, "", tilefile.ErrNoTile},
		{0, 0, 0, "", tilefile.ErrNoTile},
	} {
		data, err := a.Tile(tc.z, tc.x, tc.y)
		if !errors.Is(err, tc.err) {
			t.Errorf("%d/%d/%d: err = %v, want %v", tc.z, tc.x, tc.y, err, tc.err)
			continue
		}
		if tc.err != nil {
			continue
		}
		layers, err := mvt.Unmarshal(data)
		if err != nil {
			t.Fatalf("%d/%d/%d: %v", tc.z, tc.x, tc.y, err)
		}
		if len(layers) != 1 || layers[0].Name != "roads" || layers[0].Features[0].Properties["name"] != tc.want {
			t.Errorf("%d/%d/%d: layers %+v", tc.z, tc.x, tc.y, layers)
		}
	}
}

func TestOpenRejects(t *testing.T) {
	var good bytes.Buffer
	if err := tilefile.Write(&good, []tilefile.Tile{{Z: 5, X: 19, Y: 13, Data: roadTile(t, 5, 19, 13, "x")}}, map[string]any{}); err != nil {
		t.Fatal(err)
	}
	patch := func(at int, b ...byte) []byte {
		c := bytes.Clone(good.Bytes())
		copy(c[at:], b)
		return c
	}
	u64 := func(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "shorter than its header"},
		{"text", []byte(strings.Repeat("not a tile archive ", 10)), "not a PMTiles archive"},
		{"truncated", good.Bytes()[:good.Len()-5], "beyond the end of the file"},
		{"png", patch(99, 2), "PNG images, not vector tiles"},
		{"brotli", patch(98, 3), "compressed with brotli"},
		{"zoom", patch(100, 9, 3), "zoom levels 9 to 3"},
		{"root beyond", patch(16, u64(1<<40)...), "root directory"},
		{"root garbage", patch(127, 0x1f, 0x8b, 0, 0, 0), "root directory"},
		{"metadata not json", patch(24, u64(0)...), "metadata"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.pmtiles")
			os.WriteFile(path, tc.data, 0o644)
			a, err := tilefile.Open(path)
			if err == nil {
				a.Close()
				t.Fatal("opened")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("err = %v, want it to name the file and say %q", err, tc.want)
			}
		})
	}
	if _, err := tilefile.Open(filepath.Join(t.TempDir(), "missing.pmtiles")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := tilefile.Open(t.TempDir()); err == nil {
		t.Error("opened a folder")
	}
}

// FuzzOpen checks that no file makes Open or Tile panic or hang.
func FuzzOpen(f *testing.F) {
	var good bytes.Buffer
	tilefile.Write(&good, []tilefile.Tile{{Z: 1, X: 1, Y: 0, Data: roadTile(f, 1, 1, 0, "x")}, {Z: 2, X: 2, Y: 1, Data: []byte{1, 2}}}, map[string]any{"name": "n"})
	f.Add(good.Bytes())
	f.Add([]byte("PMTiles\x03"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.pmtiles")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		a, err := tilefile.Open(path)
		if err != nil {
			return
		}
		defer a.Close()
		for z := uint8(0); z < 3; z++ {
			for x := uint32(0); x < 1<<z; x++ {
				a.Tile(z, x, 0)
				a.Tile(z, x, 1%(1<<z))
			}
		}
	})
}
