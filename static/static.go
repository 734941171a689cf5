// Package static holds Strata's map front end: index.html, its ES modules
// and CSS, and the libraries vendored from npm by web/scripts/vendor.mjs,
// embedded in the binary so the map works with the network off.
package static

import "embed"

// FS holds index.html (the explore map), present.html and speaker.html
// (presenting briefings) and the css, js and vendor folders, to be served
// at the site's root.
//
//go:embed index.html present.html speaker.html css js vendor
var FS embed.FS
