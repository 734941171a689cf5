package geojson_test

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"strata/geo"
	"strata/geo/geojson"
)

// The two hostile files of issue 17 that cost most to import: a 225 KB
// GeometryCollection nested 4,990 deep, and a FeatureCollection with a
// 100 MB unknown member. Both must be refused after reading little of
// them; BenchmarkDecodeHostile measures what they cost.

func deepCollection() string {
	const n = 4990
	geom := strings.Repeat(`{"type":"GeometryCollection","geometries":[`, n) + `{"type":"Point","coordinates":[34,31]}` + strings.Repeat(`]}`, n)
	return `{"type":"FeatureCollection","features":[{"type":"Feature","id":"deep","geometry":` + geom +
		`,"properties":{"precision_m":1,"sources":[{"title":"S"}]}}]}`
}

// hugeMember returns a FeatureCollection whose member "blob" is a string
// of 100 MB, generated as it is read.
func hugeMember() *countingReader {
	const size = 100 << 20
	return &countingReader{r: io.MultiReader(
		strings.NewReader(`{"type":"FeatureCollection","blob":"`),
		io.LimitReader(repeatByte('x'), size),
		strings.NewReader(`","features":[]}`),
	)}
}

type repeatByte byte

func (c repeatByte) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(c)
	}
	return len(p), nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func decodeErr(r io.Reader) error {
	for _, err := range geojson.Decode(r, "l", geojson.Options{}) {
		if err != nil {
			return err
		}
	}
	return nil
}

func TestDecodeHostileFiles(t *testing.T) {
	if err := decodeErr(strings.NewReader(deepCollection())); !errors.Is(err, geo.ErrInvalid) || !strings.Contains(err.Error(), `features[0] (id "deep"): geometry nests`) {
		t.Errorf("nested 4,990 deep: error %v", err)
	}
	r := hugeMember()
	if err := decodeErr(r); !errors.Is(err, geo.ErrInvalid) || !strings.Contains(err.Error(), `member "blob" is larger than 1048576 bytes`) {
		t.Errorf("100 MB member: error %v", err)
	}
	if r.n > geojson.MaxMemberBytes+64<<10 {
		t.Errorf("read %d bytes of the 100 MB member before refusing it", r.n)
	}
}

// BenchmarkDecodeHostile measures the time and memory the hostile files
// cost. Measured on the shared 2-core machine in December 2026: before the
// limits (at b573a1a: orb's decoder, an unbounded member) both files were
// accepted, the nested one after 22 s and 1,284 MB allocated (25 million
// allocations), the member after 0.9-1.8 s and 373 MB; with them, the
// nested file is refused in 3.4 ms and 1.5 MB, the member in 21 ms and
// 4.2 MB.
func BenchmarkDecodeHostile(b *testing.B) {
	deep := deepCollection()
	b.Run("nested-4990", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(deep)))
		for b.Loop() {
			if decodeErr(strings.NewReader(deep)) == nil {
				b.Fatal("accepted")
			}
		}
	})
	b.Run("member-100MB", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if decodeErr(hugeMember()) == nil {
				b.Fatal("accepted")
			}
		}
	})
}

// BenchmarkDecode decodes 10,000 points and 1,000 polygons like those of
// the benchmark workload, for the cost of the strict geometry decoder.
func BenchmarkDecode(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := range 11000 {
		if i > 0 {
			sb.WriteByte(',')
		}
		x, y := 34+float64(i%1000)/1000, 31+float64(i/1000)/100
		g := `{"type":"Point","coordinates":[` + strconv.FormatFloat(x, 'f', -1, 64) + `,` + strconv.FormatFloat(y, 'f', -1, 64) + `]}`
		if i >= 10000 {
			p := func(dx, dy float64) string {
				return `[` + strconv.FormatFloat(x+dx, 'f', -1, 64) + `,` + strconv.FormatFloat(y+dy, 'f', -1, 64) + `]`
			}
			g = `{"type":"Polygon","coordinates":[[` + p(0, 0) + `,` + p(0.01, 0) + `,` + p(0.01, 0.01) + `,` + p(0, 0.01) + `,` + p(0, 0) + `]]}`
		}
		sb.WriteString(`{"type":"Feature","id":"f` + strconv.Itoa(i) + `","geometry":` + g +
			`,"properties":{"name":"Feature","kind":"event","valid_from":"2025-10-10","precision_m":10,"sources":[{"title":"S"}]}}`)
	}
	sb.WriteString(`]}`)
	body := sb.String()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, err := range geojson.Decode(strings.NewReader(body), "l", geojson.Options{}) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 11000 {
			b.Fatalf("%d features", n)
		}
	}
}
