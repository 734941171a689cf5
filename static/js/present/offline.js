// offline.js lets the front end run from one exported HTML file with the
// network off. The exporter (Go package bundle) inlines the briefing, its
// collections, the features its steps show and the basemap as JSON in a
// <script type="application/json" id="strata-bundle"> element. When that
// element is present, installOffline replaces window.fetch with one that
// answers the API's GET requests from that data, with the server's
// semantics (datetime and bbox filters), and refuses every other request:
// the shared modules (api.js, layers.js, basemap.js) run unchanged.

const DAY_MS = 86400000;

/**
 * Parses one end of a datetime query into the closed range of Unix
 * milliseconds it covers: a date covers its whole UTC day, an instant
 * itself; ".." or "" are open; QGIS's year-0 and 9999-12-31 sentinels
 * are open too.
 * @param {string} s
 * @returns {[number, number]|null} null when s is not a date or instant
 */
function queryBound(s) {
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const ms = Date.parse(s + 'T00:00:00Z');
    if (Number.isNaN(ms)) return null;
    if (s === '9999-12-31') return [Infinity, Infinity];
    return [ms, ms + DAY_MS - 1];
  }
  if (/^0000-01-01T00:00:00/i.test(s)) return [-Infinity, -Infinity];
  if (/^9999-12-31T/i.test(s)) return [Infinity, Infinity];
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : [ms, ms];
}

/**
 * Parses the datetime parameter as the server does (geo.ParseDatetime):
 * a date means its whole UTC day; a/b with ".." or "" for an open end.
 * @param {string|null} s
 * @returns {[number, number]|null} the closed query range in Unix ms; null when invalid
 */
export function parseDatetime(s) {
  if (s == null) return [-Infinity, Infinity];
  s = s.trim();
  if (!s) return null;
  const parts = s.split('/');
  if (parts.length === 1) return queryBound(s);
  if (parts.length > 2) return null;
  const [a, b] = parts;
  let start = -Infinity, end = Infinity;
  if (a !== '..' && a !== '') { const r = queryBound(a); if (!r) return null; start = r[0]; }
  if (b !== '..' && b !== '') { const r = queryBound(b); if (!r) return null; end = r[1]; }
  return end < start ? null : [start, end];
}

/**
 * Converts valid_from or valid_to to Unix ms: a date is its UTC midnight.
 * @param {string|null|undefined} v
 * @param {number} open value for a missing bound
 * @returns {number}
 */
function validBound(v, open) {
  if (v == null || v === '') return open;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? v + 'T00:00:00Z' : v);
  return Number.isNaN(ms) ? open : ms;
}

/**
 * Reports whether a feature's valid time, the half-open [valid_from,
 * valid_to), meets a closed query range.
 * @param {object} f GeoJSON feature
 * @param {[number, number]} q
 * @returns {boolean}
 */
export function validAt(f, q) {
  const p = f.properties || {};
  return validBound(p.valid_from, -Infinity) <= q[1] && validBound(p.valid_to, Infinity) > q[0];
}

function extend(b, c) {
  if (typeof c[0] === 'number') {
    b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]);
    b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
  } else for (const x of c) extend(b, x);
}

/**
 * Returns a geometry's bounding box [minLon, minLat, maxLon, maxLat].
 * @param {object} g GeoJSON geometry
 * @returns {number[]}
 */
export function geometryBBox(g) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  if (!g) return b;
  if (g.type === 'GeometryCollection') for (const x of g.geometries || []) { const gb = geometryBBox(x); extend(b, [gb[0], gb[1]]); extend(b, [gb[2], gb[3]]); }
  else if (g.coordinates) extend(b, g.coordinates);
  return b;
}

/**
 * Reports whether a feature's bounding box meets a query bbox (which may
 * cross the antimeridian: minLon > maxLon).
 * @param {object} f
 * @param {number[]} q [minLon, minLat, maxLon, maxLat]
 * @returns {boolean}
 */
export function inBBox(f, q) {
  const b = f.__bbox || (f.__bbox = geometryBBox(f.geometry));
  if (b[1] > q[3] || b[3] < q[1]) return false;
  if (q[0] <= q[2]) return b[0] <= q[2] && b[2] >= q[0];
  return b[2] >= q[0] || b[0] <= q[2];
}

function json(body, status = 200) {
  return new Response(JSON.stringify(body, (k, v) => (k === '__bbox' ? undefined : v)), {
    status,
    headers: { 'Content-Type': status === 200 ? 'application/geo+json' : 'application/json' },
  });
}

function notFound(what) {
  return json({ code: 'NotFound', description: `${what} is not in this exported file.` }, 404);
}

/**
 * Answers one GET request for a path relative to the page, from the
 * bundle's data.
 * @param {object} data the bundle
 * @param {string} path e.g. "collections/lines/items"
 * @param {URLSearchParams} q
 * @returns {Response}
 */
export function answer(data, path, q) {
  const parts = path.split('/').map(decodeURIComponent);
  if (path === 'collections') return json({ collections: data.collections, links: [] });
  if (parts[0] === 'collections' && parts[2] === 'items' && parts.length === 3) {
    const features = data.items?.[parts[1]];
    if (!features) return notFound(`Collection ${parts[1]}`);
    const t = parseDatetime(q.get('datetime'));
    if (!t) return json({ code: 'InvalidParameterValue', description: 'datetime is not valid.' }, 400);
    const bbox = q.has('bbox') ? q.get('bbox').split(',').map(Number) : null;
    if (bbox && (bbox.length !== 4 || !bbox.every(Number.isFinite))) return json({ code: 'InvalidParameterValue', description: 'bbox is not valid.' }, 400);
    const out = features.filter((f) => validAt(f, t) && (!bbox || inBBox(f, bbox)));
    return json({ type: 'FeatureCollection', numberMatched: out.length, numberReturned: out.length, features: out, links: [] });
  }
  if (parts[0] === 'collections' && parts[2] === 'items' && parts.length === 4) {
    const f = data.items?.[parts[1]]?.find((x) => String(x.id) === parts[3]);
    return f ? json(f) : notFound(`Feature ${parts[3]}`);
  }
  if (parts[0] === 'collections' && parts.length === 2) {
    const c = data.collections.find((x) => String(x.id) === parts[1]);
    return c ? json(c) : notFound(`Collection ${parts[1]}`);
  }
  if (path === 'briefings') return json({ briefings: [{ id: data.briefing.id, title: data.briefing.title, description: data.briefing.description, steps: data.briefing.steps.length, links: [] }], links: [] });
  if (parts[0] === 'briefings' && parts.length === 2) {
    return parts[1] === data.briefing.id ? json(data.briefing) : notFound(`Briefing ${parts[1]}`);
  }
  if (parts[0] === 'basemap' && parts.length === 2 && data.basemap?.[parts[1]]) return json(data.basemap[parts[1]]);
  return notFound(path);
}

/**
 * Reads the inlined bundle, if the page has one.
 * @returns {object|null}
 */
export function inlineData() {
  const node = document.getElementById('strata-bundle');
  if (!node) return null;
  return JSON.parse(node.textContent);
}

/**
 * Serves the API from the page's inlined bundle: window.fetch answers
 * GET requests for paths under the page's folder from the data, and
 * fails every other request as a network error.
 * @returns {object|null} the bundle, or null when the page has none
 */
export function installOffline() {
  const data = inlineData();
  if (!data) return null;
  const base = new URL('.', location.href).href;
  window.fetch = async (input, init = {}) => {
    const url = new URL(typeof input === 'string' ? input : input.url, location.href);
    const method = String(init.method || input.method || 'GET').toUpperCase();
    if (init.signal?.aborted) throw new DOMException('The request was aborted.', 'AbortError');
    const here = url.href.split(/[?#]/)[0];
    if (method !== 'GET' || !here.startsWith(base)) throw new TypeError(`Offline: ${url.href} is not in this exported file.`);
    // Answer asynchronously, as the network would.
    await Promise.resolve();
    return answer(data, here.slice(base.length), url.searchParams);
  };
  return data;
}
