package geojson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"strata/geo"
)

// Written is one feature sent to be written (the body of an OGC API –
// Features Part 4 POST or PUT), as DecodeFeature reads it.
type Written struct {
	Feature *geo.Feature
	// Comment is the body's top-level "comment" member: the writer's note
	// on the change, kept with the changeset and not with the feature.
	Comment string
}

// DecodeFeature reads one GeoJSON Feature from body for layer, checked by
// the rules of Decode (the same members, validation and limits, body at
// most MaxFeatureBytes) and with a valid time within the years Strata
// stores (geo.CheckStoredInterval). The id is the feature's "id" member,
// else its "id" property, else defaultID when that is not empty. A
// top-level "comment" member, a string, is returned apart; other foreign
// members are ignored.
//
// Errors wrap geo.ErrInvalid and are *geo.Error values whose Param names
// the member at fault: "body" for what is not a JSON object, "type",
// "id", "geometry", "properties", "valid_from", "valid_to",
// "precision_m", "sources", "name", "kind", "comment" or a property as
// "properties.NAME".
func DecodeFeature(body []byte, layer, defaultID string, opt Options) (Written, error) {
	if len(body) > MaxFeatureBytes {
		return Written{}, geo.Invalidf("body", "the feature is larger than %d bytes", MaxFeatureBytes)
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return Written{}, geo.Invalidf("body", "the body is empty; send one GeoJSON Feature")
	}
	if trimmed[0] != '{' {
		return Written{}, geo.Invalidf("body", "the body is not a GeoJSON Feature (a JSON object)")
	}
	if nesting(trimmed, MaxDepth+2) > MaxDepth+2 {
		return Written{}, geo.Invalidf("body", "the body nests arrays and objects more than %d deep", MaxDepth+2)
	}
	var raw struct {
		rawFeature
		Comment json.RawMessage `json:"comment"`
	}
	d := json.NewDecoder(bytes.NewReader(trimmed))
	if err := d.Decode(&raw); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			field := te.Field[strings.LastIndexByte(te.Field, '.')+1:]
			return Written{}, geo.Invalidf(field, "%s is not a %s", field, jsonKind(te.Type.Kind().String()))
		}
		return Written{}, geo.Invalidf("body", "bad JSON: %v", err)
	}
	if d.More() {
		return Written{}, geo.Invalidf("body", "unexpected data after the feature")
	}
	if _, err := d.Token(); err == nil {
		return Written{}, geo.Invalidf("body", "unexpected data after the feature")
	}
	var w Written
	if len(raw.Comment) > 0 && string(raw.Comment) != "null" {
		if !utf8.Valid(raw.Comment) {
			return Written{}, geo.Invalidf("comment", "comment is not valid UTF-8")
		}
		if err := json.Unmarshal(raw.Comment, &w.Comment); err != nil {
			return Written{}, geo.Invalidf("comment", "comment is not a string")
		}
	}
	if (len(raw.ID) == 0 || string(raw.ID) == "null") && defaultID != "" && !hasIDProperty(raw.Properties) {
		raw.ID, _ = json.Marshal(defaultID)
	}
	f, err := raw.feature(layer, opt)
	if err == nil {
		err = geo.CheckStoredInterval(f.Valid)
	}
	if err != nil {
		var ge *geo.Error
		if !errors.As(err, &ge) {
			return Written{}, geo.Invalidf("body", "%v", err)
		}
		return Written{}, geo.Invalidf(ge.Param, "%s%s", idPrefix(f), ge.Message)
	}
	w.Feature = f
	return w, nil
}

// hasIDProperty reports whether properties, a JSON object or not, hold a
// non-null "id" member.
func hasIDProperty(props json.RawMessage) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(props, &m) != nil {
		return false
	}
	v, ok := m["id"]
	return ok && string(v) != "null"
}

// idPrefix names the feature at the start of an error message, when its
// id is known.
func idPrefix(f *geo.Feature) string {
	if f == nil || f.ID == "" {
		return ""
	}
	return fmt.Sprintf("feature %q: ", f.ID)
}

// jsonKind names a Go kind as the JSON type expected.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "slice", "array":
		return "JSON array"
	case "map", "struct":
		return "JSON object"
	}
	return "JSON value of the right type"
}
