package geo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// Briefing is an ordered set of dated map states for presenting.
type Briefing struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Steps       []Step `json:"steps"`
}

// Step is one dated map state of a briefing.
type Step struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Date is the map's time: a date or instant ("2025-10-17"), or an
	// interval ("2025-10-10/2025-10-17"), in the grammar of the OGC
	// datetime parameter.
	Date string `json:"date"`
	View View   `json:"view"`
	// Layers lists the ids of the layers shown.
	Layers []string `json:"layers"`
	// Highlight lists features to emphasise, as "layer/featureId".
	Highlight []string `json:"highlight,omitempty"`
	// Caption is plain text; blank lines separate paragraphs and URLs
	// become links. It is never interpreted as HTML.
	Caption string   `json:"caption"`
	Sources []Source `json:"sources"`
	// Notes are the speaker's notes, plain text.
	Notes string `json:"notes,omitempty"`
	// HoldSeconds is how long autoplay stays on the step; 0 for the
	// default.
	HoldSeconds float64 `json:"hold_seconds,omitempty"`
}

// View is where the map looks: Bounds, or Center with Zoom.
type View struct {
	// Bounds is [minLon, minLat, maxLon, maxLat].
	Bounds *[4]float64 `json:"bounds,omitempty"`
	// Center is [lon, lat].
	Center *[2]float64 `json:"center,omitempty"`
	Zoom   *float64    `json:"zoom,omitempty"`
}

// BriefingStore keeps briefings. Methods return errors wrapping
// ErrNotFound or ErrInvalid as documented.
type BriefingStore interface {
	// PutBriefing stores a briefing, replacing one with the same id.
	// ErrInvalid when b.Validate fails.
	PutBriefing(ctx context.Context, b Briefing) error
	// Briefings returns every briefing, by id.
	Briefings(ctx context.Context) ([]Briefing, error)
	// Briefing returns one briefing, or ErrNotFound.
	Briefing(ctx context.Context, id string) (Briefing, error)
}

// stepErr names the step and field at fault.
func stepErr(i int, s Step, field, format string, args ...any) error {
	return Invalidf("steps", "step %d (%q) %s: %s", i+1, s.ID, field, fmt.Sprintf(format, args...))
}

// Validate checks a briefing's own rules: ids, titles, at least one step,
// unique step ids, dates in the datetime grammar, a view of bounds or of
// centre and zoom, at least one layer, well-formed highlight references,
// a caption and at least one titled source per step. References to layers
// and features are checked by CheckReferences.
func (b *Briefing) Validate() error {
	if !ValidID(b.ID) {
		return Invalidf("id", "briefing id %q must be 1-128 letters, digits, '.', '_', '~' or '-'", b.ID)
	}
	if strings.TrimSpace(b.Title) == "" {
		return Invalidf("title", "briefing %q has no title", b.ID)
	}
	if len(b.Steps) == 0 {
		return Invalidf("steps", "briefing %q has no steps", b.ID)
	}
	seen := map[string]int{}
	for i, s := range b.Steps {
		if !ValidID(s.ID) {
			return stepErr(i, s, "id", "must be 1-128 letters, digits, '.', '_', '~' or '-'")
		}
		if j, dup := seen[s.ID]; dup {
			return stepErr(i, s, "id", "repeats step %d", j+1)
		}
		seen[s.ID] = i
		if strings.TrimSpace(s.Title) == "" {
			return stepErr(i, s, "title", "is empty")
		}
		if _, err := ParseDatetime(s.Date); err != nil {
			return stepErr(i, s, "date", "%v", err)
		}
		if err := s.View.validate(); err != nil {
			return stepErr(i, s, "view", "%v", err)
		}
		if len(s.Layers) == 0 {
			return stepErr(i, s, "layers", "lists no layer")
		}
		for _, h := range s.Highlight {
			if l, f, ok := strings.Cut(h, "/"); !ok || !ValidID(l) || !ValidID(f) {
				return stepErr(i, s, "highlight", "%q is not \"layer/featureId\"", h)
			}
		}
		if strings.TrimSpace(s.Caption) == "" {
			return stepErr(i, s, "caption", "is empty")
		}
		if len(s.Sources) == 0 {
			return stepErr(i, s, "sources", "lists no source")
		}
		for k, src := range s.Sources {
			if strings.TrimSpace(src.Title) == "" {
				return stepErr(i, s, "sources", "source %d has no title", k+1)
			}
		}
		if s.HoldSeconds < 0 || s.HoldSeconds > 3600 || math.IsNaN(s.HoldSeconds) {
			return stepErr(i, s, "hold_seconds", "must be from 0 to 3600")
		}
	}
	return nil
}

func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

func (v View) validate() error {
	switch {
	case v.Bounds != nil && (v.Center != nil || v.Zoom != nil):
		return errors.New("give bounds, or center and zoom, not both")
	case v.Bounds != nil:
		b := v.Bounds
		if !finite(b[:]...) || b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90 || b[0] >= b[2] || b[1] >= b[3] {
			return fmt.Errorf("bounds %v must be [minLon, minLat, maxLon, maxLat] within the world, min below max", *b)
		}
	case v.Center != nil && v.Zoom != nil:
		c := v.Center
		if !finite(c[0], c[1], *v.Zoom) || c[0] < -180 || c[0] > 180 || c[1] < -90 || c[1] > 90 {
			return fmt.Errorf("center %v must be [lon, lat] within the world", *c)
		}
		if *v.Zoom < 0 || *v.Zoom > 22 {
			return fmt.Errorf("zoom %g must be from 0 to 22", *v.Zoom)
		}
	default:
		return errors.New("needs bounds, or center and zoom")
	}
	return nil
}

// CheckReferences checks that every layer a briefing shows exists in s,
// and every highlighted feature exists in its layer; errors name the step
// and field.
func (b *Briefing) CheckReferences(ctx context.Context, s Snapshot) error {
	known := map[string]bool{}
	for _, l := range s.Layers() {
		known[l.ID] = true
	}
	for i, st := range b.Steps {
		for _, l := range st.Layers {
			if !known[l] {
				return stepErr(i, st, "layers", "layer %q does not exist", l)
			}
		}
		for _, h := range st.Highlight {
			l, f, _ := strings.Cut(h, "/")
			if !known[l] {
				return stepErr(i, st, "highlight", "layer %q of %q does not exist", l, h)
			}
			if _, err := s.Feature(ctx, l, f); errors.Is(err, ErrNotFound) {
				return stepErr(i, st, "highlight", "feature %q does not exist", h)
			} else if err != nil {
				return err
			}
		}
	}
	return nil
}

// MaxBriefingBytes bounds a briefing file.
const MaxBriefingBytes = 4 << 20

// ParseBriefing decodes a briefing from JSON and validates it. Unknown
// members are errors, so a misspelt field does not pass silently.
func ParseBriefing(data []byte) (Briefing, error) {
	var b Briefing
	if len(data) > MaxBriefingBytes {
		return b, Invalidf("body", "briefing is larger than %d bytes", MaxBriefingBytes)
	}
	// encoding/json would replace invalid UTF-8 with U+FFFD unseen.
	if !utf8.Valid(data) {
		at := 0
		for at < len(data) {
			r, size := utf8.DecodeRune(data[at:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			at += size
		}
		return b, Invalidf("body", "briefing is not valid UTF-8: line %d, byte %d", bytes.Count(data[:at], []byte{'\n'})+1, at+1)
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(&b); err != nil {
		return b, Invalidf("body", "briefing is not valid JSON of the briefing form: %v", err)
	}
	if d.More() {
		return b, Invalidf("body", "unexpected data after the briefing")
	}
	return b, b.Validate()
}
