package postgis

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"strata/geo"
)

// rawRow is a row's values as PostgreSQL sent them, read without pgx's
// conversions: valid until the next row.
type rawRow struct {
	fds  []pgconn.FieldDescription
	vals [][]byte
}

func rawOf(rows pgx.Rows) rawRow {
	return rawRow{rows.FieldDescriptions(), rows.RawValues()}
}

var errNull = errors.New("postgis: unexpected NULL")

// int decodes an integer column, sent as binary or text.
func (r rawRow) int(i int) (int64, error) {
	b := r.vals[i]
	if b == nil {
		return 0, errNull
	}
	if r.fds[i].Format == pgx.BinaryFormatCode {
		switch len(b) {
		case 8:
			return int64(binary.BigEndian.Uint64(b)), nil
		case 4:
			return int64(int32(binary.BigEndian.Uint32(b))), nil
		case 2:
			return int64(int16(binary.BigEndian.Uint16(b))), nil
		}
		return 0, fmt.Errorf("postgis: an integer of %d bytes", len(b))
	}
	return strconv.ParseInt(string(b), 10, 64)
}

// float decodes a double precision column, sent as binary or text.
func (r rawRow) float(i int) (float64, error) {
	b := r.vals[i]
	if b == nil {
		return 0, errNull
	}
	if r.fds[i].Format == pgx.BinaryFormatCode {
		if len(b) != 8 {
			return 0, fmt.Errorf("postgis: a double of %d bytes", len(b))
		}
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	}
	return strconv.ParseFloat(string(b), 64)
}

// bool decodes a boolean column.
func (r rawRow) bool(i int) bool {
	b := r.vals[i]
	return len(b) == 1 && (b[0] == 1 || b[0] == 't')
}

// str returns a text column as a string of its own.
func (r rawRow) str(i int) string { return string(r.vals[i]) }

// readEncoded sets feat to the ID and JSON of the row's encodedColumns
// from column at on. The JSON refers to the row's bytes. A stored
// encoding that is not a JSON object is an error, checked once per row.
func (s *Store) readEncoded(r rawRow, at int, feat *geo.Feature) error {
	seq, err := r.int(at)
	if err != nil {
		return err
	}
	feat.ID = r.str(at + 1)
	feat.JSON = r.vals[at+2]
	if !s.encChecked.has(seq) {
		if len(feat.JSON) < 2 || feat.JSON[0] != '{' || !json.Valid(feat.JSON) {
			return damaged(feat.Layer, feat.ID, seq, errors.New("its GeoJSON is not a JSON object"))
		}
		s.encChecked.add(seq)
	}
	return nil
}

// unmarshalWKB decodes WKB, reading a little-endian 2-D point (most
// features) directly.
func unmarshalWKB(b []byte) (orb.Geometry, error) {
	if len(b) == 21 && b[0] == 1 && binary.LittleEndian.Uint32(b[1:]) == 1 {
		return orb.Point{
			math.Float64frombits(binary.LittleEndian.Uint64(b[5:])),
			math.Float64frombits(binary.LittleEndian.Uint64(b[13:])),
		}, nil
	}
	return wkb.Unmarshal(b)
}

// checkRow checks the values of a row read back, which another program may
// have written: geo.CheckStoredGeometry, geo.CheckStoredInterval, UTF-8
// text, a precision import would take and, with full, properties that are
// a JSON object.
func checkRow(f *geo.Feature, full bool) error {
	if err := geo.CheckStoredGeometry(f.Geometry); err != nil {
		return err
	}
	if err := geo.CheckStoredInterval(f.Valid); err != nil {
		return err
	}
	if !(f.PrecisionM >= 0 && f.PrecisionM <= 1e7) {
		return fmt.Errorf("precision_m %g is out of range", f.PrecisionM)
	}
	for _, t := range [...]string{f.ID, f.Name, f.Kind} {
		if !utf8.ValidString(t) {
			return errors.New("a text column is not UTF-8")
		}
	}
	if full {
		p := f.Properties
		if len(p) < 2 || p[0] != '{' || !json.Valid(p) {
			return errors.New("properties are not a JSON object")
		}
	}
	return nil
}

// damaged is the error of a row whose stored values fail the checks: an
// internal error, never the client's.
func damaged(layer, id string, seq int64, err error) error {
	return fmt.Errorf("postgis: feature %q of layer %q (row %d) is damaged: %v", id, layer, seq, err)
}

// rowSet is a set of row numbers (seq) that passed the checks: a row
// never changes once written but for rec_to, so it is checked once for the
// life of the process. Seqs are dense (an identity column), so a bit each
// is enough: 125 KB a million rows.
type rowSet struct {
	mu   sync.Mutex // serialises growing
	bits atomic.Pointer[[]uint64]
}

// maxChecked bounds the seqs the set holds (32 MiB of bits); rows beyond
// are checked on every read.
const maxChecked = 1 << 28

func (r *rowSet) has(seq int64) bool {
	b := r.bits.Load()
	if b == nil || seq < 0 || seq/64 >= int64(len(*b)) {
		return false
	}
	return atomic.LoadUint64(&(*b)[seq/64])&(1<<(seq%64)) != 0
}

func (r *rowSet) add(seq int64) {
	if seq < 0 || seq >= maxChecked {
		return
	}
	b := r.bits.Load()
	if b == nil || seq/64 >= int64(len(*b)) {
		r.mu.Lock()
		if b = r.bits.Load(); b == nil || seq/64 >= int64(len(*b)) {
			n := max(int64(1024), 2*(seq/64+1))
			grown := make([]uint64, n)
			if b != nil {
				for i := range *b {
					grown[i] = atomic.LoadUint64(&(*b)[i])
				}
			}
			b = &grown
			r.bits.Store(b)
		}
		r.mu.Unlock()
	}
	atomic.OrUint64(&(*b)[seq/64], 1<<(seq%64))
}

// sourceCache decodes a sources JSON text once: many features cite the
// same sources. What it holds is never handed out, only copied.
type sourceCache struct {
	mu sync.RWMutex
	m  map[string][]geo.Source
}

const maxCachedSources = 4096

// appendTo appends the sources of text to dst.
func (c *sourceCache) appendTo(dst []geo.Source, text []byte) ([]geo.Source, error) {
	c.mu.RLock()
	v, ok := c.m[string(text)]
	c.mu.RUnlock()
	if ok {
		return append(dst, v...), nil
	}
	if err := json.Unmarshal(text, &v); err != nil {
		return nil, fmt.Errorf("bad sources JSON: %w", err)
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedSources {
		c.m = map[string][]geo.Source{}
	}
	c.m[string(text)] = v
	c.mu.Unlock()
	return append(dst, v...), nil
}
