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
	"strconv"

	orbjson "github.com/paulmach/orb/geojson"

	"strata/geo"
)

// maxFeatureBytes bounds the JSON text of one feature.
const maxFeatureBytes = 16 << 20

// Reserved property names: Strata keeps them as feature fields.
var reserved = map[string]bool{"valid_from": true, "valid_to": true, "precision_m": true, "sources": true}

// Options supply defaults for features that lack Strata's own properties.
type Options struct {
	// Sources are used for a feature with no "sources" property. With none,
	// such a feature is an error.
	Sources []geo.Source
	// PrecisionM is used for a feature with no "precision_m" property when
	// not nil. With nil, such a feature is an error.
	PrecisionM *float64
}

// Decode reads a GeoJSON FeatureCollection from r and yields its features
// for layer, in order, each validated. Properties valid_from and valid_to
// (dates, RFC 3339 timestamps or null), precision_m and sources become the
// feature's fields; the id is the feature's "id" member or else its "id"
// property. An error names the feature as features[i] and ends the
// sequence; it wraps geo.ErrInvalid.
func Decode(r io.Reader, layer string, opt Options) iter.Seq2[*geo.Feature, error] {
	return func(yield func(*geo.Feature, error) bool) {
		lr := &limitReader{r: r, n: -1}
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
		tok, err := d.Token()
		if err != nil {
			return badJSON(err)
		}
		key, _ := tok.(string)
		switch key {
		case "type":
			if err := d.Decode(&typ); err != nil {
				return badJSON(err)
			}
			if typ != "FeatureCollection" {
				return geo.Invalidf("type", "type is %q, not FeatureCollection", typ)
			}
		case "features":
			sawFeatures = true
			if err := expectDelim(d, '['); err != nil {
				return geo.Invalidf("features", "features is not an array")
			}
			for i := 0; d.More(); i++ {
				lr.reset(maxFeatureBytes)
				var raw rawFeature
				if err := d.Decode(&raw); err != nil {
					if errors.Is(err, errTooLarge) {
						return geo.Invalidf("features", "features[%d] is larger than %d bytes", i, maxFeatureBytes)
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
				return badJSON(err)
			}
		default:
			var skip json.RawMessage
			if err := d.Decode(&skip); err != nil {
				return badJSON(err)
			}
		}
	}
	if _, err := d.Token(); err != nil {
		return badJSON(err)
	}
	if typ != "FeatureCollection" {
		return geo.Invalidf("type", `the document has no "type": "FeatureCollection"`)
	}
	if !sawFeatures {
		return geo.Invalidf("features", `the FeatureCollection has no "features" array`)
	}
	if _, err := d.Token(); err != io.EOF {
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

func badJSON(err error) error {
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
		return nil, fmt.Errorf("type is %q, not Feature", raw.Type)
	}
	f := &geo.Feature{Layer: layer}
	props := map[string]json.RawMessage{}
	if len(raw.Properties) > 0 && string(raw.Properties) != "null" {
		if err := json.Unmarshal(raw.Properties, &props); err != nil {
			return nil, fmt.Errorf("properties is not a JSON object")
		}
	}
	id, err := featureID(raw.ID, props)
	if err != nil {
		return nil, err
	}
	f.ID = id
	if len(raw.Geometry) == 0 || string(raw.Geometry) == "null" {
		return f, errors.New("geometry is missing")
	}
	g, err := orbjson.UnmarshalGeometry(raw.Geometry)
	if err != nil {
		return f, fmt.Errorf("geometry: %v", err)
	}
	f.Geometry = g.Geometry()
	var from, to string
	if err := optString(props, "valid_from", &from); err != nil {
		return f, err
	}
	if err := optString(props, "valid_to", &to); err != nil {
		return f, err
	}
	if f.Valid, err = geo.ParseValidTime("valid time", from, to); err != nil {
		return f, err
	}
	switch p, ok := props["precision_m"]; {
	case ok && string(p) != "null":
		if err := json.Unmarshal(p, &f.PrecisionM); err != nil {
			return f, errors.New("precision_m is not a number")
		}
	case opt.PrecisionM != nil:
		f.PrecisionM = *opt.PrecisionM
	default:
		return f, errors.New("precision_m is missing (state the precision in metres, or import with a default)")
	}
	switch s, ok := props["sources"]; {
	case ok && string(s) != "null":
		if err := json.Unmarshal(s, &f.Sources); err != nil {
			return f, errors.New("sources is not an array of {title, publisher, date, url}")
		}
	case len(opt.Sources) > 0:
		f.Sources = opt.Sources
	default:
		return f, errors.New("sources is missing (cite at least one source, or import with a default)")
	}
	_ = optString(props, "name", &f.Name)
	_ = optString(props, "kind", &f.Kind)
	for k := range reserved {
		delete(props, k)
	}
	if f.Properties, err = json.Marshal(props); err != nil {
		return f, fmt.Errorf("properties: %v", err)
	}
	if err := f.Validate(); err != nil {
		return f, err
	}
	return f, nil
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
		return "", errors.New("id is missing")
	}
	var id string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &id); err != nil {
			return "", errors.New("id is not a string or integer")
		}
	} else {
		n, err := strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, 64)
		if err != nil {
			return "", errors.New("id is not a string or integer")
		}
		id = strconv.FormatInt(n, 10)
	}
	if fromProps {
		delete(props, "id")
	}
	if !geo.ValidID(id) {
		return id, fmt.Errorf("id %q must be 1-128 letters, digits, '.', '_', '~' or '-'", id)
	}
	return id, nil
}

func optString(props map[string]json.RawMessage, key string, dst *string) error {
	v, ok := props[key]
	if !ok || string(v) == "null" {
		return nil
	}
	if err := json.Unmarshal(v, dst); err != nil {
		return fmt.Errorf("%s is not a string", key)
	}
	return nil
}

var errTooLarge = errors.New("feature too large")

// limitReader fails once more than n bytes are read after reset(n); n < 0
// means no limit.
type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) reset(n int64) { l.n = n }

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n == 0 {
		return 0, errTooLarge
	}
	if l.n > 0 && int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	if l.n > 0 {
		l.n -= int64(n)
	}
	return n, err
}
