package load

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// maxPathLen bounds one request path, like the request-line limits of
// common servers.
const maxPathLen = 8 << 10

// readPaths reads request paths, one per line. Blank lines and lines
// starting with '#' are skipped and surrounding spaces trimmed. Each path
// must start with '/' (so that it cannot change the host when appended to
// the base URL), hold no spaces or control characters, be at most 8 KiB
// and parse as a request URI. At least one path is required.
func readPaths(r io.Reader) ([]string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxPathLen+1024)
	var paths []string
	for line := 1; sc.Scan(); line++ {
		p := strings.TrimSpace(sc.Text())
		if p == "" || p[0] == '#' {
			continue
		}
		if err := checkPath(p); err != nil {
			return nil, fmt.Errorf("paths line %d: %v", line, err)
		}
		paths = append(paths, p)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("paths: a line is longer than %d bytes", maxPathLen)
		}
		return nil, fmt.Errorf("paths: %v", err)
	}
	if len(paths) == 0 {
		return nil, errors.New("paths: no request paths")
	}
	return paths, nil
}

// ReadPathsFile reads request paths from a file, or from stdin for "-".
func ReadPathsFile(name string) ([]string, error) {
	if name == "-" {
		return readPaths(os.Stdin)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	paths, err := readPaths(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return paths, nil
}

// checkPath checks one request path as readPaths documents.
func checkPath(p string) error {
	switch {
	case len(p) > maxPathLen:
		return fmt.Errorf("path is longer than %d bytes", maxPathLen)
	case p[0] != '/' || strings.HasPrefix(p, "//"):
		return fmt.Errorf("path %q must start with a single '/'", p)
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c == 0x7f {
			return fmt.Errorf("path %q holds a space or control character", p)
		}
	}
	if _, err := url.ParseRequestURI(p); err != nil {
		return fmt.Errorf("path %q: %v", p, err)
	}
	return nil
}

// The kinds of request list MakePaths builds.
const (
	kindItems = "items"
	kindTiles = "tiles"
)

// itemsPaths pairs each bounding box in turn with a date (box i with date
// i mod len(dates)) into items requests of layer with limit=1000:
// /collections/{layer}/items?bbox=...&datetime=...&limit=1000.
func itemsPaths(layer string, bboxes, dates []string) ([]string, error) {
	if len(bboxes) == 0 || len(dates) == 0 {
		return nil, errors.New("items paths need at least one bbox and one date")
	}
	if layer == "" || strings.ContainsAny(layer, "/?#% ") {
		return nil, fmt.Errorf("layer %q is not a valid collection id", layer)
	}
	for _, d := range dates {
		if err := checkDate(d); err != nil {
			return nil, err
		}
	}
	paths := make([]string, len(bboxes))
	for i, b := range bboxes {
		if err := checkBBox(b); err != nil {
			return nil, fmt.Errorf("bbox %d: %v", i+1, err)
		}
		paths[i] = "/collections/" + layer + "/items?bbox=" + b +
			"&datetime=" + url.QueryEscape(dates[i%len(dates)]) + "&limit=1000"
	}
	return paths, nil
}

// tilesPaths pairs each tile in turn with a date (tile i with date i mod
// len(dates)) into tile requests
// /tiles/WebMercatorQuad/{z}/{y}/{x}?datetime=.... Tiles are given as
// "z/x/y", the order of tiles.txt; the OGC API path puts the row y before
// the column x.
func tilesPaths(tiles, dates []string) ([]string, error) {
	if len(tiles) == 0 || len(dates) == 0 {
		return nil, errors.New("tile paths need at least one tile and one date")
	}
	for _, d := range dates {
		if err := checkDate(d); err != nil {
			return nil, err
		}
	}
	paths := make([]string, len(tiles))
	for i, t := range tiles {
		z, x, y, err := parseTile(t)
		if err != nil {
			return nil, fmt.Errorf("tile %d: %v", i+1, err)
		}
		paths[i] = fmt.Sprintf("/tiles/WebMercatorQuad/%d/%d/%d?datetime=%s", z, y, x, url.QueryEscape(dates[i%len(dates)]))
	}
	return paths, nil
}

// MakePaths builds the request list of kind "items" (for layer) or "tiles"
// from bboxes.txt, tiles.txt and dates.txt in benchDir, the layout of
// shared/bench.
func MakePaths(kind, benchDir, layer string) ([]string, error) {
	dates, err := readLines(filepath.Join(benchDir, "dates.txt"))
	if err != nil {
		return nil, err
	}
	switch kind {
	case kindItems:
		bboxes, err := readLines(filepath.Join(benchDir, "bboxes.txt"))
		if err != nil {
			return nil, err
		}
		return itemsPaths(layer, bboxes, dates)
	case kindTiles:
		tiles, err := readLines(filepath.Join(benchDir, "tiles.txt"))
		if err != nil {
			return nil, err
		}
		return tilesPaths(tiles, dates)
	}
	return nil, fmt.Errorf("unknown kind of paths %q (want items or tiles)", kind)
}

// readLines returns the non-blank, non-comment lines of a file, trimmed.
func readLines(name string) ([]string, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var lines []string
	for l := range strings.Lines(string(b)) {
		if l = strings.TrimSpace(l); l != "" && l[0] != '#' {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("%s is empty", name)
	}
	return lines, nil
}

// checkBBox checks a bbox of four finite comma-separated numbers.
func checkBBox(s string) error {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return fmt.Errorf("%q is not four comma-separated numbers", s)
	}
	for _, p := range parts {
		if f, err := strconv.ParseFloat(p, 64); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%q is not four comma-separated numbers", s)
		}
	}
	return nil
}

// checkDate accepts a non-empty datetime value without spaces; the server
// judges its syntax.
func checkDate(s string) error {
	if s == "" || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fmt.Errorf("date %q is empty or holds spaces", s)
	}
	return nil
}

// parseTile parses "z/x/y" with 0 <= z <= 30 and x, y < 2^z.
func parseTile(s string) (z, x, y int, err error) {
	parts := strings.Split(s, "/")
	if len(parts) != 3 {
		return 0, 0, 0, fmt.Errorf("%q is not z/x/y", s)
	}
	var v [3]int
	for i, p := range parts {
		if v[i], err = strconv.Atoi(p); err != nil || v[i] < 0 {
			return 0, 0, 0, fmt.Errorf("%q is not z/x/y", s)
		}
	}
	z, x, y = v[0], v[1], v[2]
	if z > 30 || x >= 1<<z || y >= 1<<z {
		return 0, 0, 0, fmt.Errorf("tile %q is outside zoom 0-30 or its zoom's range", s)
	}
	return z, x, y, nil
}
