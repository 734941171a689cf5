// vendor.mjs copies the browser files Strata's front end needs from
// node_modules into static/vendor/<package>/, with each package's licence,
// and writes static/vendor/VERSIONS.md. Run it after `npm ci` whenever a
// version in package.json changes; it is idempotent (each target folder is
// emptied first), so a re-run with the same versions changes nothing.
//
//   cd web && npm ci && npm run vendor

import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const modules = join(web, 'node_modules');
const vendor = join(web, '..', 'static', 'vendor');

/**
 * What to copy from each package: [source path in the package, target
 * name in static/vendor/<package>/, optional import rewrites]. A source
 * ending in "/" copies the folder's .js files (topojson-client ships its ES
 * modules only in src/). Rewrites replace bare import specifiers, which
 * browsers resolve only through an import map, with relative paths to the
 * vendored copy, so a module works from any page without one.
 */
const packages = {
  leaflet: [
    ['dist/leaflet-src.esm.js', 'leaflet-src.esm.js'],
    ['dist/leaflet.css', 'leaflet.css'],
    ['dist/images/', 'images'],
    ['LICENSE', 'LICENSE'],
  ],
  nouislider: [
    ['dist/nouislider.mjs', 'nouislider.mjs'],
    ['dist/nouislider.css', 'nouislider.css'],
    ['LICENSE.md', 'LICENSE.md'],
  ],
  'leaflet.fullscreen': [
    ['dist/Control.FullScreen.js', 'Control.FullScreen.js'],
    ['dist/Control.FullScreen.css', 'Control.FullScreen.css'],
    ['LICENSE.md', 'LICENSE.md'],
  ],
  'topojson-client': [
    ['src/', 'src'],
    ['LICENSE', 'LICENSE'],
  ],
  // Mapbox Vector Tile decoding for static/js/tiled/mvt.js and basemap.js
  // (static/js/tiled.js says why these and not a Leaflet tile plugin).
  '@mapbox/vector-tile': [
    ['index.js', 'index.js', { '@mapbox/point-geometry': '../point-geometry/index.js' }],
    ['LICENSE.txt', 'LICENSE.txt'],
  ],
  '@mapbox/point-geometry': [
    ['index.js', 'index.js'],
    ['LICENSE', 'LICENSE'],
  ],
  pbf: [
    ['index.js', 'index.js'],
    ['LICENSE', 'LICENSE'],
  ],
};

/**
 * Copies a file, replacing quoted import specifiers as rewrites say.
 * @param {string} from
 * @param {string} to
 * @param {Record<string, string>} [rewrites]
 */
function copy(from, to, rewrites) {
  if (!rewrites) {
    cpSync(from, to);
    return;
  }
  let text = readFileSync(from, 'utf8');
  for (const [bare, rel] of Object.entries(rewrites)) {
    const before = text;
    text = text.replaceAll(`from '${bare}'`, `from '${rel}'`).replaceAll(`from "${bare}"`, `from "${rel}"`);
    if (text === before) throw new Error(`${from}: no import of ${bare} to rewrite`);
  }
  writeFileSync(to, text);
}

const versions = ['# Vendored libraries', '',
  'Copied from npm by `web/scripts/vendor.mjs`; do not edit by hand.', '',
  '| package | version | licence |', '| --- | --- | --- |'];

for (const [name, files] of Object.entries(packages)) {
  const src = join(modules, name);
  const pkg = JSON.parse(readFileSync(join(src, 'package.json'), 'utf8'));
  const dst = join(vendor, name);
  rmSync(dst, { recursive: true, force: true });
  mkdirSync(dst, { recursive: true });
  for (const [from, to, rewrites] of files) {
    if (from.endsWith('/')) {
      mkdirSync(join(dst, to), { recursive: true });
      for (const f of readdirSync(join(src, from)).sort()) {
        cpSync(join(src, from, f), join(dst, to, f));
      }
    } else {
      copy(join(src, from), join(dst, to), rewrites);
    }
  }
  versions.push(`| ${name} | ${pkg.version} | ${pkg.license} |`);
}

writeFileSync(join(vendor, 'VERSIONS.md'), versions.join('\n') + '\n');
console.log(`vendored ${Object.keys(packages).length} packages into ${vendor}`);
