// Package geojson reads and writes Strata features as GeoJSON (RFC 7946).
//
// Decode streams a FeatureCollection of any size, validating each feature
// as it goes; Writer encodes features straight to an io.Writer with few
// allocations, adding the valid time, precision and sources that Strata
// keeps outside a feature's own properties.
package geojson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"unicode/utf8"

	"strata/geo"
)

// Limits on the input, checked as it is read, before anything is decoded.
const (
	// MaxFeatureBytes bounds the JSON text of one feature.
	MaxFeatureBytes = 16 << 20
	// MaxMemberBytes bounds the value of any top-level member other than
	// "features", such as "bbox" or a foreign member, which is skipped.
	// Like MaxFeatureBytes it counts the bytes read while decoding the
	// value, so it holds within what the JSON decoder has read ahead.
	MaxMemberBytes = 1 << 20
	// DefaultMaxBytes bounds a whole document unless Options.MaxBytes
	// says otherwise.
	DefaultMaxBytes = 4 << 30
)

// Reserved property names: Strata keeps them as feature fields, except
// citation, which AppendFeature derives from sources and which is
// ignored on input (a feature read, edited and written back carries the
// citation of its old sources).
var reserved = map[string]bool{"valid_from": true, "valid_to": true, "precision_m": true, "sources": true, "citation": true}

// Options supply defaults for features that lack Strata's own properties.
type Options struct {
	// Sources are used for a feature with no "sources" property. With none,
	// such a feature is an error.
	Sources []geo.Source
	// PrecisionM is used for a feature with no "precision_m" property when
	// not nil. With nil, such a feature is an error.
	PrecisionM *float64
	// Kind, when not empty, is the geometry kind of the layer the features
	// go to: a geometry that does not fit it is an error (see
	// geo.ValidateGeometryFor).
	Kind geo.GeometryKind
	// MaxBytes bounds the whole document; 0 means DefaultMaxBytes.
	MaxBytes int64
}

// Decode reads a GeoJSON FeatureCollection from r and yields its features
// for layer, in order, each validated. Properties valid_from and valid_to
// (dates, RFC 3339 timestamps or null), precision_m and sources become the
// feature's fields; the id is the feature's "id" member or else its "id"
// property. Every position must hold exactly a longitude and a latitude;
// text must be valid UTF-8; the document, each feature and each other
// member are bounded in size (MaxBytes, MaxFeatureBytes, MaxMemberBytes)
// and a feature's geometry and properties in nesting (MaxDepth,
// geo.MaxCollectionDepth). An error names the feature as features[i] (or
// the member) and ends the sequence; it wraps geo.ErrInvalid.
func Decode(r io.Reader, layer string, opt Options) iter.Seq2[*geo.Feature, error] {
	return func(yield func(*geo.Feature, error) bool) {
		if opt.MaxBytes <= 0 {
			opt.MaxBytes = DefaultMaxBytes
		}
		lr := newLimitReader(r, opt.MaxBytes)
		d := json.NewDecoder(lr)
		err := decode(d, lr, layer, opt, yield)
		if err != nil && !errors.Is(err, errStop) {
			yield(nil, err)
		}
	}
}

var errStop = errors.New("stopped")

func decode(d *json.Decoder, lr *limitReader, layer string, opt Options, yield func(*geo.Feature, error) bool) error {
	if err := expectDelim(d, '{'); err != nil {
		if errors.Is(err, io.EOF) {
			return geo.Invalidf("body", "the document is empty")
		}
		return geo.Invalidf("body", "not a GeoJSON FeatureCollection: %v", err)
	}
	var typ string
	sawFeatures := false
	seen := map[string]int{}
	for d.More() {
		// A member's name counts towards its limit.
		lr.reset(MaxMemberBytes)
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, errTooLarge) && lr.total >= 0 {
				return geo.Invalidf("body", "a member name is longer than %d bytes", MaxMemberBytes)
			}
			return badJSON(lr, err)
		}
		key, _ := tok.(string)
		switch key {
		case "type":
			if err := d.Decode(&typ); err != nil {
				return memberError(lr, key, err)
			}
			lr.reset(-1)
			if typ != "FeatureCollection" {
				return geo.Invalidf("type", "type is %q, not FeatureCollection", typ)
			}
		case "features":
			lr.reset(-1)
			sawFeatures = true
			if err := expectDelim(d, '['); err != nil {
				return geo.Invalidf("features", "features is not an array")
			}
			for i := 0; d.More(); i++ {
				lr.reset(MaxFeatureBytes)
				var raw rawFeature
				if err := d.Decode(&raw); err != nil {
					if errors.Is(err, errTooLarge) {
						if lr.total < 0 {
							return geo.Invalidf("body", "features[%d]: the document is larger than %d bytes", i, lr.max)
						}
						return geo.Invalidf("features", "features[%d] is larger than %d bytes", i, MaxFeatureBytes)
					}
					if errors.Is(err, io.ErrUnexpectedEOF) {
						return geo.Invalidf("features", "features[%d]: bad JSON: the document ends early", i)
					}
					return geo.Invalidf("features", "features[%d]: bad JSON: %v", i, err)
				}
				lr.reset(-1)
				f, err := raw.feature(layer, opt)
				if err != nil {
					return geo.Invalidf("features", "features[%d]%s: %v", i, idNote(f), err)
				}
				if j, dup := seen[f.ID]; dup {
					return geo.Invalidf("features", "features[%d]: id %q repeats features[%d]", i, f.ID, j)
				}
				seen[f.ID] = i
				if !yield(f, nil) {
					return errStop
				}
			}
			if _, err := d.Token(); err != nil {
				return badJSON(lr, err)
			}
		default:
			var skip json.RawMessage
			if err := d.Decode(&skip); err != nil {
				return memberError(lr, key, err)
			}
			lr.reset(-1)
		}
	}
	if _, err := d.Token(); err != nil {
		return badJSON(lr, err)
	}
	if typ != "FeatureCollection" {
		return geo.Invalidf("type", `the document has no "type": "FeatureCollection"`)
	}
	if !sawFeatures {
		return geo.Invalidf("features", `the FeatureCollection has no "features" array`)
	}
	if _, err := d.Token(); errors.Is(err, errTooLarge) {
		return badJSON(lr, err)
	} else if err != io.EOF {
		return geo.Invalidf("body", "unexpected data after the FeatureCollection")
	}
	return nil
}

func idNote(f *geo.Feature) string {
	if f == nil || f.ID == "" {
		return ""
	}
	return fmt.Sprintf(" (id %q)", f.ID)
}

// memberError describes an error decoding the value of the top-level
// member key.
func memberError(lr *limitReader, key string, err error) error {
	if errors.Is(err, errTooLarge) && lr.total >= 0 {
		return geo.Invalidf(key, "member %q is larger than %d bytes", short([]byte(key)), MaxMemberBytes)
	}
	return badJSON(lr, fmt.Errorf("member %q: %w", short([]byte(key)), err))
}

func badJSON(lr *limitReader, err error) error {
	if errors.Is(err, errTooLarge) {
		return geo.Invalidf("body", "the document is larger than %d bytes", lr.max)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return geo.Invalidf("body", "bad JSON: the document ends early")
	}
	return geo.Invalidf("body", "bad JSON: %v", err)
}

func expectDelim(d *json.Decoder, want json.Delim) error {
	tok, err := d.Token()
	if err != nil {
		return err
	}
	if tok != want {
		return fmt.Errorf("expected %q, found %v", want, tok)
	}
	return nil
}

type rawFeature struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
}

// feature turns a decoded GeoJSON feature into a validated geo.Feature.
// On error it may return a partial feature, for its id.
func (raw *rawFeature) feature(layer string, opt Options) (*geo.Feature, error) {
	if raw.Type != "Feature" {
		return nil, geo.Invalidf("type", "type is %q, not Feature", raw.Type)
	}
	f := &geo.Feature{Layer: layer}
	// encoding/json would replace invalid UTF-8 in the strings it decodes
	// with U+FFFD: check the bytes first.
	if !utf8.Valid(raw.ID) {
		return nil, geo.Invalidf("id", "id is not valid UTF-8")
	}
	props := map[string]json.RawMessage{}
	if len(raw.Properties) > 0 && string(raw.Properties) != "null" {
		if nesting(raw.Properties, MaxDepth) > MaxDepth {
			return nil, geo.Invalidf("properties", "properties nest arrays and objects more than %d deep", MaxDepth)
		}
		if err := json.Unmarshal(raw.Properties, &props); err != nil {
			return nil, geo.Invalidf("properties", "properties is not a JSON object")
		}
	}
	id, err := featureID(raw.ID, props)
	if err != nil {
		return nil, err
	}
	f.ID = id
	if !utf8.Valid(raw.Properties) {
		return f, invalidUTF8(props)
	}
	if len(raw.Geometry) == 0 || string(raw.Geometry) == "null" {
		return f, geo.Invalidf("geometry", "geometry is missing")
	}
	if nesting(raw.Geometry, MaxDepth) > MaxDepth {
		return f, geo.Invalidf("geometry", "geometry nests arrays and objects more than %d deep", MaxDepth)
	}
	if f.Geometry, err = decodeGeometry(raw.Geometry, 0); err != nil {
		return f, geo.Invalidf("geometry", "geometry: %v", err)
	}
	var from, to string
	if err := optString(props, "valid_from", &from); err != nil {
		return f, err
	}
	if err := optString(props, "valid_to", &to); err != nil {
		return f, err
	}
	if f.Valid, err = validTime(from, to); err != nil {
		return f, err
	}
	switch p, ok := props["precision_m"]; {
	case ok && string(p) != "null":
		if err := json.Unmarshal(p, &f.PrecisionM); err != nil {
			return f, geo.Invalidf("precision_m", "precision_m is not a number")
		}
	case opt.PrecisionM != nil:
		f.PrecisionM = *opt.PrecisionM
	default:
		return f, geo.Invalidf("precision_m", "precision_m is missing (state the precision in metres, or import with a default)")
	}
	switch s, ok := props["sources"]; {
	case ok && string(s) != "null":
		if err := json.Unmarshal(s, &f.Sources); err != nil {
			return f, geo.Invalidf("sources", "sources is not an array of {title, publisher, date, url}")
		}
	case len(opt.Sources) > 0:
		f.Sources = opt.Sources
	default:
		return f, geo.Invalidf("sources", "sources is missing (cite at least one source, or import with a default)")
	}
	_ = optString(props, "name", &f.Name)
	_ = optString(props, "kind", &f.Kind)
	for k := range reserved {
		delete(props, k)
	}
	if f.Properties, err = json.Marshal(props); err != nil {
		return f, geo.Invalidf("properties", "properties: %v", err)
	}
	if err := f.Validate(); err != nil {
		return f, err
	}
	if err := geo.ValidateGeometryFor(opt.Kind, f.Geometry); err != nil {
		return f, err
	}
	return f, nil
}

// validTime parses a feature's valid_from and valid_to as
// geo.ParseValidTime does, naming in the error's Param the member at
// fault: valid_from when it cannot be read, else valid_to.
func validTime(from, to string) (geo.Interval, error) {
	iv, err := geo.ParseValidTime("valid time", from, to)
	if err == nil {
		return iv, nil
	}
	field := "valid_to"
	if _, ferr := geo.ParseValidTime("valid time", from, ""); ferr != nil {
		field = "valid_from"
	}
	var ge *geo.Error
	if errors.As(err, &ge) {
		return iv, geo.Invalidf(field, "%s", ge.Message)
	}
	return iv, err
}

// invalidUTF8 names the property holding invalid UTF-8 in its value, or
// else says that a property name does.
func invalidUTF8(props map[string]json.RawMessage) error {
	keys := make([]string, 0, len(props))
	for k, v := range props {
		if !utf8.Valid(v) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return geo.Invalidf("properties", "a property name is not valid UTF-8")
	}
	slices.Sort(keys)
	field := "properties." + keys[0]
	if reserved[keys[0]] || keys[0] == "name" || keys[0] == "kind" {
		field = keys[0]
	}
	return geo.Invalidf(field, "%s is not valid UTF-8", field)
}

// featureID takes the id from the feature's id member (a string or an
// integer) or else from its "id" property, which it then removes.
func featureID(member json.RawMessage, props map[string]json.RawMessage) (string, error) {
	raw := member
	fromProps := false
	if len(raw) == 0 || string(raw) == "null" {
		raw, fromProps = props["id"], true
	}
	if len(raw) == 0 || string(raw) == "null" {
		return "", geo.Invalidf("id", "id is missing")
	}
	var id string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &id); err != nil {
			return "", geo.Invalidf("id", "id is not a string or integer")
		}
	} else {
		n, err := strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, 64)
		if err != nil {
			return "", geo.Invalidf("id", "id is not a string or integer")
		}
		id = strconv.FormatInt(n, 10)
	}
	if fromProps {
		delete(props, "id")
	}
	if !geo.ValidID(id) {
		return id, geo.Invalidf("id", "id %q must be 1-128 letters, digits, '.', '_', '~' or '-'", id)
	}
	return id, nil
}

func optString(props map[string]json.RawMessage, key string, dst *string) error {
	v, ok := props[key]
	if !ok || string(v) == "null" {
		return nil
	}
	if err := json.Unmarshal(v, dst); err != nil {
		return geo.Invalidf(key, "%s is not a string", key)
	}
	return nil
}

var errTooLarge = errors.New("feature too large")

// limitReader fails once more than n bytes are read after reset(n) (n < 0
// means no limit), or more than max in all; total is then negative.
type limitReader struct {
	r     io.Reader
	n     int64 // bytes left for the part being read, or -1
	total int64 // bytes left for the document
	max   int64 // the document's limit
}

func newLimitReader(r io.Reader, max int64) *limitReader {
	return &limitReader{r: r, n: -1, total: max, max: max}
}

func (l *limitReader) reset(n int64) { l.n = n }

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n == 0 || l.total < 0 {
		return 0, errTooLarge
	}
	if l.n > 0 && int64(len(p)) > l.n {
		p = p[:l.n]
	}
	// One byte past the limit tells a document of exactly max bytes from
	// a longer one.
	if int64(len(p)) > l.total+1 {
		p = p[:l.total+1]
	}
	n, err := l.r.Read(p)
	if l.n > 0 {
		l.n -= int64(n)
	}
	if l.total -= int64(n); l.total < 0 {
		return n, errTooLarge
	}
	return n, err
}
