// vendor.mjs copies the browser files Strata's front end needs from
// node_modules into static/vendor/<package>/, with each package's licence,
// and writes static/vendor/VERSIONS.md. Run it after `npm ci` whenever a
// version in package.json changes; it is idempotent (each target folder is
// emptied first), so a re-run with the same versions changes nothing.
//
//   cd web && npm ci && npm run vendor

import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
  // Drawing and editing for the map's edit mode (static/js/edit/geoman.js
  // loads it). One script that needs a global L and bundles its
  // dependencies (lodash, Turf, polyclip-ts…): their licences go beside
  // it, in THIRD-PARTY-LICENSES.txt (see bundled below).
  '@geoman-io/leaflet-geoman-free': [
    ['dist/leaflet-geoman.min.js', 'leaflet-geoman.min.js'],
    ['dist/leaflet-geoman.css', 'leaflet-geoman.css'],
    ['LICENSE', 'LICENSE'],
  ],
  // The renderer of a user's own vector basemap (-basemap FILE.pmtiles;
  // static/js/basemap.js). Its browser build is one script bundling its
  // dependencies that extends a global L: wrapped as an ES module whose L
  // is our Leaflet module and whose default export is protomapsL.
  'protomaps-leaflet': [
    ['dist/protomaps-leaflet.js', 'protomaps-leaflet.mjs', null, {
      prepend: "import * as L from '../leaflet/leaflet-src.esm.js';\n",
      append: '\nexport default protomapsL;\n',
    }],
    ['LICENSE', 'LICENSE'],
  ],
};

/** Packages whose vendored file bundles their npm dependencies. */
const bundled = new Set(['@geoman-io/leaflet-geoman-free', 'protomaps-leaflet']);

/**
 * Copies a file, replacing quoted import specifiers as rewrites say.
 * @param {string} from
 * @param {string} to
 * @param {Record<string, string>|null} [rewrites]
 * @param {{prepend: string, append: string}} [wrap] text put around the file
 */
function copy(from, to, rewrites, wrap) {
  if (wrap) {
    writeFileSync(to, wrap.prepend + readFileSync(from, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '') + wrap.append);
    return;
  }
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

/**
 * Finds where a dependency of the package in dir is installed: in dir's
 * own node_modules, else in an enclosing one (npm's hoisting).
 * @param {string} dir
 * @param {string} dep
 * @returns {string}
 */
function resolveDep(dir, dep) {
  for (let d = dir; d.startsWith(modules); d = dirname(d)) {
    const p = join(d, 'node_modules', dep);
    if (existsSync(join(p, 'package.json'))) return p;
  }
  const p = join(modules, dep);
  if (existsSync(join(p, 'package.json'))) return p;
  throw new Error(`${dir}: dependency ${dep} is not installed`);
}

/**
 * Writes the licences of every package a bundle holds: the runtime
 * dependencies of the package in dir, recursively (type packages, which
 * hold no code, left out), each with its licence file.
 * @param {string} dir
 * @param {string} to the file to write
 */
function writeBundledLicences(dir, to) {
  const seen = new Map();
  const walk = (d) => {
    const pkg = JSON.parse(readFileSync(join(d, 'package.json'), 'utf8'));
    for (const dep of Object.keys(pkg.dependencies || {}).sort()) {
      if (dep.startsWith('@types/')) continue;
      const p = resolveDep(d, dep);
      if (seen.has(p)) continue;
      seen.set(p, null);
      walk(p);
    }
  };
  walk(dir);
  const parts = [];
  for (const p of [...seen.keys()].sort()) {
    const pkg = JSON.parse(readFileSync(join(p, 'package.json'), 'utf8'));
    const file = readdirSync(p).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    // A few packages (@protomaps/basemaps, pmtiles) ship no licence file,
    // only an SPDX id: say so, with where the full text is kept.
    const repo = (typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url ?? pkg.homepage ?? '').replace(/^git\+/, '');
    if (!file && !(pkg.license && repo)) throw new Error(`${p}: no licence file`);
    const text = file ? readFileSync(join(p, file), 'utf8').trim()
      : `The package ships no licence file. Its package.json says "${pkg.license}" (SPDX); the text is in ${repo}.`;
    parts.push(`== ${pkg.name} ${pkg.version} (${pkg.license}) ==\n\n${text}\n`);
  }
  writeFileSync(to, `Packages bundled in this folder's script, with their licences.\n\n${parts.join('\n')}`);
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
  for (const [from, to, rewrites, wrap] of files) {
    if (from.endsWith('/')) {
      mkdirSync(join(dst, to), { recursive: true });
      for (const f of readdirSync(join(src, from)).sort()) {
        cpSync(join(src, from, f), join(dst, to, f));
      }
    } else {
      copy(join(src, from), join(dst, to), rewrites, wrap);
    }
  }
  if (bundled.has(name)) writeBundledLicences(src, join(dst, 'THIRD-PARTY-LICENSES.txt'));
  versions.push(`| ${name} | ${pkg.version} | ${pkg.license} |`);
}

writeFileSync(join(vendor, 'VERSIONS.md'), versions.join('\n') + '\n');
console.log(`vendored ${Object.keys(packages).length} packages into ${vendor}`);
