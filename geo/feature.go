package geo

import (
	"encoding/json"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// GeometryKind says what geometries a layer holds.
type GeometryKind string

// The geometry kinds of a layer.
const (
	KindPoint   GeometryKind = "point"
	KindLine    GeometryKind = "line"
	KindPolygon GeometryKind = "polygon"
	KindMixed   GeometryKind = "mixed"
)

// Style holds drawing hints for a layer; clients may ignore them.
type Style struct {
	// Color is a CSS colour such as "#f2c500".
	Color string `json:"color"`
	// Dash is an SVG stroke-dasharray such as "6 4"; empty for solid.
	Dash string `json:"dash,omitempty"`
	// Marker names a point symbol: "circle", "square", "triangle",
	// "diamond" or "star".
	Marker string `json:"marker,omitempty"`
}

// Layer is a named collection of features of one kind, served as one OGC
// API collection.
type Layer struct {
	ID          string       `json:"id"`
	Title       string       `json:"title"`
	Description string       `json:"description"`
	Kind        GeometryKind `json:"geometry_kind"`
	// Group is the heading under which map clients list the layer.
	Group       string `json:"group,omitempty"`
	Style       Style  `json:"style"`
	Attribution string `json:"attribution,omitempty"`
	Licence     string `json:"licence,omitempty"`
	// Order sorts layers for display; lower first.
	Order int `json:"order"`
}

// Source is one citation for a feature.
type Source struct {
	Title     string `json:"title"`
	Publisher string `json:"publisher,omitempty"`
	Date      string `json:"date,omitempty"`
	URL       string `json:"url,omitempty"`
	Note      string `json:"note,omitempty"`
}

// Feature is one dated geometry with its sources.
type Feature struct {
	// ID is stable and unique within its layer.
	ID    string
	Layer string
	// Name and Kind repeat the "name" and "kind" properties, when present,
	// for clients (tiles, legends) that need only those.
	Name     string
	Kind     string
	Geometry orb.Geometry
	// Properties is a JSON object of the feature's own properties. It never
	// holds the reserved members valid_from, valid_to, precision_m and
	// sources: those are the fields below.
	Properties json.RawMessage
	// Valid is the half-open valid-time interval [from, to).
	Valid Interval
	// PrecisionM is the stated positional precision in metres: the true
	// position lies within this distance of the geometry.
	PrecisionM float64
	Sources    []Source
	// Version is the number of this version of the feature (see
	// Version.Number): set by Snapshot.Feature and FeatureVersion, and
	// ignored on writes. Search may leave it 0.
	Version int
	// JSON, when not nil, is the feature's GeoJSON (see Filter.Encoded):
	// read-only, and then the only field besides ID that is set.
	JSON []byte
}

// Extent is the spatial and temporal extent of a layer's features.
// Empty is true when the layer holds no features; the other fields are then
// meaningless.
type Extent struct {
	Empty bool
	BBox  orb.Bound
	// Time spans the earliest start to the latest end; OpenStart or OpenEnd
	// where any feature is open at that end.
	Time Interval
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$`)

// ValidID reports whether s can be a layer or feature id: 1 to 128
// characters from letters, digits, '.', '_', '~' and '-', starting with a
// letter or digit, so that it is safe in a URL path segment.
func ValidID(s string) bool { return idPattern.MatchString(s) }

// Validate checks a layer's metadata: a valid id, a title, a known
// geometry kind and text in valid UTF-8.
func (l *Layer) Validate() error {
	if !ValidID(l.ID) {
		return Invalidf("layer", "layer id %q must be 1-128 letters, digits, '.', '_', '~' or '-'", l.ID)
	}
	if l.Title == "" {
		return Invalidf("layer", "layer %q has no title", l.ID)
	}
	switch l.Kind {
	case KindPoint, KindLine, KindPolygon, KindMixed:
	default:
		return Invalidf("layer", "layer %q: geometry kind %q is not point, line, polygon or mixed", l.ID, l.Kind)
	}
	for _, t := range [...]struct{ field, s string }{{"title", l.Title}, {"description", l.Description}, {"group", l.Group},
		{"attribution", l.Attribution}, {"licence", l.Licence}, {"style.color", l.Style.Color}, {"style.dash", l.Style.Dash}, {"style.marker", l.Style.Marker}} {
		if !utf8.ValidString(t.s) {
			return Invalidf("layer", "layer %q: %s is not valid UTF-8", l.ID, t.field)
		}
		if strings.ContainsRune(t.s, 0) {
			return Invalidf("layer", "layer %q: %s holds a NUL character", l.ID, t.field)
		}
	}
	return nil
}

// ValidateFeature checks f as Feature.Validate does and that its geometry
// fits the layer's kind (see ValidateGeometryFor). A store's Import calls
// it with the layer as stored, whose kind may differ from the one asked
// for when the layer already exists.
func (l *Layer) ValidateFeature(f *Feature) error {
	if err := f.Validate(); err != nil {
		return err
	}
	return ValidateGeometryFor(l.Kind, f.Geometry)
}

// Validate checks a feature against the domain rules: a valid id, a valid
// geometry, a non-negative finite precision, at least one source with a
// title, and text (name, kind, properties, sources) in valid UTF-8, the
// properties a JSON object. The valid time is checked where it is parsed.
func (f *Feature) Validate() error {
	if !ValidID(f.ID) {
		return Invalidf("id", "id %q must be 1-128 letters, digits, '.', '_', '~' or '-'", f.ID)
	}
	if err := ValidateGeometry(f.Geometry); err != nil {
		return err
	}
	if err := CheckUTF8("name", f.Name); err != nil {
		return err
	}
	if err := CheckUTF8("kind", f.Kind); err != nil {
		return err
	}
	if !utf8.Valid(f.Properties) {
		return Invalidf("properties", "properties are not valid UTF-8")
	}
	if len(f.Properties) > 0 && (f.Properties[0] != '{' || !json.Valid(f.Properties)) {
		return Invalidf("properties", "properties are not a JSON object")
	}
	if !(f.PrecisionM >= 0) || f.PrecisionM > 1e7 {
		return Invalidf("precision_m", "precision_m must be a number of metres from 0 to 10000000")
	}
	if len(f.Sources) == 0 {
		return Invalidf("sources", "sources must list at least one source")
	}
	for i, s := range f.Sources {
		if s.Title == "" {
			return Invalidf("sources", "sources[%d] has no title", i)
		}
		for _, t := range [...]struct{ field, s string }{{"title", s.Title}, {"publisher", s.Publisher}, {"date", s.Date}, {"url", s.URL}, {"note", s.Note}} {
			if !utf8.ValidString(t.s) {
				return Invalidf("sources", "sources[%d].%s is not valid UTF-8", i, t.field)
			}
		}
	}
	return nil
}

// CheckUTF8 returns an ErrInvalid error naming field when s is not valid
// UTF-8 or holds a NUL character (which PostgreSQL cannot store as text). Stores call it on text they read that Validate has not checked.
func CheckUTF8(field, s string) error {
	if !utf8.ValidString(s) {
		return Invalidf(field, "%s is not valid UTF-8", field)
	}
	if strings.ContainsRune(s, 0) {
		return Invalidf(field, "%s holds a NUL character", field)
	}
	return nil
}
