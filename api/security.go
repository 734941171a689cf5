package api

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
)

// DefaultFrameAncestors is the default Config.FrameAncestors: only the
// site's own pages may frame it.
var DefaultFrameAncestors = []string{"'self'"}

// ParseFrameAncestors reads a space- or comma-separated list of the
// sources allowed to frame the site, in the form of CSP's frame-ancestors
// (such as "'self' https://news.example.org"): 'self', 'none' (alone), or
// a scheme, host or origin with optional * for subdomains. The empty
// string gives DefaultFrameAncestors.
func ParseFrameAncestors(s string) ([]string, error) {
	list := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
	if len(list) == 0 {
		return DefaultFrameAncestors, nil
	}
	for _, src := range list {
		switch {
		case src == "'none'" && len(list) > 1:
			return nil, fmt.Errorf("frame ancestors: 'none' cannot be combined with other sources")
		case src == "'self'" || src == "'none'":
		case !hostSource.MatchString(src):
			return nil, fmt.Errorf("frame ancestors: %q is not 'self', 'none', a scheme such as https: or an origin such as https://example.org", src)
		}
	}
	return list, nil
}

// hostSource matches a CSP scheme-source or host-source without a path.
var hostSource = regexp.MustCompile(`^(?:[a-z][a-z0-9+.-]*:|(?:[a-z][a-z0-9+.-]*://)?(?:\*|(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::(?:[0-9]+|\*))?)$`)

// securityHeaders returns the headers sent with every answer:
//
//   - Content-Security-Policy: scripts, styles, fonts and connections
//     only from the site itself. Its pages load their scripts as files;
//     the one inline script, the import map each page holds, is allowed by
//     its SHA-256 hash, computed here from the embedded pages, and the
//     API summary's inline stylesheet likewise. Images may also be data:
//     URLs and come from the online raster basemap the map page names.
//     frame-ancestors says who may frame the pages.
//   - X-Frame-Options, the same for older browsers: DENY for 'none',
//     SAMEORIGIN for 'self', and left out when other origins may frame
//     the site (it cannot name them; browsers that know CSP follow
//     frame-ancestors).
//   - X-Content-Type-Options: nosniff, so a browser never runs a JSON
//     answer or a feature property as a script or stylesheet.
//   - Referrer-Policy: strict-origin-when-cross-origin, so other sites
//     (the online basemap) learn the origin but never a page's address,
//     whose fragment and query name what the reader is looking at.
func securityHeaders(static fs.FS, frameAncestors []string) (http.Header, error) {
	if len(frameAncestors) == 0 {
		frameAncestors = DefaultFrameAncestors
	}
	scripts, imgs := []string{"'self'"}, []string{"'self'", "data:"}
	if static != nil {
		hashes, tiles, err := pageSources(static)
		if err != nil {
			return nil, err
		}
		scripts = append(scripts, hashes...)
		imgs = append(imgs, tiles...)
	}
	csp := strings.Join([]string{
		"default-src 'self'",
		"script-src " + strings.Join(scripts, " "),
		"style-src 'self' " + cspHash(apiDocStyle),
		"img-src " + strings.Join(imgs, " "),
		"connect-src 'self'",
		"object-src 'none'",
		"base-uri 'self'",
		"form-action 'self'",
		"frame-ancestors " + strings.Join(frameAncestors, " "),
	}, "; ")
	h := http.Header{}
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	switch {
	case slices.Equal(frameAncestors, []string{"'none'"}):
		h.Set("X-Frame-Options", "DENY")
	case slices.Equal(frameAncestors, []string{"'self'"}):
		h.Set("X-Frame-Options", "SAMEORIGIN")
	}
	return h, nil
}

// cspHash is the CSP source allowing one inline script or style.
func cspHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

var (
	inlineScript = regexp.MustCompile(`(?s)<script\b([^>]*)>(.*?)</script>`)
	tilesURLMeta = regexp.MustCompile(`<meta name="strata-tiles-url" content="([^"]*)">`)
)

// osmTiles is the online raster basemap the map offers when its page
// names none (static/js/basemap.js).
const osmTiles = "https://tile.openstreetmap.org"

// pageSources reads the HTML pages at the root of static and returns the
// hashes of their inline scripts, and the origin of the online raster
// basemap the map page offers (its strata-tiles-url meta tag), if any.
func pageSources(static fs.FS) (hashes, tiles []string, err error) {
	pages, err := fs.Glob(static, "*.html")
	if err != nil {
		return nil, nil, err
	}
	for _, p := range pages {
		b, err := fs.ReadFile(static, p)
		if err != nil {
			return nil, nil, err
		}
		for _, m := range inlineScript.FindAllSubmatch(b, -1) {
			if strings.Contains(string(m[1]), "src=") {
				continue
			}
			if h := cspHash(string(m[2])); !slices.Contains(hashes, h) {
				hashes = append(hashes, h)
			}
		}
		if path.Base(p) != "index.html" {
			continue
		}
		m := tilesURLMeta.FindSubmatch(b)
		switch {
		case m == nil || string(m[1]) == "none":
		case string(m[1]) == "":
			tiles = append(tiles, osmTiles)
		default:
			u, err := url.Parse(string(m[1]))
			if err != nil || u.Host == "" {
				return nil, nil, fmt.Errorf("%s: strata-tiles-url %q is not an absolute URL", p, m[1])
			}
			// A {s} subdomain placeholder becomes a wildcard.
			host := regexp.MustCompile(`^\{[^}]*\}\.`).ReplaceAllString(u.Host, "*.")
			tiles = append(tiles, u.Scheme+"://"+host)
		}
	}
	return hashes, tiles, nil
}

// secure adds the security headers to every answer.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range s.security {
			h[k] = v
		}
		next.ServeHTTP(w, r)
	})
}
