// Package archive writes a store's archive (geo.Record, see
// geo/archive.go) as a file and reads it back: the format of
// `strata copy` to and from a .jsonl file, and of the byte comparison of
// two stores' exports.
//
// # Format
//
// An archive file is UTF-8 text, one JSON object a line, each line ending
// in a newline. The first line is the header {"strata_archive":1}; each
// other line holds one record under one member:
//
//	{"layer":{...}}          a geo.Layer, in its JSON form
//	{"token":{...}}          name, hash (hex), layers, created, expires,
//	                         revoked (RFC 3339, UTC; absent for none) and
//	                         unconditional (absent when false)
//	{"briefing":{...}}       a geo.Briefing, in its JSON form
//	{"changeset":{...}}      id, recorded_at, author, comment, layers,
//	                         created, changed, deleted, bbox (absent when
//	                         the changeset touched no geometry)
//	{"row":{...}}            layer, pos, from, to (0 while current),
//	                         version, name, kind, and the feature as the
//	                         GeoJSON that geo/geojson.AppendFeature writes
//	{"version":N}            the data version: the last line
//
// Every value is written exactly: numbers in their shortest form that
// reads back to the same float64, times to the nanosecond, and a feature's
// own properties byte for byte (they are the "properties" member of its
// GeoJSON up to the valid_from, valid_to, precision_m and sources that
// AppendFeature adds). Encoding the records of two stores with equal
// contents therefore gives equal bytes.
//
// Decode checks the syntax of each line and the values a record holds (a
// feature as geo/geojson.DecodeFeature does); the order of the records,
// and their references to one another, are checked by the store that
// restores them (geo.ArchiveCheck).
package archive

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"strata/geo"
	"strata/geo/geojson"
)

// Header is the first line of an archive file, without its newline.
const Header = `{"strata_archive":1}`

// MaxLineBytes bounds one line of an archive file: a feature's GeoJSON
// (at most geojson.MaxFeatureBytes) and what the row adds to it.
const MaxLineBytes = geojson.MaxFeatureBytes + 1<<20

// token is the archived form of a geo.Token.
type token struct {
	Name          string   `json:"name"`
	Hash          string   `json:"hash"`
	Layers        []string `json:"layers"`
	Created       string   `json:"created,omitempty"`
	Expires       string   `json:"expires,omitempty"`
	Revoked       string   `json:"revoked,omitempty"`
	Unconditional bool     `json:"unconditional,omitempty"`
}

// changeset is the archived form of a geo.Changeset.
type changeset struct {
	ID         int64     `json:"id"`
	RecordedAt string    `json:"recorded_at"`
	Author     string    `json:"author"`
	Comment    string    `json:"comment"`
	Layers     []string  `json:"layers"`
	Created    int       `json:"created"`
	Changed    int       `json:"changed"`
	Deleted    int       `json:"deleted"`
	BBox       []float64 `json:"bbox,omitempty"`
}

// row is the archived form of a geo.Row.
type row struct {
	Layer   string `json:"layer"`
	Pos     int64  `json:"pos"`
	From    int64  `json:"from"`
	To      int64  `json:"to"`
	Version int    `json:"version"`
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	// Feature is the GeoJSON, byte for byte: AppendRecord writes it
	// after the other members itself, as encoding/json would compact it.
	Feature json.RawMessage `json:"feature,omitempty"`
}

// line is one line of an archive file: exactly one member is set.
type line struct {
	Archive   *int          `json:"strata_archive,omitempty"`
	Layer     *geo.Layer    `json:"layer,omitempty"`
	Token     *token        `json:"token,omitempty"`
	Briefing  *geo.Briefing `json:"briefing,omitempty"`
	Changeset *changeset    `json:"changeset,omitempty"`
	Row       *row          `json:"row,omitempty"`
	Version   *int64        `json:"version,omitempty"`
}

// formatTime writes an instant as RFC 3339 in UTC to the nanosecond; the
// zero time gives "".
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// parseTime reads what formatTime writes.
func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q is not an RFC 3339 instant", field, s)
	}
	return t.UTC(), nil
}

// AppendRecord appends r as one line of an archive file, newline included.
// It fails for a record that holds not exactly one item, or a feature
// whose properties could not be read back byte for byte (not a JSON
// object written without space around it).
func AppendRecord(b []byte, r geo.Record) ([]byte, error) {
	var l line
	switch {
	case r.Layer != nil:
		l.Layer = r.Layer
	case r.Token != nil:
		t := r.Token
		l.Token = &token{Name: t.Name, Hash: hex.EncodeToString(t.Hash), Layers: t.Layers, Created: formatTime(t.Created),
			Expires: formatTime(t.Expires), Revoked: formatTime(t.Revoked), Unconditional: t.Unconditional}
		if l.Token.Layers == nil {
			l.Token.Layers = []string{}
		}
	case r.Briefing != nil:
		l.Briefing = r.Briefing
	case r.Changeset != nil:
		c := r.Changeset
		l.Changeset = &changeset{ID: c.ID, RecordedAt: formatTime(c.RecordedAt), Author: c.Author, Comment: c.Comment,
			Layers: c.Layers, Created: c.Created, Changed: c.Changed, Deleted: c.Deleted}
		if l.Changeset.Layers == nil {
			l.Changeset.Layers = []string{}
		}
		if !c.Empty {
			l.Changeset.BBox = []float64{c.BBox.Min[0], c.BBox.Min[1], c.BBox.Max[0], c.BBox.Max[1]}
		}
	case r.Row != nil:
		rw, f := r.Row, r.Row.Feature
		if f == nil {
			return b, fmt.Errorf("archive: a row of layer %q has no feature", rw.Layer)
		}
		if !exactProperties(f.Properties) {
			return b, fmt.Errorf("archive: feature %q of layer %q: properties %.40q are not a JSON object without space around it, and would not read back as they are", f.ID, rw.Layer, f.Properties)
		}
		l.Row = &row{Layer: rw.Layer, Pos: rw.Pos, From: rw.From, To: rw.To, Version: f.Version, Name: f.Name, Kind: f.Kind}
	default:
		v := r.Version
		l.Version = &v
	}
	if n := count(r); n > 1 || (n == 1 && r.Version != 0) {
		return b, errors.New("archive: a record holds more than one item")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(l); err != nil {
		return b, fmt.Errorf("archive: %w", err)
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if l.Row == nil {
		b = append(b, body...)
		return append(b, '\n'), nil
	}
	// {"row":{…}} becomes {"row":{…,"feature":GEOJSON}}.
	b = append(b, body[:len(body)-2]...)
	b = append(b, `,"feature":`...)
	b = geojson.AppendFeature(b, r.Row.Feature)
	return append(b, "}}\n"...), nil
}

// count returns the number of items r holds, Version aside.
func count(r geo.Record) int {
	n := 0
	for _, set := range []bool{r.Layer != nil, r.Token != nil, r.Briefing != nil, r.Changeset != nil, r.Row != nil} {
		if set {
			n++
		}
	}
	return n
}

// exactProperties reports whether AppendFeature keeps p byte for byte:
// empty, or a JSON object that starts with '{' and ends with '}' and is
// "{}" when nothing is inside.
func exactProperties(p []byte) bool {
	switch {
	case len(p) == 0 || string(p) == "{}":
		return true
	case len(p) < 2 || p[0] != '{' || p[len(p)-1] != '}':
		return false
	}
	return len(bytes.TrimSpace(p[1:len(p)-1])) > 0
}

// Encoder writes records to an archive file, the header first.
type Encoder struct {
	w       io.Writer
	buf     []byte
	started bool
}

// NewEncoder returns an Encoder that writes to w; it writes nothing
// before the first record.
func NewEncoder(w io.Writer) *Encoder { return &Encoder{w: w} }

// Encode writes r as the next line.
func (e *Encoder) Encode(r geo.Record) error {
	e.buf = e.buf[:0]
	if !e.started {
		e.buf = append(e.buf, Header+"\n"...)
	}
	var err error
	if e.buf, err = AppendRecord(e.buf, r); err != nil {
		return err
	}
	if _, err := e.w.Write(e.buf); err != nil {
		return err
	}
	e.started = true
	return nil
}

// Decode reads an archive file from r and yields its records in order.
// An error, which ends the sequence, wraps geo.ErrInvalid and names the
// line for a file that is not well formed; a read error is returned as
// it is.
func Decode(r io.Reader) iter.Seq2[geo.Record, error] {
	return func(yield func(geo.Record, error) bool) {
		br := bufio.NewReaderSize(r, 64<<10)
		var buf []byte
		for n := 1; ; n++ {
			text, err := readLine(br, buf[:0])
			buf = text
			if errors.Is(err, io.EOF) && len(text) == 0 {
				if n == 1 {
					yield(geo.Record{}, geo.Invalidf("archive", "the archive is empty"))
				}
				return
			}
			if err != nil && !errors.Is(err, io.EOF) {
				yield(geo.Record{}, err)
				return
			}
			rec, header, derr := decodeLine(text, n == 1)
			if derr != nil {
				yield(geo.Record{}, geo.Invalidf("archive", "archive line %d: %v", n, derr))
				return
			}
			if !header && !yield(rec, nil) {
				return
			}
		}
	}
}

// readLine appends the next line of br, without its newline, to buf.
func readLine(br *bufio.Reader, buf []byte) ([]byte, error) {
	for {
		part, err := br.ReadSlice('\n')
		if len(buf)+len(part) > MaxLineBytes+1 {
			return buf, geo.Invalidf("archive", "a line is longer than %d bytes", MaxLineBytes)
		}
		buf = append(buf, part...)
		switch {
		case err == nil:
			return buf[:len(buf)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(buf) > 0:
			return buf, nil
		default:
			return buf, err
		}
	}
}

// decodeLine decodes one line; header says it was the header, which the
// first line must be and no other.
func decodeLine(text []byte, first bool) (rec geo.Record, header bool, err error) {
	if !utf8.Valid(text) {
		return rec, false, errors.New("not valid UTF-8")
	}
	var l line
	d := json.NewDecoder(bytes.NewReader(text))
	d.DisallowUnknownFields()
	if err := d.Decode(&l); err != nil {
		return rec, false, fmt.Errorf("not a JSON object of the archive format: %v", err)
	}
	if d.More() {
		return rec, false, errors.New("unexpected data after the JSON object")
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return rec, false, errors.New("unexpected data after the JSON object")
	}
	set := 0
	for _, p := range []bool{l.Archive != nil, l.Layer != nil, l.Token != nil, l.Briefing != nil, l.Changeset != nil, l.Row != nil, l.Version != nil} {
		if p {
			set++
		}
	}
	if set != 1 {
		return rec, false, fmt.Errorf("a line holds one member: layer, token, briefing, changeset, row or version; this one holds %d", set)
	}
	if first != (l.Archive != nil) {
		if first {
			return rec, false, fmt.Errorf("not a Strata archive: the first line must be %s", Header)
		}
		return rec, false, errors.New("the header comes again")
	}
	switch {
	case l.Archive != nil:
		if *l.Archive != 1 {
			return rec, true, fmt.Errorf("archive format %d is not format 1, which this program reads", *l.Archive)
		}
		return rec, true, nil
	case l.Layer != nil:
		rec.Layer = l.Layer
	case l.Token != nil:
		rec.Token, err = l.Token.decode()
	case l.Briefing != nil:
		rec.Briefing = l.Briefing
	case l.Changeset != nil:
		rec.Changeset, err = l.Changeset.decode()
	case l.Row != nil:
		rec.Row, err = l.Row.decode()
	default:
		rec.Version = *l.Version
	}
	return rec, false, err
}

func (t *token) decode() (*geo.Token, error) {
	out := &geo.Token{Name: t.Name, Layers: t.Layers, Unconditional: t.Unconditional}
	var err error
	if out.Hash, err = hex.DecodeString(t.Hash); err != nil {
		return nil, fmt.Errorf("token %q: hash is not hexadecimal", t.Name)
	}
	if out.Created, err = parseTime("created", t.Created); err == nil {
		if out.Expires, err = parseTime("expires", t.Expires); err == nil {
			out.Revoked, err = parseTime("revoked", t.Revoked)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("token %q: %v", t.Name, err)
	}
	return out, nil
}

func (c *changeset) decode() (*geo.Changeset, error) {
	out := &geo.Changeset{ID: c.ID, Author: c.Author, Comment: c.Comment, Layers: c.Layers,
		Created: c.Created, Changed: c.Changed, Deleted: c.Deleted, Empty: c.BBox == nil}
	var err error
	if out.RecordedAt, err = parseTime("recorded_at", c.RecordedAt); err != nil {
		return nil, fmt.Errorf("changeset %d: %v", c.ID, err)
	}
	if c.BBox != nil {
		if len(c.BBox) != 4 {
			return nil, fmt.Errorf("changeset %d: bbox is not [minLon, minLat, maxLon, maxLat]", c.ID)
		}
		out.BBox = orb.Bound{Min: orb.Point{c.BBox[0], c.BBox[1]}, Max: orb.Point{c.BBox[2], c.BBox[3]}}
	}
	return out, nil
}

func (r *row) decode() (*geo.Row, error) {
	what := fmt.Sprintf("version %d of a feature of layer %q", r.Version, r.Layer)
	w, err := geojson.DecodeFeature(r.Feature, r.Layer, "", geojson.Options{})
	if err != nil {
		return nil, fmt.Errorf("%s: %v", what, err)
	}
	f := w.Feature
	what = fmt.Sprintf("version %d of feature %q in layer %q", r.Version, f.ID, r.Layer)
	var raw struct {
		Properties json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(r.Feature, &raw); err != nil {
		return nil, fmt.Errorf("%s: %v", what, err)
	}
	if f.Properties, err = ownProperties(raw.Properties, f); err != nil {
		return nil, fmt.Errorf("%s: %v", what, err)
	}
	f.Name, f.Kind, f.Version = r.Name, r.Kind, r.Version
	return &geo.Row{Layer: r.Layer, Pos: r.Pos, From: r.From, To: r.To, Feature: f}, nil
}

// reserved are the members AppendFeature adds to a feature's own
// properties.
var reserved = []string{"valid_from", "valid_to", "precision_m", "sources", "citation"}

// ownProperties returns the feature's own properties, byte for byte, from
// the "properties" member full of its GeoJSON: what precedes the members
// that AppendFeature adds for f's valid time, precision and sources,
// which must be written exactly as it writes them.
func ownProperties(full []byte, f *geo.Feature) ([]byte, error) {
	bare := geo.Feature{Valid: f.Valid, PrecisionM: f.PrecisionM, Sources: f.Sources}
	enc := geojson.AppendFeature(nil, &bare)
	const prefix = `{"type":"Feature","id":"","geometry":null,"properties":`
	end := bytes.LastIndex(enc, []byte(`,"time":`))
	if !bytes.HasPrefix(enc, []byte(prefix)) || end < len(prefix) {
		return nil, errors.New("geo/geojson writes features in a form this package does not know")
	}
	added := enc[len(prefix):end] // {"valid_from":…,"sources":[…],"citation":…}
	own, ok := cutAdded(full, added)
	if !ok {
		if legacy, lok := legacyAdded(added, f.Valid); lok {
			own, ok = cutAdded(full, legacy)
		}
		if !ok {
			return nil, errors.New("properties do not end with valid_from, valid_to, precision_m, sources and citation as Strata writes them")
		}
	}
	if own == nil {
		return []byte("{}"), nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(own, &m); err != nil {
		return nil, fmt.Errorf("properties: %v", err)
	}
	for _, k := range reserved {
		if _, ok := m[k]; ok {
			return nil, fmt.Errorf("properties hold %s twice", k)
		}
	}
	return own, nil
}

// cutAdded returns the own properties of full, a properties object that
// ends with the members of added (an object too): nil when full is added
// alone, and ok false when full does not end with them.
func cutAdded(full, added []byte) (own []byte, ok bool) {
	if bytes.Equal(full, added) {
		return nil, true
	}
	tail := added[1:]
	cut := len(full) - len(tail) - 1
	if cut < 1 || !bytes.HasSuffix(full, tail) || full[cut] != ',' {
		return nil, false
	}
	return append(bytes.Clone(full[:cut]), '}'), true
}

// legacyAdded rewrites added, the members AppendFeature adds for a valid
// time iv, in the form Strata wrote before valid_from and valid_to were
// date-times: bounds at midnight as dates ("2025-10-10", geo.FormatBound)
// and no citation. Archives written then read back with it.
func legacyAdded(added []byte, iv geo.Interval) ([]byte, bool) {
	prec := bytes.Index(added, []byte(`,"precision_m":`))
	cite := bytes.LastIndex(added, []byte(`,"citation":`))
	if prec < 0 || cite < prec {
		return nil, false
	}
	bound := func(b []byte, ms int64) []byte {
		if s := geo.FormatBound(ms); s != "" {
			return geojson.AppendString(b, s)
		}
		return append(b, "null"...)
	}
	b := append([]byte(nil), `{"valid_from":`...)
	b = bound(b, iv.Start)
	b = append(b, `,"valid_to":`...)
	b = bound(b, iv.End)
	b = append(b, added[prec:cite]...)
	return append(b, '}'), true
}
